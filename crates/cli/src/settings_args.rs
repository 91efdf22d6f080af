//! The settings on the command line: which configuration file to read, and the flags that
//! override what it says. The one place where flags become the shared settings model.
//!
//! `--select`, `--exclude`, `--acl-admin` and `--metrics-scraper` replace the file's lists;
//! `--extend-select`, `--ignore` and `--extend-exclude` add to them, as ruff's flags do.

use crate::config_file::{self, ConfigFile};
use crate::limit_flags::LimitFlags;
use dflint_core::acl::Dialect;
use dflint_core::config::{FailOn, LintConfig, ScraperSelector};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `--acl-dialect`/`--dialect`: the servers whose ACL rules dflint knows.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DialectArg {
    Dragonfly,
    Redis,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Dragonfly => Dialect::Dragonfly,
            DialectArg::Redis => Dialect::Redis,
        }
    }
}

/// Where the settings come from.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConfigArgs {
    /// Read the settings from this file instead of the nearest `dflint.toml` (or
    /// `.dflint.toml`) at or above the linted paths.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no configuration file: defaults and flags only.
    #[arg(long)]
    pub no_config: bool,
}

/// The lint settings a flag can override.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub source: ConfigArgs,
    /// Only run rules whose code starts with, or whose name is, one of these
    /// (comma-separated; replaces the file's `select`).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Run these rules too (comma-separated; adds to the file's `extend-select`).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Never run these rules (comma-separated; adds to the file's `ignore`).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit with 1 when a finding at or above this severity exists [default: error].
    #[arg(long, value_parser = crate::settings_args::fail_on_parser())]
    pub fail_on: Option<FailOn>,
    /// Paths not to read when walking directories (globs, comma-separated; replaces the
    /// file's `exclude`).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Paths not to read, on top of `exclude` (globs, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,
    /// Read what `.gitignore` files ignore too, when walking directories.
    #[arg(long)]
    pub no_respect_gitignore: bool,
    /// Which server's ACL rules apply [default: dragonfly].
    #[arg(long, value_enum)]
    pub acl_dialect: Option<DialectArg>,
    /// ACL users allowed dangerous/admin permissions (comma-separated). Without it: `default`,
    /// plus users whose name says admin (`admin`, `root`, `*_admin`…) and who hold every
    /// command on every key; given, the list is taken as complete.
    #[arg(long, value_delimiter = ',')]
    pub acl_admin: Vec<String>,
    /// Judge every command line's flags against this Dragonfly release (`v1.39.0` or
    /// `1.39.0`, v1.20.0 to v1.40.1) instead of the release each image tag names.
    #[arg(long, value_name = "VERSION")]
    pub dragonfly_version: Option<String>,
    /// The value of a variable that manifests substitute (Flux `${VAR}`) or compose files
    /// interpolate; repeatable. Added to the `vars` of the configuration file.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// An image that runs the Dragonfly server besides the official ones (a mirror):
    /// matched against the image's name without tag, or the whole reference, `*` for any
    /// characters; repeatable. Added to the `dragonfly-images` of the configuration file.
    #[arg(long = "dragonfly-image", value_name = "PATTERN")]
    pub dragonfly_images: Vec<String>,
    #[command(flatten)]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub limits: LimitFlags,
}

/// Parses `--var NAME=VALUE`.
fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

/// Parses `--fail-on`, listing the core's spellings in `--help`.
pub fn fail_on_parser() -> impl clap::builder::TypedValueParser<Value = FailOn> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(FailOn::NAMES)
        .map(|name| name.parse::<FailOn>().expect("one of the names"))
}

/// The network model's settings.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct NetworkArgs {
    /// The namespace dragonfly-operator runs in (its pods may reach the admin port).
    #[arg(long, value_name = "NAMESPACE")]
    pub operator_namespace: Option<String>,
    /// A metrics scraper allowed on the admin port: `[NAMESPACE/]KEY=VALUE[,KEY=VALUE…]`
    /// (repeatable; default: well-known scrapers such as Prometheus by their labels).
    #[arg(long = "metrics-scraper", value_name = "SELECTOR", value_parser = parse_scraper)]
    pub metrics_scrapers: Vec<ScraperSelector>,
}

/// The settings of a run, and where each one came from.
pub struct Resolved {
    pub config: LintConfig,
    pub file: Option<ConfigFile>,
    /// Settings the command line set, by dotted name, with the flag that set them.
    pub from_flags: BTreeMap<String, &'static str>,
}

impl Resolved {
    /// Where a setting (dotted kebab-case name) comes from: a flag, the file's line, or the
    /// default.
    pub fn origin(&self, name: &str) -> String {
        if let Some(flag) = self.from_flags.get(name) {
            return flag.to_string();
        }
        if let Some(file) = &self.file {
            if let Some(line) = file.written.get(name) {
                return format!("{}:{line}", file.path.display());
            }
        }
        "default".to_string()
    }
}

