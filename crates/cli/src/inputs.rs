//! Finding and reading the inputs.

use dflint_core::Source;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Manifests; ACL files (`*.acl`, `acl.conf`, `users.acl`) are picked up by name too.
const LINTED_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];
const MAX_DIRECTORY_DEPTH: usize = 64;

/// Reads every input; errors (missing paths, unreadable files) are returned, not fatal.
/// `acl_files` are read as ACL files whatever their names.
pub fn read_all(
    paths: &[PathBuf],
    acl_files: &[PathBuf],
    stdin_name: &str,
) -> (Vec<Source>, Vec<String>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in acl_files {
        match std::fs::read(path) {
            Ok(bytes) => sources.push(Source::from_bytes(display_path(path), &bytes).as_acl()),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().read_to_end(&mut bytes) {
                Ok(_) => sources.push(Source::from_bytes(stdin_name, &bytes)),
                Err(e) => errors.push(format!("cannot read standard input: {e}")),
            }
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                collect_files(path, &root, 0, &mut files, &mut errors);
                files.sort();
                for file in files {
                    read_file(&file, &mut sources, &mut errors);
                }
            }
            Ok(_) => read_file(path, &mut sources, &mut errors),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    (sources, errors)
}

fn read_file(path: &Path, sources: &mut Vec<Source>, errors: &mut Vec<String>) {
    match std::fs::read(path) {
        Ok(bytes) => sources.push(Source::from_bytes(display_path(path), &bytes)),
        Err(e) => errors.push(format!("{}: {e}", path.display())),
    }
}

fn display_path(path: &Path) -> String {
    let shown = path.to_string_lossy();
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

fn collect_files(
    dir: &Path,
    root: &Path,
    depth: usize,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<String>,
) {
    if depth > MAX_DIRECTORY_DEPTH {
        errors.push(format!("{}: directory nesting too deep", dir.display()));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // file_type() does not follow symlinks, so symlinked directories cannot loop.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if hidden || !(kind.is_dir() || is_linted(&path)) {
            continue;
        }
        if kind.is_dir() {
            collect_files(&path, root, depth + 1, files, errors);
        } else if kind.is_file() {
            files.push(path);
        } else if kind.is_symlink() {
            // A link is read only when it leads to a regular file inside the tree being
            // linted: one pointing elsewhere would show that file's content in findings.
            match std::fs::canonicalize(&path) {
                Ok(target) if !target.starts_with(root) => errors.push(format!(
                    "{}: skipped: a symbolic link to a file outside {}",
                    path.display(),
                    root.display()
                )),
                Ok(target) if std::fs::metadata(&target).is_ok_and(|m| m.is_file()) => {
                    files.push(path)
                }
                Ok(_) => {}
                Err(e) => errors.push(format!("{}: {e}", path.display())),
            }
        } else {
            // A named pipe would block the run forever; sockets and devices are no files.
            errors.push(format!(
                "{}: skipped: not a regular file (a named pipe, socket or device)",
                path.display()
            ));
        }
    }
}

fn is_linted(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| LINTED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        || dflint_core::acl::found::is_acl_file_name(&path.to_string_lossy())
}
