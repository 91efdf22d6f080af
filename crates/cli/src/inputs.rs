//! Finding and reading the inputs.

use dflint_core::limits::UnreadSize;
use dflint_core::path_glob::PathGlob;
use dflint_core::Source;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Manifests; ACL files (`*.acl`, `acl.conf`, `users.acl`) and Dragonfly flag files
/// (`*.flags`, `*.flagfile`, `flagfile`, `dragonfly.conf`) are picked up by name too.
const LINTED_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];
const MAX_DIRECTORY_DEPTH: usize = 64;

/// The `exclude` and `extend-exclude` globs. They apply to what a directory walk finds;
/// a file named on the command line is read whatever they say, as in ruff.
pub struct Excludes {
    globs: Vec<PathGlob>,
    /// The configuration file's directory: globs with a `/` are written relative to it.
    base: Option<PathBuf>,
    /// Whether `.gitignore` files are honoured.
    gitignore: bool,
    /// dflint's own files (the baseline), by canonical path: never linted by a walk.
    own_files: Vec<PathBuf>,
}

impl Excludes {
    /// The excludes of `config`, read from the configuration file at `file`.
    pub fn of(config: &dflint_core::LintConfig, file: Option<&Path>) -> Excludes {
        Excludes {
            globs: config
                .exclude
                .iter()
                .chain(&config.extend_exclude)
                // Checked by `LintConfig::validate` before any file is read.
                .filter_map(|glob| PathGlob::new(glob).ok())
                .collect(),
            base: file
                .and_then(Path::parent)
                .and_then(|dir| std::path::absolute(dir).ok()),
            gitignore: config.respect_gitignore,
            own_files: Vec::new(),
        }
    }

    /// Leaves `file` (one of dflint's own, the baseline) out of directory walks.
    pub fn leaving_out(mut self, file: Option<&Path>) -> Excludes {
        self.own_files
            .extend(file.and_then(|f| f.canonicalize().ok()));
        self
    }

    /// Whether a path found in a walk is excluded: matched as walked (`deploy/x.yaml`) and
    /// relative to the configuration file's directory.
    fn excludes(&self, path: &Path) -> bool {
        if !self.own_files.is_empty()
            && path
                .canonicalize()
                .is_ok_and(|canonical| self.own_files.contains(&canonical))
        {
            return true;
        }
        if self.globs.is_empty() {
            return false;
        }
        let walked = display_path(path);
        let from_base = self.base.as_ref().and_then(|base| {
            let absolute = std::path::absolute(path).ok()?;
            absolute
                .strip_prefix(base)
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        });
        self.globs.iter().any(|glob| {
            glob.matches(&walked) || from_base.as_deref().is_some_and(|p| glob.matches(p))
        })
    }
}

/// Reads every input; errors (missing paths, unreadable files) are returned, not fatal.
/// `marked` files are read as what their flag says, whatever their names. An input larger than
/// `max_file_bytes` is not read into memory: it becomes a [`Source::unread`], which the
/// linter reports with its size.
/// Files given with a flag that says how to read them, whatever their names.
pub struct Marked<'a> {
    /// `--acl-file`: ACL files.
    pub acl_files: &'a [PathBuf],
    /// `--helm-values`: values of Dragonfly's Helm chart.
    pub helm_values: &'a [PathBuf],
}

