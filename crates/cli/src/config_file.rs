//! `dflint.toml`: finding it, reading it into the settings model every front end shares
//! (`dflint_core::LintConfig`), and saying where each setting is written.
//!
//! Errors name the file, line and column of the key or value at fault, for the type errors
//! TOML deserialization finds as for the checks `LintConfig::validate` makes.

use dflint_core::config::{camel_case, InvalidSetting, LintConfig, SettingKey, Spelling};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The names a configuration file may have, in the order they are looked for in a directory.
pub const FILE_NAMES: [&str; 2] = ["dflint.toml", ".dflint.toml"];

/// A configuration file read and checked.
pub struct ConfigFile {
    pub path: PathBuf,
    pub config: LintConfig,
    /// Every setting the file writes, by its dotted kebab-case name (`acl.dialect`), with
    /// the line it is on.
    pub written: BTreeMap<String, usize>,
}

/// The nearest configuration file at or above `start` (a file's directory, or a directory).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(start).ok()?;
    let mut dir = if absolute.is_dir() {
        Some(absolute.as_path())
    } else {
        absolute.parent()
    };
    while let Some(current) = dir {
        for name in FILE_NAMES {
            let candidate = current.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = current.parent();
    }
    None
}

/// Reads and checks a configuration file. The error is one line: `FILE:LINE:COL: problem`.
pub fn load(path: &Path) -> Result<ConfigFile, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        // Where the first byte that is not UTF-8 sits, as every other mistake is located.
        // Everything before it is text: its end is where the bad byte sits.
        let valid = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let (line, column) = line_and_column(&before, valid);
        format!("{shown}:{line}:{column}: the file is not UTF-8 text (TOML must be)")
    })?;
    let config: LintConfig = toml::from_str(&text).map_err(|error| {
        let (line, column) = error
            .span()
            .map_or((1, 1), |span| line_and_column(&text, span.start));
        format!("{shown}:{line}:{column}: {}", error.message().trim_end())
    })?;
    let table = DeTable::parse(&text).map_err(|e| format!("{shown}: {}", e.message()))?;
    config.validate().map_err(|invalid| {
        let (line, column) = locate(&text, table.get_ref(), &invalid);
        format!(
            "{shown}:{line}:{column}: `{}`: {}",
            invalid.dotted_path(Spelling::Kebab),
            invalid.message
        )
    })?;
    let mut written = BTreeMap::new();
    collect_written(&text, table.get_ref(), "", 0, &mut written);
    Ok(ConfigFile {
        path: path.to_path_buf(),
        config,
        written,
    })
}

/// A table's entry under its kebab-case or camelCase name: the key's place and the value.
fn entry<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<(usize, &'t Spanned<DeValue<'i>>)> {
    let camel = camel_case(key);
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key || k.get_ref().as_ref() == camel)
        .map(|(k, v)| (k.span().start, v))
}

/// The line and column of the deepest part of `invalid.path` the file has: the value of a
/// setting, but the key of a user's entry (a glob, a rule pattern), which is what is wrong.
fn locate(text: &str, table: &DeTable<'_>, invalid: &InvalidSetting) -> (usize, usize) {
    let mut at = 0;
    let mut current: Option<&DeValue<'_>> = None;
    for (depth, key) in invalid.path.iter().enumerate() {
        let found = match (key, current) {
            (SettingKey::Field(name), None) if depth == 0 => {
                entry(table, name).map(|(_, v)| (v.span().start, v))
            }
            (SettingKey::Field(name), Some(DeValue::Table(t))) => {
                entry(t, name).map(|(_, v)| (v.span().start, v))
            }
            (SettingKey::Entry(name), Some(DeValue::Table(t))) => entry(t, name),
            (SettingKey::Index(i), Some(DeValue::Array(items))) => {
                items.get(*i).map(|v| (v.span().start, v))
            }
            _ => None,
        };
        let Some((start, value)) = found else { break };
        at = start;
        current = Some(value.get_ref());
    }
    line_and_column(text, at)
}

/// Records every leaf setting (and each entry of a user-keyed table) with its line.
fn collect_written(
    text: &str,
    table: &DeTable<'_>,
    prefix: &str,
    depth: usize,
    out: &mut BTreeMap<String, usize>,
) {
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        // Both spellings are read; the kebab one names the setting.
        let name = dflint_core::config::kebab_case(name);
        let dotted = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let line = line_and_column(text, key.span().start).0;
        match value.get_ref() {
            // Sections of the model (`[acl]`, `[limits]`…) hold settings; user-keyed tables
            // (`[severity]`, `[per-file-ignores]`) are one setting each.
            DeValue::Table(inner) if depth == 0 && is_section(&name) => {
                collect_written(text, inner, &dotted, depth + 1, out)
            }
            _ => {
                out.insert(dotted, line);
            }
        }
    }
}

fn is_section(name: &str) -> bool {
    dflint_core::config::SECTIONS.contains(&name)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("dflint.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn temp(case: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dflint-config-{}-{case}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn found_in_the_nearest_directory_above() {
        let root = temp("discover");
        let nested = root.join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        let path = write(&root, "select = [\"DF0\"]\n");
        assert_eq!(discover(&nested.join("x.yaml")), Some(path.clone()));
        assert_eq!(discover(&nested), Some(path));
        let closer = write(&root.join("a"), "");
        assert_eq!(discover(&nested), Some(closer));
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        let root = temp("errors");
        let path = write(&root, "select = [\"DF0\"]\n\n[acl]\ndialekt = \"redis\"\n");
        let error = load(&path).err().unwrap();
        assert!(
            error.contains("dflint.toml:4:1: unknown field `dialekt`"),
            "{error}"
        );
        let path = write(&root, "fail-on = 3\n");
        let error = load(&path).err().unwrap();
        assert!(error.contains("dflint.toml:1:11:"), "{error}");
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn invalid_values_are_located() {
        let root = temp("invalid");
        let path = write(
            &root,
            "ignore = [\"DF011\",\n  \"DF999\"]\n[network]\nmetrics-scrapers = [{ namespace = \"m\", match-labels = {} }]\n",
        );
        let error = load(&path).err().unwrap();
        assert!(
            error.contains("dflint.toml:2:3: `ignore[1]`: `DF999` matches no rule"),
            "{error}"
        );
        let path = write(&root, "[severity]\nDF9 = \"info\"\n");
        let error = load(&path).err().unwrap();
        assert!(error.contains("dflint.toml:2:1: `severity.DF9`"), "{error}");
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn written_settings_are_listed_with_their_lines() {
        let root = temp("written");
        let path = write(
            &root,
            "select = [\"DF2\"]\n[acl]\ndialect = \"redis\"\n[severity]\nDF201 = \"info\"\n[limits]\nmaxDepth = 64\n",
        );
        let file = load(&path).unwrap();
        assert_eq!(file.written["select"], 1);
        assert_eq!(file.written["acl.dialect"], 3);
        assert_eq!(file.written["severity"], 4);
        assert_eq!(file.written["limits.max-depth"], 7);
        assert_eq!(file.config.limits.max_depth, 64);
        let _ = std::fs::remove_dir_all(root);
    }
}
