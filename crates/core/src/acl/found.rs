//! Where ACL text comes from: standalone ACL files, Secrets (`stringData`, base64 `data`),
//! ConfigMaps (itself a mistake) — recognised by the key a Dragonfly CR's `aclFromSecret`
//! names, by key name (`*.acl`, `acl.conf`, `users.acl`), or by content (`user …` lines).

use super::eval::{evaluate, ApplyError, EffectiveUser};
use super::parse::{parse_file_with, AclFile, ServerLimits};
use super::text::AclText;
use super::Dialect;
use crate::document::Node;
use crate::dragonfly::facts::CrFacts;
use crate::resource::{Kind, Resource};
use crate::source::Source;

pub use crate::source::is_acl_file_name;

/// Whether a text looks like ACL rules: its first non-empty line starts with `user `.
fn looks_like_acl(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.len() > 5 && l[..5].eq_ignore_ascii_case("user "))
}

#[derive(Clone, Debug)]
pub enum Origin<'d> {
    File,
    Secret {
        resource: Resource<'d>,
        key: String,
        base64: bool,
    },
    ConfigMap {
        resource: Resource<'d>,
        key: String,
    },
}

/// One ACL text with its parse and evaluation.
#[derive(Clone, Debug)]
pub struct FoundAcl<'d> {
    pub origin: Origin<'d>,
    pub text: AclText,
    pub file: AclFile,
    pub users: Vec<EffectiveUser>,
    pub apply_errors: Vec<ApplyError>,
    /// The CRs whose `aclFromSecret` names this text.
    pub used_by: Vec<usize>,
    /// The JSON path of the value holding the text (Secrets, ConfigMaps).
    pub path: Option<crate::document::JsonPath>,
}

impl FoundAcl<'_> {
    /// Where a span of the ACL text is in the source.
    pub fn target(&self, span: crate::source::Span) -> crate::target::Target {
        crate::target::Target {
            source: self.text.source,
            span: self.text.source_span(span),
            path: self.path.clone(),
        }
    }

    /// The token a reference names; `None` for [`TokenRef::BUILTIN`](super::eval::TokenRef::BUILTIN).
    pub fn token(&self, token: super::eval::TokenRef) -> Option<&super::parse::Token> {
        self.file.token(token)
    }

    /// Where a token is (the start of the text for the built-in `default` user).
    pub fn token_target(&self, token: super::eval::TokenRef) -> crate::target::Target {
        let span = self
            .token(token)
            .map_or(crate::source::Span::empty(0), |t| t.span);
        self.target(span)
    }

    /// The token's text, with passwords masked.
    pub fn token_text(&self, token: super::eval::TokenRef) -> String {
        self.token(token)
            .map_or_else(|| "the built-in `default` user".to_string(), |t| t.shown())
    }

    /// Where a user is defined (its first line's name), or the start of the text for the
    /// server's built-in `default` user.
    pub fn user_target(&self, user: &EffectiveUser) -> crate::target::Target {
        match user.lines.first() {
            Some(&line) => {
                let line = &self.file.users[line as usize];
                self.target(line.tokens[line.name_token].span)
            }
            None => self.target(crate::source::Span::empty(0)),
        }
    }

    /// A short description of where the ACL lives, for messages.
    pub fn describe(&self) -> String {
        match &self.origin {
            Origin::File => "the ACL file".to_string(),
            Origin::Secret { resource, key, .. } => {
                format!("the ACL in {} key `{key}`", resource.display_name())
            }
            Origin::ConfigMap { resource, key } => {
                format!("the ACL in {} key `{key}`", resource.display_name())
            }
        }
    }
}

/// A Secret `data` value that should hold an ACL but does not decode.
#[derive(Clone, Debug)]
pub struct UndecodableAcl<'d> {
    pub resource: Resource<'d>,
    pub node: &'d Node,
    pub key: String,
    pub reason: String,
}

fn analyse<'d>(
    origin: Origin<'d>,
    text: AclText,
    dialect: Dialect,
    limits: ServerLimits,
) -> FoundAcl<'d> {
    let file = parse_file_with(&text.text, dialect, limits);
    let (users, apply_errors) = evaluate(&file);
    FoundAcl {
        origin,
        text,
        file,
        users,
        apply_errors,
        used_by: Vec::new(),
        path: None,
    }
}