pub fn read_all(
    paths: &[PathBuf],
    marked: Marked<'_>,
    stdin_name: &str,
    max_file_bytes: u64,
    excludes: &Excludes,
) -> (Vec<Source>, Vec<String>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let is_stdin = |path: &PathBuf| path.as_os_str() == "-";
    if marked
        .acl_files
        .iter()
        .chain(marked.helm_values)
        .chain(paths)
        .filter(|p| is_stdin(p))
        .count()
        > 1
    {
        errors.push("standard input (`-`) can be read only once: give it once".to_string());
        return (sources, errors);
    }
    let as_acl: fn(Source) -> Source = Source::as_acl;
    let as_values: fn(Source) -> Source = Source::as_helm_values;
    let marked_files = (marked.acl_files.iter().map(|p| (p, as_acl)))
        .chain(marked.helm_values.iter().map(|p| (p, as_values)));
    for (path, mark) in marked_files {
        if is_stdin(path) {
            // `--acl-file -`: standard input is an ACL file, whatever the name shown for it.
            match read_bounded(std::io::stdin().lock(), max_file_bytes, 0) {
                Ok(read) => sources.push(mark(read.into_source(stdin_name.to_string()))),
                Err(e) => errors.push(format!("cannot read standard input: {e}")),
            }
            continue;
        }
        match read_path(path, max_file_bytes) {
            Ok(read) => sources.push(mark(read.into_source(display_path(path)))),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    for path in paths {
        if is_stdin(path) {
            match read_bounded(std::io::stdin().lock(), max_file_bytes, 0) {
                Ok(read) => sources.push(read.into_source(stdin_name.to_string())),
                Err(e) => errors.push(format!("cannot read standard input: {e}")),
            }
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                let ignored = if excludes.gitignore {
                    // Absolute, not canonical: matched against the walked paths, made the same way.
                    let start = std::path::absolute(path).unwrap_or_else(|_| root.clone());
                    GitIgnores::above(&start, &mut errors)
                } else {
                    GitIgnores::off()
                };
                collect_files(path, &root, 0, excludes, &ignored, &mut files, &mut errors);
                files.sort();
                for file in files {
                    read_file(&file, max_file_bytes, &mut sources, &mut errors);
                }
            }
            Ok(_) => read_file(path, max_file_bytes, &mut sources, &mut errors),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    read_companions(&mut sources, stdin_name, max_file_bytes, &mut errors);
    (sources, errors)
}

/// Reads the files the compose files among `sources` name (their services' `env_file`s and
/// the project's `.env`), from beside them, as companions: compose reads them when it runs the
/// file. A file that does not exist is left for the linter to report when compose requires it
/// (the compose source says its companions were looked for); standard input has no directory
/// to look in.
fn read_companions(
    sources: &mut Vec<Source>,
    stdin_name: &str,
    max_file_bytes: u64,
    errors: &mut Vec<String>,
) {
    let limits = dflint_core::limits::Limits {
        max_file_bytes,
        ..Default::default()
    };
    let mut companions = Vec::new();
    for index in 0..sources.len() {
        let source = &sources[index];
        if source.name() == stdin_name || source.unread_size().is_some() {
            continue;
        }
        let named = dflint_core::dragonfly::compose::companions(source, &limits);
        if named.is_empty() {
            continue;
        }
        for (name, _required) in named {
            let known = sources
                .iter()
                .chain(&companions)
                .any(|s: &Source| s.name() == name && s.is_companion());
            if known {
                continue;
            }
            match read_path(Path::new(&name), max_file_bytes) {
                Ok(Bounded::Read(bytes)) => {
                    companions.push(Source::from_vec(name, bytes).as_companion())
                }
                Ok(Bounded::TooLarge(_)) => errors.push(format!(
                    "{name}: skipped: larger than the {max_file_bytes} bytes a file may have (raise `--max-file-bytes`)"
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => errors.push(format!("{name}: {e}")),
            }
        }
        let source = std::mem::replace(&mut sources[index], Source::new("", ""));
        sources[index] = source.companions_read();
    }
    sources.extend(companions);
}

fn read_file(
    path: &Path,
    max_file_bytes: u64,
    sources: &mut Vec<Source>,
    errors: &mut Vec<String>,
) {
    match read_path(path, max_file_bytes) {
        Ok(read) => sources.push(read.into_source(display_path(path))),
        Err(e) => errors.push(format!("{}: {e}", path.display())),
    }
}

/// An input read within the file-size limit, or left unread.
pub enum Bounded {
    Read(Vec<u8>),
    TooLarge(UnreadSize),
}

impl Bounded {
    fn into_source(self, name: String) -> Source {
        match self {
            Bounded::Read(bytes) => Source::from_vec(name, bytes),
            Bounded::TooLarge(size) => Source::unread(name, size),
        }
    }
}

/// Reads the schema files of `--crd`: files, and the manifests (`*.yaml`, `*.yml`, `*.json`)
/// under directories. The first path that cannot be read is the error.
pub fn read_schema_files(paths: &[PathBuf], max_file_bytes: u64) -> Result<Vec<Source>, String> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            schema_files_under(path, 0, &mut found)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if found.is_empty() {
                return Err(format!(
                    "{}: the directory holds no *.yaml, *.yml or *.json file",
                    path.display()
                ));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
        .iter()
        .map(|file| {
            read_path(file, max_file_bytes)
                .map(|read| read.into_source(display_path(file)).as_schema())
                .map_err(|e| format!("{}: {e}", file.display()))
        })
        .collect()
}

fn schema_files_under(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if depth > MAX_DIRECTORY_DEPTH {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        // file_type() does not follow symlinks (as in `collect_files`): a link back to a
        // parent cannot make the walk loop.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            schema_files_under(&path, depth + 1, found)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| LINTED_EXTENSIONS.contains(&e))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads a file unless its size says it is larger than `max` bytes.
pub fn read_path(path: &Path, max: u64) -> std::io::Result<Bounded> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max {
        return Ok(Bounded::TooLarge(UnreadSize::Exactly(size)));
    }
    // The size can be wrong (a file still growing, a pseudo-file that says 0): the read
    // stops past the limit all the same. Right, it sizes the buffer once: a buffer grown by
    // doubling holds up to twice the file (8 MB for the 5 MB benchmark file).
    read_bounded(file, max, size)
}

/// Reads at most `max + 1` bytes: one byte more than the limit is enough to know the input
/// is over it, without holding the rest of it in memory.
fn read_bounded(input: impl Read, max: u64, size_hint: u64) -> std::io::Result<Bounded> {
    let mut bytes = Vec::with_capacity(usize::try_from(size_hint).unwrap_or(0));
    input.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        Ok(Bounded::TooLarge(UnreadSize::OverLimit))
    } else {
        Ok(Bounded::Read(bytes))
    }
}

fn display_path(path: &Path) -> String {
    let shown = path.to_string_lossy();
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

/// The `.gitignore` files that apply in a directory, outermost first.
#[derive(Clone)]
struct GitIgnores {
    enabled: bool,
    /// Shared: every directory below holds the same ones plus its own.
    matchers: Vec<std::rc::Rc<ignore::gitignore::Gitignore>>,
}

impl GitIgnores {
    fn off() -> Self {
        GitIgnores {
            enabled: false,
            matchers: Vec::new(),
        }
    }

    /// Those of the directories above `start` up to its repository's top (the nearest with a
    /// `.git`); outside a repository, none above it.
    fn above(start: &Path, errors: &mut Vec<String>) -> Self {
        let mut ignores = GitIgnores {
            enabled: true,
            matchers: Vec::new(),
        };
        let ancestors: Vec<&Path> = start.ancestors().skip(1).collect();
        if let Some(top) = ancestors.iter().position(|dir| dir.join(".git").exists()) {
            for dir in ancestors[..=top].iter().rev() {
                ignores.add(dir, errors);
            }
        }
        ignores
    }

    /// Adds the `.gitignore` of `dir`, if it has one.
    fn add(&mut self, dir: &Path, errors: &mut Vec<String>) {
        let file = dir.join(".gitignore");
        if !file.is_file() {
            return;
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
        if let Some(error) = builder.add(&file) {
            // A pattern git takes literally but the matcher cannot read (`a{b`): the other
            // lines still apply. Said (the error names the file and line), but no reason to
            // fail the run.
            eprintln!("dflint: warning: {error}; that pattern is not applied");
        }
        match builder.build() {
            Ok(matcher) => self.matchers.push(std::rc::Rc::new(matcher)),
            Err(error) => errors.push(format!("{}: {error}", file.display())),
        }
    }

    /// Whether git ignores `path`: the innermost file that has a say decides (a `!pattern`
    /// there re-includes what an outer one ignores).
    fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        for matcher in self.matchers.iter().rev() {
            match matcher.matched(&absolute, is_dir) {
                ignore::Match::Ignore(_) => return true,
                ignore::Match::Whitelist(_) => return false,
                ignore::Match::None => {}
            }
        }
        false
    }
}

fn collect_files(
    dir: &Path,
    root: &Path,
    depth: usize,
    excludes: &Excludes,
    inherited: &GitIgnores,
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
    let mut ignored = inherited.clone();
    if ignored.enabled {
        if let Ok(absolute) = std::path::absolute(dir) {
            ignored.add(&absolute, errors);
        }
    }
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // file_type() does not follow symlinks, so symlinked directories cannot loop.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if hidden
            || !(kind.is_dir() || is_linted(&path))
            || excludes.excludes(&path)
            || ignored.ignores(&path, kind.is_dir())
        {
            continue;
        }
        if kind.is_dir() {
            collect_files(&path, root, depth + 1, excludes, &ignored, files, errors);
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
        || dflint_core::source::is_flag_file_name(&path.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], max: u64) -> Result<Vec<u8>, UnreadSize> {
        match read_bounded(input, max, 0).unwrap() {
            Bounded::Read(bytes) => Ok(bytes),
            Bounded::TooLarge(size) => Err(size),
        }
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        assert_eq!(read(b"12345", 5), Ok(b"12345".to_vec()));
        assert_eq!(read(b"", 5), Ok(Vec::new()));
        assert_eq!(read(b"123456", 5), Err(UnreadSize::OverLimit));
        // An endless input: only limit + 1 bytes are taken from it.
        let endless = std::io::repeat(b'x');
        match read_bounded(endless, 1 << 20, 0).unwrap() {
            Bounded::TooLarge(size) => assert_eq!(size, UnreadSize::OverLimit),
            Bounded::Read(_) => panic!("an endless input cannot fit"),
        }
    }

    #[test]
    fn a_file_over_the_limit_is_left_unread_with_its_size() {
        let path = std::env::temp_dir().join(format!("dflint-inputs-{}.yaml", std::process::id()));
        std::fs::write(&path, "a: 1\n").unwrap();
        assert!(matches!(read_path(&path, 5).unwrap(), Bounded::Read(bytes) if bytes == b"a: 1\n"));
        assert!(matches!(
            read_path(&path, 4).unwrap(),
            Bounded::TooLarge(UnreadSize::Exactly(5))
        ));
        let _ = std::fs::remove_file(path);
    }
}
