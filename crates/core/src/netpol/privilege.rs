//! What a client gets from a Dragonfly port before it sends a password: the question the
//! reach rules ask of every peer a policy lets through.
//!
//! Dragonfly v1.40.1 decides it per listener when a connection opens
//! (`Service::CreateContext`, src/server/main_service.cc:1869-1890@v1.40.1):
//! - the admin (privileged) port skips every ACL check (`skip_acl_validation`,
//!   src/server/conn_context.cc:90@v1.40.1) and asks for a password only when
//!   `--admin_nopass` is off *and* `requirepass` is set
//!   (main_service.cc:1877-1878@v1.40.1); dragonfly-operator always passes `--admin_nopass`
//!   (internal/resources/const.go:131@v1.6.1), and `spec.args` comes after it
//!   (internal/resources/resources.go:297-298@v1.6.1), so only `spec.args` can turn it off;
//! - a memcached connection is logged in as `default` at once, whatever `default`'s
//!   password or `off` say (main_service.cc:1881-1883@v1.40.1);
//! - a RESP connection on the data port needs no AUTH when `default` accepts the empty
//!   password (`AuthUser("default", "")`, main_service.cc:1885@v1.40.1).
//!
//! A server run without the operator (a Pod or workload running the image) has Dragonfly's
//! own defaults: `--admin_nopass` is off (main_service.cc:99@v1.40.1), so its admin port, when
//! there is one, asks for the `requirepass` password when one is set; and the data port also
//! answers HTTP (`--primary_port_http_enabled`, src/facade/dragonfly_connection.cc:58@v1.40.1),
//! whose console asks for a password only when `requirepass` is set: an ACL file's `default`
//! password does not protect it (`Service::ConfigureHttpHandlers`,
//! main_service.cc:2956-2968@v1.40.1).
//!
//! With a client CA, every TLS listener turns away peers without a certificate
//! (`SSL_VERIFY_FAIL_IF_NO_PEER_CERT`, src/facade/tls_helpers.cc:113-122@v1.40.1); the
//! operator keeps TLS off the admin port (`--no_tls_on_admin_port`,
//! internal/resources/resources.go:439@v1.6.1).

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::instance::Standalone;
use super::{Instance, PortKind};
use crate::acl::commands::{self, Dialect};
use crate::acl::eval::EffectiveUser;
use crate::acl::found::{acl_of_cr, CrAcl, FoundAcl};
use crate::dragonfly::facts::CrFacts;

/// The commands Dragonfly turns memcache verbs into (`set`/`add`/`replace`/`cas` → SET,
/// `get`/`gets` → MGET, `gat` → GAT, `delete` → DEL, `incr`/`decr`, `append`/`prepend`,
/// `flush_all` → FLUSHDB): the only commands a memcache connection can reach.
pub const MEMCACHE_COMMANDS: &[&str] = &[
    "set", "mget", "gat", "del", "incr", "decr", "append", "prepend", "flushdb",
];

/// Commands that give nothing by themselves: logging in, and talking about the connection.
/// A `default` user left with only these gives an unauthenticated client nothing.
const HARMLESS: &[&str] = &["auth", "hello", "ping", "quit", "reset", "echo"];

/// What an unauthenticated client gets on one port of one instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Nothing runs before the client authenticates (or shows a certificate); why.
    Nothing(Cow<'static, str>),
    /// Every command, with no ACL check (the admin port without a password).
    Superuser,
    /// The HTTP console on the data port, which asks for no password because `requirepass`
    /// is empty, although RESP clients need one (or may need one: the ACL is not at hand).
    HttpConsole,
    /// The ACL `default` user's permissions (on the memcached port, those of its commands a
    /// memcache request can become), in words.
    DefaultUser(String),
    /// dflint cannot tell from the input; why.
    Unknown(Cow<'static, str>),
}

impl Grant {
    /// The client gets more than nothing without a password.
    pub fn is_privileged(&self) -> bool {
        matches!(
            self,
            Grant::Superuser | Grant::DefaultUser(_) | Grant::HttpConsole
        )
    }

    /// `superuser`, `default-user`, `http-console`, `nothing` or `unknown` (the reach
    /// report's JSON).
    pub fn label(&self) -> &'static str {
        match self {
            Grant::Nothing(_) => "nothing",
            Grant::Superuser => "superuser",
            Grant::HttpConsole => "http-console",
            Grant::DefaultUser(_) => "default-user",
            Grant::Unknown(_) => "unknown",
        }
    }

    /// What the client gets, as the end of a sentence ("gets …").
    pub fn describe(&self) -> String {
        match self {
            Grant::Nothing(why) => format!("nothing ({why})"),
            Grant::Superuser => "superuser rights: every command, with no ACL check".to_string(),
            Grant::HttpConsole => "the HTTP console, which asks for no password because `requirepass` is empty (its `/flagz` changes any flag at runtime)".to_string(),
            Grant::DefaultUser(what) => format!("the ACL `default` user's {what}"),
            Grant::Unknown(why) => format!("unknown ({why})"),
        }
    }
}

