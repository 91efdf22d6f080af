//! The settings of a lint run: one model for every front end. The configuration file
//! (`dflint.toml`, kebab-case keys), the command line (its flags override the file), the
//! admission policy (its settings are this model plus a few of its own, camelCase keys as
//! Kubernetes writes them) and the playground all deserialize into [`LintConfig`], and all
//! check it with the same `LintConfig::validate`.
//!
//! Every multi-word key is accepted in both spellings (`extend-select`, `extendSelect`), so
//! a setting copied from one front end's documentation works in the other.

use crate::acl::Dialect;
use crate::diagnostic::Severity;
pub use crate::limits::Limits;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct LintConfig {
    /// Only rules whose code starts with one of these, or whose name is one of these, run
    /// (empty: all rules).
    pub select: Vec<String>,
    /// Rules to run on top of `select`: lets a project add rules without restating the set.
    #[serde(alias = "extendSelect")]
    pub extend_select: Vec<String>,
    /// Rules that never run. Between a selecting and an ignoring pattern, the more specific
    /// one wins (`ignore = ["DF2"]` with `extend-select = ["DF201"]` runs DF201), as in ruff.
    pub ignore: Vec<String>,
    /// Severity overrides: a code, code prefix or rule name, and the severity its findings
    /// get. The most specific key wins.
    pub severity: BTreeMap<String, Severity>,
    /// Rules not reported for some files: a glob over the file's path (as the front end
    /// names it) and the codes, code prefixes or names to drop there.
    #[serde(alias = "perFileIgnores")]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// Paths never read when a directory is linted (globs). Replaces the default list.
    pub exclude: Vec<String>,
    /// Paths never read, on top of `exclude`.
    #[serde(alias = "extendExclude")]
    pub extend_exclude: Vec<String>,
    /// Whether a directory walk leaves out what `.gitignore` files ignore (those of the walked
    /// tree and of its repository above it), as git does.
    #[serde(alias = "respectGitignore")]
    pub respect_gitignore: bool,
    /// The least severity that fails the run: the command line's exit code, the admission
    /// policy's rejection.
    #[serde(alias = "failOn", alias = "rejectSeverity")]
    pub fail_on: FailOn,
    /// Whether the `dflint.io/ignore` annotation suppresses findings on its resource. An
    /// admission policy may turn it off, so that tenants cannot exempt their own objects.
    #[serde(alias = "allowIgnoreAnnotation")]
    pub allow_ignore_annotation: bool,
    /// The Dragonfly release every command line's flags are judged against (`v1.30.0` or
    /// `1.30.0`, one of the releases dflint has facts for: v1.20.0 to v1.40.1), instead of the
    /// release each image tag names (the operator's default image, v1.39.0, when a CR sets
    /// none). Not set: from each image.
    #[serde(alias = "dragonflyVersion", skip_serializing_if = "Option::is_none")]
    pub dragonfly_version: Option<String>,
    /// Values of the variables manifests substitute (Flux `${VAR}`, `${VAR:=default}`) and
    /// compose files interpolate (`${VAR}`, `${VAR:-default}`). A variable given here wins
    /// over a default written in the file; one given nowhere is unknown, and nothing is
    /// judged from it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
    /// Images that run the Dragonfly server besides the official repositories (a mirror
    /// that renames them): patterns matched against an image's name without tag or digest,
    /// registry host included, and against the whole reference, with `*` for any run of
    /// characters (`registry.corp.example/mirror/dragonfly*`). Pods and workloads whose
    /// container image matches are linted as Dragonfly.
    #[serde(alias = "dragonflyImages", skip_serializing_if = "Vec::is_empty")]
    pub dragonfly_images: Vec<String>,
    pub acl: AclSettings,
    pub network: NetworkSettings,
    /// How much of the input is read; see [`Limits`].
    pub limits: Limits,
    /// Diagnostics below this severity are dropped (set by front ends, not by files).
    #[serde(skip)]
    pub min_severity: Option<Severity>,
    /// Where the front end's file names start, seen from the configuration file's directory
    /// (`deploy` when `dflint check .` runs in `deploy/` under the file): the globs of
    /// `per-file-ignores` are written from that directory, the names from the working one.
    #[serde(skip)]
    pub names_from: String,
}

/// How ACL text is read and who may hold everything.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct AclSettings {
    /// Which server's ACL rules apply: `dragonfly` or `redis`.
    pub dialect: Dialect,
    /// Users allowed dangerous and admin permissions. Not set: `default`, plus the users
    /// whose name says admin (`admin`, `root`, `*_admin`…) and who hold every command on
    /// every key. Set: taken as the complete list.
    #[serde(alias = "adminUsers", skip_serializing_if = "Option::is_none")]
    pub admin_users: Option<Vec<String>>,
    /// Findings accepted for one ACL user (`[[acl.ignore]]`): ACL files cannot carry
    /// comments on Dragonfly, so the suppression lives here, with its reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<AclIgnore>,
}