impl ConfigArgs {
    /// Reads the configuration file these arguments choose for `paths`: the one given, or
    /// the nearest one above them. Linted paths under two different files are an error: one
    /// run has one set of settings.
    pub fn read(&self, paths: &[PathBuf]) -> Result<Option<ConfigFile>, String> {
        if self.no_config {
            return Ok(None);
        }
        if let Some(path) = &self.config {
            return config_file::load(path).map(Some);
        }
        let mut found: Option<PathBuf> = None;
        let starts: Vec<&Path> = if paths.is_empty() {
            vec![Path::new(".")]
        } else {
            paths
                .iter()
                .map(|p| {
                    if p.as_os_str() == "-" {
                        Path::new(".")
                    } else {
                        p.as_path()
                    }
                })
                .collect()
        };
        for start in starts {
            let Some(config) = config_file::discover(start) else {
                continue;
            };
            match &found {
                Some(other) if *other != config => {
                    return Err(format!(
                        "the linted paths are under two configuration files, {} and {}; lint them in separate runs, or choose one with --config",
                        other.display(),
                        config.display()
                    ))
                }
                _ => found = Some(config),
            }
        }
        found.map(|path| config_file::load(&path)).transpose()
    }
}

impl SettingsArgs {
    /// The file's settings (or the defaults) with the flags applied on top.
    pub fn resolve(&self, paths: &[PathBuf]) -> Result<Resolved, String> {
        let file = self.source.read(paths)?;
        let mut config = file
            .as_ref()
            .map_or_else(LintConfig::default, |f| f.config.clone());
        let mut from_flags = BTreeMap::new();
        let mut set = |name: &str, flag: &'static str| {
            from_flags.insert(name.to_string(), flag);
        };
        if !self.select.is_empty() {
            config.select = self.select.clone();
            set("select", "--select");
        }
        if !self.extend_select.is_empty() {
            config
                .extend_select
                .extend(self.extend_select.iter().cloned());
            set("extend-select", "--extend-select");
        }
        if !self.ignore.is_empty() {
            config.ignore.extend(self.ignore.iter().cloned());
            set("ignore", "--ignore");
        }
        if let Some(fail_on) = self.fail_on {
            config.fail_on = fail_on;
            set("fail-on", "--fail-on");
        }
        if !self.exclude.is_empty() {
            config.exclude = self.exclude.clone();
            set("exclude", "--exclude");
        }
        if !self.extend_exclude.is_empty() {
            config
                .extend_exclude
                .extend(self.extend_exclude.iter().cloned());
            set("extend-exclude", "--extend-exclude");
        }
        if self.no_respect_gitignore {
            config.respect_gitignore = false;
            set("respect-gitignore", "--no-respect-gitignore");
        }
        if let Some(dialect) = self.acl_dialect {
            config.acl.dialect = dialect.into();
            set("acl.dialect", "--acl-dialect");
        }
        if !self.acl_admin.is_empty() {
            config.acl.admin_users = Some(self.acl_admin.clone());
            set("acl.admin-users", "--acl-admin");
        }
        if let Some(version) = &self.dragonfly_version {
            config.dragonfly_version = Some(version.clone());
            set("dragonfly-version", "--dragonfly-version");
        }
        for (name, value) in &self.vars {
            config.vars.insert(name.clone(), value.clone());
            set(&format!("vars.{name}"), "--var");
        }
        if !self.dragonfly_images.is_empty() {
            config
                .dragonfly_images
                .extend(self.dragonfly_images.iter().cloned());
            set("dragonfly-images", "--dragonfly-image");
        }
        for (name, flag) in self.network.apply(&mut config) {
            set(name, flag);
        }
        for (name, flag) in self.limits.apply(&mut config.limits) {
            set(&name, flag);
        }
        config.names_from = names_from(file.as_ref());
        config.validate().map_err(|invalid| {
            format!(
                "`{}`: {}",
                invalid.dotted_path(dflint_core::config::Spelling::Kebab),
                invalid.message
            )
        })?;
        Ok(Resolved {
            config,
            file,
            from_flags,
        })
    }
}

impl NetworkArgs {
    /// Applies the flags given; returns the settings they set and the flags' names.
    pub fn apply(&self, config: &mut LintConfig) -> Vec<(&'static str, &'static str)> {
        let mut set = Vec::new();
        if let Some(namespace) = &self.operator_namespace {
            config.network.operator_namespace = Some(namespace.clone());
            set.push(("network.operator-namespace", "--operator-namespace"));
        }
        if !self.metrics_scrapers.is_empty() {
            config.network.metrics_scrapers = self.metrics_scrapers.clone();
            set.push(("network.metrics-scrapers", "--metrics-scraper"));
        }
        set
    }
}

/// The working directory seen from the configuration file's directory (`deploy`), or
/// nothing when it is that directory or outside it.
pub fn names_from(file: Option<&ConfigFile>) -> String {
    let Some(dir) = file
        .and_then(|f| f.path.parent())
        .and_then(|d| std::path::absolute(d).ok())
    else {
        return String::new();
    };
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            cwd.strip_prefix(&dir)
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// Reads `--metrics-scraper [NAMESPACE/]KEY=VALUE[,KEY=VALUE…]`.
fn parse_scraper(text: &str) -> Result<ScraperSelector, String> {
    let (namespace, labels) = match text.split_once('/') {
        Some((ns, labels)) if !ns.contains('=') => (Some(ns.to_string()), labels),
        _ => (None, text),
    };
    let labels = labels
        .split(',')
        .map(|pair| {
            pair.split_once('=')
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("`{pair}` is not KEY=VALUE"))
        })
        .collect::<Result<_, _>>()?;
    Ok(ScraperSelector {
        namespace,
        match_labels: labels,
    })
}