/// The settings the grants of one run are judged with.
pub struct Access<'a, 'd> {
    pub crs: &'a [CrFacts],
    pub acls: &'a [FoundAcl<'d>],
    /// The ACL dialect of the settings, for the built-in `default` user.
    pub dialect: Dialect,
}

impl Access<'_, '_> {
    /// What a client that sends no password gets on `kind` of `instance`.
    pub fn without_password(&self, instance: &Instance<'_>, kind: PortKind) -> Grant {
        if let Some(standalone) = &instance.standalone {
            return self.standalone(standalone, kind);
        }
        let Some((index, cr)) = instance.cr.and_then(|i| Some((i, self.crs.get(i)?))) else {
            // Inferred from a policy's labels: the operator's conventions, so its admin port.
            return match kind {
                PortKind::Admin => Grant::Superuser,
                _ => Grant::Unknown(
                    "no Dragonfly CR in the input says whether a password is needed".into(),
                ),
            };
        };
        match kind {
            PortKind::Admin => admin(cr),
            PortKind::Data if cr.client_certs => Grant::Nothing(
                "every client must show a certificate signed by the client CA".into(),
            ),
            PortKind::Memcached if cr.client_certs => Grant::Nothing(
                "every client must show a certificate signed by the client CA".into(),
            ),
            PortKind::Data => self.data(cr, index),
            PortKind::Memcached => self.memcached(cr, index),
        }
    }

    /// The `default` user the CR's data and memcached ports run with.
    fn default_user<'u>(&'u self, cr: &CrFacts, index: usize) -> DefaultUser<'u> {
        match acl_of_cr(self.acls, cr, index) {
            CrAcl::None => DefaultUser::Builtin(self.dialect, "no ACL"),
            CrAcl::Unknown => DefaultUser::Unknown,
            // A rejected file leaves the server with the built-in `default`.
            CrAcl::Found(acl) if acl.file.rejected() => {
                DefaultUser::Builtin(acl.file.dialect, "the ACL is rejected")
            }
            CrAcl::Found(acl) => match acl.users.iter().find(|u| u.name == "default") {
                Some(user) if !user.implicit => DefaultUser::Listed(user, acl.file.dialect),
                _ => DefaultUser::Builtin(acl.file.dialect, "no `user default` line in the ACL"),
            },
        }
    }

    fn data(&self, cr: &CrFacts, index: usize) -> Grant {
        match self.default_user(cr, index) {
            DefaultUser::Unknown => Grant::Unknown(unknown_acl(cr)),
            // `requirepass` gives the built-in `default` its password
            // (src/server/acl/user_registry.cc:158-167@v1.40.1).
            DefaultUser::Builtin(..) if cr.password => {
                Grant::Nothing("`default` needs the `requirepass` password".into())
            }
            DefaultUser::Builtin(dialect, why) => {
                let user = EffectiveUser::builtin_default(dialect);
                Grant::DefaultUser(format!(
                    "permissions: {} (no password, and {why}: the built-in `default`)",
                    summarise(&user, dialect, None)
                ))
            }
            DefaultUser::Listed(user, _) if !user.enabled => {
                Grant::Nothing("`default` is `off`".into())
            }
            DefaultUser::Listed(user, _) if !accepts_empty_password(user) => {
                Grant::Nothing("`default` has a password".into())
            }
            DefaultUser::Listed(user, dialect) => {
                if gives_nothing(user, dialect, None) {
                    return Grant::Nothing("`default` may run no command but logging in".into());
                }
                Grant::DefaultUser(format!(
                    "permissions: {} (`default` needs no password)",
                    summarise(user, dialect, None)
                ))
            }
        }
    }

    fn memcached(&self, cr: &CrFacts, index: usize) -> Grant {
        let builtin;
        let (user, dialect) = match self.default_user(cr, index) {
            DefaultUser::Unknown => return Grant::Unknown(unknown_acl(cr)),
            DefaultUser::Builtin(dialect, _) => {
                builtin = EffectiveUser::builtin_default(dialect);
                (&builtin, dialect)
            }
            DefaultUser::Listed(user, dialect) => (user, dialect),
        };
        if gives_nothing(user, dialect, Some(MEMCACHE_COMMANDS)) {
            return Grant::Nothing(
                "`default` may run none of the commands memcache requests become".into(),
            );
        }
        Grant::DefaultUser(format!(
            "memcache commands: {}",
            summarise(user, dialect, Some(MEMCACHE_COMMANDS))
        ))
    }
}

