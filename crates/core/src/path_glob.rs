//! Globs over file paths, for `exclude` and `per-file-ignores`: `*` and `?` stay within one
//! path segment, `**` spans any number of segments, `[a-z]`/`[!a-z]` match one character of
//! a class. A pattern without `/` is matched against each segment, so `charts` excludes
//! every directory named so and `*.json` every JSON file, as in `.gitignore`.
//!
//! Matching is linear in the pattern times the path (no backtracking blow-up on hostile
//! patterns): segments are matched by a table, characters within a segment greedily.

/// A checked glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathGlob {
    /// Segments of the pattern; `None` is `**`.
    segments: Vec<Option<Vec<Token>>>,
    /// No `/` in the pattern: it matches any one segment of a path.
    any_segment: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    AnyChar,
    AnyRun,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl PathGlob {
    /// Parses a pattern; an unclosed `[` is an error.
    pub fn new(pattern: &str) -> Result<PathGlob, String> {
        let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
        if trimmed.is_empty() {
            return Err("an empty pattern matches nothing".to_string());
        }
        let any_segment = !trimmed.contains('/');
        let segments = trimmed
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|segment| {
                if segment == "**" {
                    Ok(None)
                } else {
                    tokens(segment).map(Some)
                }
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(PathGlob {
            segments,
            any_segment,
        })
    }

    /// Whether `path` (with `/` or `\` separators; a leading `./` is ignored) matches.
    pub fn matches(&self, path: &str) -> bool {
        let normalized = path.replace('\\', "/");
        let parts = segments(&normalized);
        if self.any_segment {
            return match self.segments.as_slice() {
                [Some(tokens)] => parts.iter().any(|part| segment_matches(tokens, part)),
                // `**` alone.
                _ => true,
            };
        }
        self.matches_parts(&parts)
    }

    /// Whether some leading run of `parts` matches: a directory that matches takes what
    /// is inside it along, so `build/**` and `build` both exclude `build/x.yaml`.
    pub fn matches_path_or_parent(&self, path: &str) -> bool {
        let normalized = path.replace('\\', "/");
        let parts = segments(&normalized);
        if self.any_segment {
            return self.matches(path);
        }
        (1..=parts.len()).any(|n| self.matches_parts(&parts[..n]))
    }

    /// Segment-level matching: `reach[j]` says whether the pattern's first `i` segments can
    /// consume the path's first `j` parts.
    fn matches_parts(&self, parts: &[&str]) -> bool {
        let mut reach = vec![false; parts.len() + 1];
        reach[0] = true;
        for segment in &self.segments {
            let mut next = vec![false; parts.len() + 1];
            match segment {
                None => {
                    // `**`: any number of parts, none included.
                    let mut reachable = false;
                    for j in 0..=parts.len() {
                        reachable |= reach[j];
                        next[j] = reachable;
                    }
                }
                Some(tokens) => {
                    for j in 0..parts.len() {
                        if reach[j] && segment_matches(tokens, parts[j]) {
                            next[j + 1] = true;
                        }
                    }
                }
            }
            reach = next;
        }
        reach[parts.len()]
    }
}

/// The segments of a path with `/` separators, without empty and `.` ones.
fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

fn tokens(segment: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' => {
                // `a**b` inside a segment is the same as `a*b`.
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                Token::AnyRun
            }
            '?' => Token::AnyChar,
            '[' => {
                let negated = matches!(chars.peek(), Some('!') | Some('^'));
                if negated {
                    chars.next();
                }
                let mut ranges = Vec::new();
                let mut closed = false;
                let mut first = true;
                while let Some(c) = chars.next() {
                    if c == ']' && !first {
                        closed = true;
                        break;
                    }
                    first = false;
                    if chars.peek() == Some(&'-') {
                        let mut lookahead = chars.clone();
                        lookahead.next();
                        if let Some(&end) = lookahead.peek().filter(|&&e| e != ']') {
                            chars.next();
                            chars.next();
                            ranges.push((c, end));
                            continue;
                        }
                    }
                    ranges.push((c, c));
                }
                if !closed {
                    return Err(format!("`[` in `{segment}` is never closed"));
                }
                Token::Class { negated, ranges }
            }
            other => Token::Char(other),
        });
    }
    Ok(out)
}

/// Wildcard matching within one segment: greedy, remembering the last `*` to retry from,
/// which is linear in practice and quadratic at worst.
fn segment_matches(tokens: &[Token], text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let (mut t, mut c) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while c < chars.len() {
        match tokens.get(t) {
            Some(Token::AnyRun) => {
                retry = Some((t, c));
                t += 1;
                continue;
            }
            Some(token) if one_matches(token, chars[c]) => {
                t += 1;
                c += 1;
                continue;
            }
            _ => {}
        }
        match retry {
            Some((star, from)) => {
                t = star + 1;
                c = from + 1;
                retry = Some((star, from + 1));
            }
            None => return false,
        }
    }
    tokens[t..].iter().all(|token| *token == Token::AnyRun)
}

fn one_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(expected) => *expected == c,
        Token::AnyChar => true,
        Token::AnyRun => false,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(low, high)| low <= c && c <= high) != *negated
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PathGlob;

    fn matches(pattern: &str, path: &str) -> bool {
        PathGlob::new(pattern).unwrap().matches(path)
    }

    #[test]
    fn a_pattern_without_a_slash_matches_any_segment() {
        assert!(matches("*.json", "deploy/app/cr.json"));
        assert!(matches("charts", "a/charts"));
        assert!(!matches("*.json", "deploy/app/cr.yaml"));
    }

    #[test]
    fn stars_stay_in_their_segment_and_double_stars_cross() {
        assert!(matches("deploy/*.yaml", "deploy/cr.yaml"));
        assert!(matches("./deploy/*.yaml", "./deploy/cr.yaml"));
        assert!(!matches("deploy/*.yaml", "deploy/app/cr.yaml"));
        assert!(matches("deploy/**/*.yaml", "deploy/app/x/cr.yaml"));
        assert!(matches("deploy/**/*.yaml", "deploy/cr.yaml"));
        assert!(matches("**/legacy/*", "a/b/legacy/x.yaml"));
        assert!(matches("deploy/*", "deploy\\x.yaml"));
    }

    #[test]
    fn classes_and_single_characters() {
        assert!(matches("env/[ps]rod?/*.yaml", "env/prod1/a.yaml"));
        assert!(matches("env/[!p]*/*.yaml", "env/staging/a.yaml"));
        assert!(!matches("env/[!p]*/*.yaml", "env/prod/a.yaml"));
        assert!(matches("v[0-9].yaml", "v7.yaml"));
        assert!(PathGlob::new("env/[ab").is_err());
        assert!(PathGlob::new("").is_err());
    }

    #[test]
    fn a_directory_pattern_takes_what_is_inside_along() {
        let glob = PathGlob::new("build/generated").unwrap();
        assert!(glob.matches_path_or_parent("build/generated/x/cr.yaml"));
        assert!(!glob.matches_path_or_parent("build/other/cr.yaml"));
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let pattern = "*a".repeat(200) + "b";
        let path = "a".repeat(5_000);
        assert!(!matches(&pattern, &path));
        let pattern = "**/".repeat(200) + "x";
        let path = "d/".repeat(2_000) + "y";
        assert!(!matches(&pattern, &path));
    }
}
