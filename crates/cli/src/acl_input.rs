//! ACL texts read for the `acl` subcommands: an ACL file, or every ACL text a YAML/JSON file
//! holds (found as `check` finds it), each with where it sits for line and column.

use clap::ValueEnum;
use dflint_core::acl::found::is_acl_file_name;
use dflint_core::acl::parse::{parse_file_with, AclFile, ServerLimits};
use dflint_core::acl::Dialect;
use dflint_core::limits::{file_too_large_message, Limits};
use std::path::Path;
use std::process::ExitCode;

use crate::inputs::{read_path, Bounded};

const EXIT_ERROR: u8 = 2;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
}

/// One ACL text read from a file: where it is, and its parse.
pub(crate) struct LoadedAcl {
    /// "path" for an ACL file, "path: Secret ns/name key `k`" for text inside a manifest.
    pub(crate) label: String,
    /// What inside the file holds the text (`Secret ns/name key `k``); `None` for an ACL file.
    pub(crate) holder: Option<String>,
    pub(crate) file: AclFile,
    pub(crate) place: Place,
}

/// Where the ACL text sits in its file, to turn a span of the text into a line and column.
pub(crate) struct Place {
    source: std::rc::Rc<dflint_core::Source>,
    /// The text inside a manifest; `None` when the file is the ACL text.
    text: Option<dflint_core::acl::text::AclText>,
}

impl Place {
    pub(crate) fn file(&self) -> &str {
        self.source.name()
    }

    /// 1-based line and column in the file of a span of the ACL text.
    pub(crate) fn line_col(&self, span: dflint_core::Span) -> (usize, usize) {
        let span = self.text.as_ref().map_or(span, |t| t.source_span(span));
        self.source.line_col(span.start)
    }
}

/// Reads the ACL texts of a path: the file itself when it is ACL text, or every ACL text
/// `dflint check` finds in a YAML/JSON file (Secrets, ConfigMaps), with the same recognition.
pub(crate) fn load(
    path: &Path,
    dialect: Dialect,
    limits: ServerLimits,
    input_limits: &Limits,
) -> Result<Vec<LoadedAcl>, ExitCode> {
    let read = read_path(path, input_limits.max_file_bytes).map_err(|e| {
        eprintln!("dflint: {}: {e}", path.display());
        ExitCode::from(EXIT_ERROR)
    })?;
    let bytes = match read {
        Bounded::Read(bytes) => bytes,
        Bounded::TooLarge(size) => {
            eprintln!(
                "dflint: {}: {}",
                path.display(),
                file_too_large_message(size, input_limits.max_file_bytes)
            );
            return Err(ExitCode::from(EXIT_ERROR));
        }
    };
    load_bytes(
        path.to_string_lossy().to_string(),
        &bytes,
        dialect,
        limits,
        input_limits,
    )
}

/// [`load`] of bytes read elsewhere (`git show`), named `name`.
pub(crate) fn load_bytes(
    name: String,
    bytes: &[u8],
    dialect: Dialect,
    limits: ServerLimits,
    input_limits: &Limits,
) -> Result<Vec<LoadedAcl>, ExitCode> {
    if bytes.len() as u64 > input_limits.max_file_bytes {
        eprintln!(
            "dflint: {name}: {}",
            file_too_large_message(
                dflint_core::limits::UnreadSize::Exactly(bytes.len() as u64),
                input_limits.max_file_bytes
            )
        );
        return Err(ExitCode::from(EXIT_ERROR));
    }
    let lower = name.to_ascii_lowercase();
    let manifest = [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e));
    if !manifest || is_acl_file_name(&name) {
        let source = dflint_core::Source::from_bytes(name.clone(), bytes);
        return Ok(vec![LoadedAcl {
            label: name,
            holder: None,
            file: parse_file_with(source.text(), dialect, limits),
            place: Place {
                source: std::rc::Rc::new(source),
                text: None,
            },
        }]);
    }
    let sources = vec![dflint_core::Source::from_bytes(name.clone(), bytes)];
    let loaded = dflint_core::lint::load_with(&sources, input_limits);
    let mut config = dflint_core::config::LintConfig {
        limits: input_limits.clone(),
        ..Default::default()
    };
    config.acl.dialect = dialect;
    let bundle = dflint_core::lint::Bundle::new(&sources, &loaded, &config);
    let found: Vec<(String, AclFile, dflint_core::acl::text::AclText)> = bundle
        .acls
        .iter()
        .map(|acl| {
            (
                acl.describe(),
                // Parsed again with the limits asked for; the text is the one `check` reads.
                parse_file_with(&acl.text.text, dialect, limits),
                acl.text.clone(),
            )
        })
        .collect();
    // What could not be read is said with its place, as `check` would say it.
    let at = |span: dflint_core::Span| {
        let (line, column) = sources[0].line_col(span.start);
        format!("{name}:{line}:{column}")
    };
    for (_, problem) in &loaded.syntax_problems {
        eprintln!("dflint: {}: {}", at(problem.span), problem.message);
    }
    for bad in &bundle.undecodable_acls {
        eprintln!(
            "dflint: {}: {} key `{}` should hold an ACL but {}",
            at(bad.node.span),
            bad.resource.display_name(),
            bad.key,
            bad.reason
        );
    }
    if found.is_empty() {
        eprintln!(
            "dflint: {name}: no ACL text found (looked for Secret/ConfigMap values named *.acl, acl.conf or users.acl, or starting with `user `)"
        );
        return Err(ExitCode::from(EXIT_ERROR));
    }
    drop(bundle);
    drop(loaded);
    let source = std::rc::Rc::new(sources.into_iter().next().expect("one source"));
    Ok(found
        .into_iter()
        .map(|(holder, file, text)| LoadedAcl {
            label: format!("{name}: {holder}"),
            holder: Some(holder),
            file,
            place: Place {
                source: source.clone(),
                text: Some(text),
            },
        })
        .collect())
}