impl Access<'_, '_> {
    /// A server run without the operator: the built-in `default` user unless `--aclfile`
    /// names a file (which a workload mounts from somewhere dflint does not follow).
    fn standalone(&self, server: &Standalone, kind: PortKind) -> Grant {
        const CERTIFICATE: &str = "every client must show a certificate signed by the client CA";
        const ACL_FILE: &str = "the ACL file `--aclfile` names is not in the input";
        match kind {
            PortKind::Admin if server.client_certs && server.admin_tls => {
                Grant::Nothing(CERTIFICATE.into())
            }
            PortKind::Admin if server.admin_nopass || !server.password => Grant::Superuser,
            PortKind::Admin => Grant::Nothing(
                "without `--admin_nopass` the admin port asks for the `requirepass` password"
                    .into(),
            ),
            PortKind::Data | PortKind::Memcached if server.client_certs => {
                Grant::Nothing(CERTIFICATE.into())
            }
            PortKind::Memcached if server.acl_file => Grant::Unknown(ACL_FILE.into()),
            PortKind::Memcached => {
                let user = EffectiveUser::builtin_default(self.dialect);
                Grant::DefaultUser(format!(
                    "memcache commands: {}",
                    summarise(&user, self.dialect, Some(MEMCACHE_COMMANDS))
                ))
            }
            PortKind::Data => {
                let resp = if server.acl_file {
                    Grant::Unknown(ACL_FILE.into())
                } else if server.password {
                    Grant::Nothing("`default` needs the `requirepass` password".into())
                } else {
                    let user = EffectiveUser::builtin_default(self.dialect);
                    Grant::DefaultUser(format!(
                        "permissions: {} (no password, and no ACL: the built-in `default`)",
                        summarise(&user, self.dialect, None)
                    ))
                };
                // The console shares the port and only `requirepass` protects it.
                match resp {
                    _ if server.password || !server.http_console => resp,
                    Grant::DefaultUser(what) => Grant::DefaultUser(format!(
                        "{what}; the HTTP console on the same port asks for no password either"
                    )),
                    _ => Grant::HttpConsole,
                }
            }
        }
    }
}

enum DefaultUser<'u> {
    /// `on nopass ~* &* +@all`, with `requirepass` as its password when set; and why.
    Builtin(Dialect, &'static str),
    /// The ACL's own `user default` line.
    Listed(&'u EffectiveUser, Dialect),
    /// The ACL is not in the input.
    Unknown,
}

fn admin(cr: &CrFacts) -> Grant {
    let nopass_off = matches!(cr.arg("admin_nopass"), Some(Some(value)) if is_false(value));
    if nopass_off && cr.password {
        Grant::Nothing(
            "`--admin_nopass` is turned off, so the admin port asks for the `requirepass` password"
                .into(),
        )
    } else {
        Grant::Superuser
    }
}

fn is_false(value: &str) -> bool {
    crate::flags::FlagType::Bool.parse(value) == Ok(crate::flags::FlagValue::Bool(false))
}

fn unknown_acl(cr: &CrFacts) -> Cow<'static, str> {
    if cr.has_acl_secret {
        "the ACL `aclFromSecret` names is not in the input".into()
    } else {
        "the ACL file `--aclfile` names is not in the input".into()
    }
}