/// One `[[acl.ignore]]` entry: a rule's findings on one user's lines, and why they are fine.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AclIgnore {
    pub user: String,
    /// A rule code or name.
    pub code: String,
    pub reason: String,
}

/// What the network model needs to know about the cluster around the manifests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct NetworkSettings {
    /// The namespace dragonfly-operator runs in, when known: its pods may reach the admin
    /// port.
    #[serde(alias = "operatorNamespace", skip_serializing_if = "Option::is_none")]
    pub operator_namespace: Option<String>,
    /// Pods allowed to reach the admin port for `/metrics` (empty: well-known scrapers such
    /// as Prometheus, by their labels).
    #[serde(alias = "metricsScrapers")]
    pub metrics_scrapers: Vec<ScraperSelector>,
}

/// A metrics scraper: pods with all these labels, in this namespace (any when `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScraperSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(alias = "matchLabels")]
    pub match_labels: BTreeMap<String, String>,
}

/// The least severity that fails a run, or `none`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    None,
}

impl FailOn {
    /// The spellings, for command-line parsers and messages.
    pub const NAMES: [&'static str; 4] = ["error", "warning", "info", "none"];

    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::None => None,
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "error" => Ok(FailOn::Error),
            "warning" => Ok(FailOn::Warning),
            "info" => Ok(FailOn::Info),
            "none" => Ok(FailOn::None),
            _ => Err(format!(
                "`{text}` is not one of {}",
                FailOn::NAMES.join(", ")
            )),
        }
    }
}

impl Default for AclSettings {
    fn default() -> Self {
        AclSettings {
            dialect: Dialect::Dragonfly,
            admin_users: None,
            ignore: Vec::new(),
        }
    }
}

impl AclSettings {
    /// The users allowed dangerous and admin permissions.
    pub fn admin_users(&self) -> &[String] {
        static DEFAULT: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        match &self.admin_users {
            Some(users) => users,
            None => DEFAULT.get_or_init(|| vec!["default".to_string()]),
        }
    }

    /// Whether users whose name says admin and who hold everything count as admins too:
    /// only while the list is left unset.
    pub fn infers_admins(&self) -> bool {
        self.admin_users.is_none()
    }
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            select: Vec::new(),
            extend_select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            per_file_ignores: BTreeMap::new(),
            exclude: Vec::new(),
            extend_exclude: Vec::new(),
            respect_gitignore: true,
            fail_on: FailOn::Error,
            allow_ignore_annotation: true,
            dragonfly_version: None,
            vars: BTreeMap::new(),
            dragonfly_images: Vec::new(),
            acl: AclSettings::default(),
            network: NetworkSettings::default(),
            limits: Limits::default(),
            min_severity: None,
            names_from: String::new(),
        }
    }
}

/// A setting that `LintConfig::validate` refuses: where it is (`select[2]`,
/// `network.metrics-scrapers[0].match-labels`) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSetting {
    /// Keys and list indexes from the top.
    pub path: Vec<SettingKey>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingKey {
    /// A field of the model, by its kebab-case name (`metrics-scrapers`).
    Field(&'static str),
    /// A key the user chose: a glob of `per-file-ignores`, a rule of `severity`.
    Entry(String),
    Index(usize),
}

/// How a front end spells the model's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// `dflint.toml`: `extend-select`.
    Kebab,
    /// The admission policy's settings: `extendSelect`.
    Camel,
}

impl InvalidSetting {
    pub fn new(path: &[SettingKey], message: impl Into<String>) -> Self {
        InvalidSetting {
            path: path.to_vec(),
            message: message.into(),
        }
    }

    /// `select[2]`, `network.metrics-scrapers[0]` (or `network.metricsScrapers[0]`).
    pub fn dotted_path(&self, spelling: Spelling) -> String {
        let mut text = String::new();
        for key in &self.path {
            let name = match key {
                SettingKey::Field(name) if spelling == Spelling::Camel => camel_case(name),
                SettingKey::Field(name) => name.to_string(),
                SettingKey::Entry(name) => name.clone(),
                SettingKey::Index(index) => {
                    text.push_str(&format!("[{index}]"));
                    continue;
                }
            };
            if !text.is_empty() {
                text.push('.');
            }
            text.push_str(&name);
        }
        text
    }
}

/// The sections of the settings (TOML tables of `dflint.toml`, objects of the policy's
/// settings); every other key is a top-level setting.
pub const SECTIONS: [&str; 3] = ["acl", "network", "limits"];

/// `metricsScrapers` → `metrics-scrapers`: the inverse of [`camel_case`].
pub fn kebab_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `metrics-scrapers` → `metricsScrapers`.
pub fn camel_case(kebab: &str) -> String {
    let mut out = String::with_capacity(kebab.len());
    let mut upper = false;
    for c in kebab.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