/// The `--dbnum` and `--cluster_mode` a CR's server runs with (the last occurrence wins, as
/// Abseil parses flags). Only `--cluster_mode=yes` is cluster mode for `$<db>`
/// (`IsClusterEnabled`, src/server/cluster_support.h:61-63@v1.40.1); `emulated` is not.
fn limits_of(cr: &CrFacts) -> ServerLimits {
    let value = |name: &str| cr.arg(name).flatten();
    ServerLimits {
        dbnum: value("dbnum")
            .and_then(|v| v.trim().parse::<u32>().ok())
            .unwrap_or(ServerLimits::default().dbnum),
        cluster_mode: value("cluster_mode").is_some_and(|v| v.trim() == "yes"),
    }
}

/// The ACL a Dragonfly CR runs with.
pub enum CrAcl<'a, 'd> {
    /// No `aclFromSecret` and no `--aclfile`: the built-in `default` user (`nopass +@all`;
    /// `requirepass` only gives it a password).
    None,
    /// The ACL text is in the input.
    Found(&'a FoundAcl<'d>),
    /// The CR names an ACL that is not in the input (or cannot be read).
    Unknown,
}

/// The ACL that CR number `cr_index` runs with, among the ACLs found in the input.
pub fn acl_of_cr<'a, 'd>(acls: &'a [FoundAcl<'d>], cr: &CrFacts, cr_index: usize) -> CrAcl<'a, 'd> {
    if cr.has_acl_secret {
        return acls
            .iter()
            .find(|a| a.used_by.contains(&cr_index))
            .map_or(CrAcl::Unknown, CrAcl::Found);
    }
    // An ACL file mounted some other way: dflint cannot tell which text it is.
    match cr.setting("aclfile") {
        Some((Some(""), _)) => CrAcl::None,
        Some(_) => CrAcl::Unknown,
        None => CrAcl::None,
    }
}

pub fn collect<'d>(
    sources: &'d [Source],
    acl_sources: &[usize],
    resources: &[Resource<'d>],
    crs: &[CrFacts],
    dialect: Dialect,
) -> (Vec<FoundAcl<'d>>, Vec<UndecodableAcl<'d>>) {
    let mut found = Vec::new();
    let mut undecodable = Vec::new();
    for &index in acl_sources {
        found.push(analyse(
            Origin::File,
            AclText::from_file(index, sources[index].text()),
            dialect,
            ServerLimits::default(),
        ));
    }
    // (secret name, namespace, key) → CR indexes
    let references: Vec<(usize, &str, Option<&str>, &str)> = crs
        .iter()
        .enumerate()
        .filter_map(|(i, cr)| {
            let (name, key) = cr.acl_secret()?;
            Some((i, name, cr.namespace(), key))
        })
        .collect();
    for resource in resources {
        let (fields, is_secret): (&[&str], bool) = match resource.kind {
            Kind::Secret => (&["stringData", "data"], true),
            Kind::ConfigMap => (&["data"], false),
            _ => continue,
        };
        let source_text = sources[resource.doc.source].text();
        for field in fields {
            let Some(entries) = resource.root.get(field).and_then(Node::as_map) else {
                continue;
            };
            let base64 = is_secret && *field == "data";
            for entry in entries {
                let key = entry.key.key_text();
                let users: Vec<usize> = references
                    .iter()
                    .filter(|(_, name, ns, k)| {
                        is_secret
                            && Some(*name) == resource.name()
                            && *k == key
                            && (ns.is_none()
                                || resource.namespace().is_none()
                                || *ns == resource.namespace())
                    })
                    .map(|(i, ..)| *i)
                    .collect();
                let named = is_acl_file_name(&key) || !users.is_empty();
                let text = if base64 {
                    match AclText::from_base64(resource.doc.source, source_text, &entry.value) {
                        Ok(text) => text,
                        Err(reason) => {
                            if named {
                                undecodable.push(UndecodableAcl {
                                    resource: *resource,
                                    node: &entry.value,
                                    key,
                                    reason,
                                });
                            }
                            continue;
                        }
                    }
                } else {
                    match AclText::from_scalar(resource.doc.source, source_text, &entry.value) {
                        Some(text) => text,
                        None => continue,
                    }
                };
                if !named && !looks_like_acl(&text.text) {
                    continue;
                }
                let origin = if is_secret {
                    Origin::Secret {
                        resource: *resource,
                        key,
                        base64,
                    }
                } else {
                    Origin::ConfigMap {
                        resource: *resource,
                        key,
                    }
                };
                // The server that loads the text decides which `$<db>` tokens are valid.
                let limits = users
                    .first()
                    .map_or_else(ServerLimits::default, |&cr| limits_of(&crs[cr]));
                let mut acl = analyse(origin, text, dialect, limits);
                acl.used_by = users;
                acl.path = Some(resource.doc.path_of(&entry.value));
                found.push(acl);
            }
        }
    }
    (found, undecodable)
}