/// `nopass`, or an empty password (`>` with nothing after it): the server logs every
/// connection in as `default` either way.
fn accepts_empty_password(user: &EffectiveUser) -> bool {
    let empty: [u8; 32] = Sha256::digest(b"").into();
    user.nopass.is_some() || user.passwords.iter().any(|p| p.fingerprint == empty)
}

/// The user may run no command of `only` (every command when `None`) beyond [`HARMLESS`].
fn gives_nothing(user: &EffectiveUser, dialect: Dialect, only: Option<&[&str]>) -> bool {
    allowed(user, dialect, only)
        .iter()
        .all(|name| HARMLESS.contains(name))
}

/// The commands of `only` (every command when `None`) the user may run, lower case.
fn allowed(user: &EffectiveUser, dialect: Dialect, only: Option<&[&str]>) -> Vec<&'static str> {
    let table = commands::all(dialect);
    match only {
        Some(names) => names
            .iter()
            .filter_map(|n| commands::lookup(dialect, n))
            .filter(|c| user.allows_command(dialect, c))
            .map(|c| c.name)
            .collect(),
        None => table
            .iter()
            .enumerate()
            .filter(|(i, _)| user.permission_sets().any(|p| p.allows(*i)))
            .map(|(_, c)| c.name)
            .collect(),
    }
}

/// What the user may run, in words: "every command on every key", "@read, @string and
/// 3 more commands on keys ~app:*", "SET, MGET on every key".
fn summarise(user: &EffectiveUser, dialect: Dialect, only: Option<&[&str]>) -> String {
    let names = allowed(user, dialect, only);
    let commands = match only {
        Some(_) => names
            .iter()
            .map(|n| n.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(", "),
        None if names.len() == commands::all(dialect).len() => "every command".to_string(),
        None => {
            let table = commands::all(dialect);
            let allows = |i: usize| user.permission_sets().any(|p| p.allows(i));
            // Whole categories first (the way ACLs are written), then the other commands.
            let mut covered = vec![false; table.len()];
            let mut categories = Vec::new();
            for category in commands::categories(dialect) {
                if matches!(category.name, "all") {
                    continue;
                }
                let members = commands::category_member_indexes(dialect, category.bit);
                if members.is_empty() || !members.iter().all(|&i| allows(usize::from(i))) {
                    continue;
                }
                categories.push(format!("@{}", category.name));
                for &i in members {
                    covered[usize::from(i)] = true;
                }
            }
            // Logging in and PING are not worth counting.
            let others = (0..table.len())
                .filter(|&i| allows(i) && !covered[i] && !HARMLESS.contains(&table[i].name))
                .count();
            let shown: Vec<String> = categories.iter().take(6).cloned().collect();
            let mut text = shown.join(", ");
            if categories.len() > shown.len() {
                text.push_str(&format!(" and {} more categories", categories.len() - 6));
            }
            match (text.is_empty(), others) {
                (true, n) => format!("{n} commands"),
                (false, 0) => text,
                (false, 1) => format!("{text} and 1 more command"),
                (false, n) => format!("{text} and {n} more commands"),
            }
        }
    };
    format!("{commands} {}", keys(user))
}

/// The keys the user's own permissions reach, in words.
fn keys(user: &EffectiveUser) -> String {
    let root = &user.root;
    if root.all_keys.is_some() {
        return "on every key".to_string();
    }
    let patterns: Vec<String> = root
        .keys
        .iter()
        .map(|k| format!("~{}", String::from_utf8_lossy(&k.pattern)))
        .collect();
    match patterns.len() {
        0 => "on no key".to_string(),
        1..=3 => format!("on keys {}", patterns.join(" ")),
        n => format!(
            "on keys {} and {} more patterns",
            patterns[..3].join(" "),
            n - 3
        ),
    }
}
