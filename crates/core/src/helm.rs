//! Helm chart templates: YAML with Go template actions (`{{ .Values.x }}`, `{{- include … }}`)
//! that is only YAML once rendered. Linting one as it stands reports its template syntax as
//! YAML errors and its `{{ … }}` strings as values; dflint instead says what it is and how to
//! lint it (`helm template … | dflint check -`).

/// Words a Go template action starts with in charts: fields and variables, the control
/// structures, and the functions charts call first in an action.
const ACTION_STARTS: &[&str] = &[
    ".", "$", "/*", "include", "template", "if", "else", "end", "range", "with", "define", "block",
    "toYaml", "tpl", "required", "default", "printf", "print", "quote", "lookup", "fail", "not",
    "and", "or", "eq", "ne", "len",
];

/// The byte offset of the first Go template action of a chart template in `text`: a `{{`
/// (or `{{-`) followed by one of the usual starts and closed by `}}` on the same line.
pub fn first_template_action(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("{{") {
        let at = from + found;
        let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
        let inside = &text[at + 2..line_end];
        let action = inside.strip_prefix('-').unwrap_or(inside).trim_start();
        let starts = ACTION_STARTS.iter().any(|word| {
            action.strip_prefix(word).is_some_and(|rest| {
                // `.`, `$` and `/*` may be followed by anything; words end at a blank,
                // a pipe or the end of the action.
                word.len() == 1 || *word == "/*" || rest.starts_with([' ', '\t', '|', '}', '('])
            })
        });
        if starts && inside.contains("}}") {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_chart_actions_and_not_other_braces() {
        assert_eq!(
            first_template_action("name: {{ .Release.Name }}\n"),
            Some(6)
        );
        assert_eq!(
            first_template_action("a: 1\n  {{- include \"x.labels\" . | nindent 4 }}\n"),
            Some(7)
        );
        assert_eq!(first_template_action("{{- if .Values.x }}\n"), Some(0));
        assert_eq!(first_template_action("x: {{}}\n"), None);
        assert_eq!(first_template_action("x: '{{ unclosed'\n"), None);
        assert_eq!(first_template_action("x: {{ includeFoo }}\n"), None);
        assert_eq!(first_template_action("x: {a: {b: 1}}\n"), None);
    }
}
