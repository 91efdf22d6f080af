//! What the ACL rules share: who counts as a tenant, which commands are dangerous.

use crate::acl::commands::{Command, Dialect};
use crate::acl::eval::EffectiveUser;
use crate::bundle::Bundle;

/// A user that is not an admin: neither in the configured list (default: `default`) nor an
/// inferred admin ([`inferred_admin`]).
pub fn is_tenant(bundle: &Bundle<'_>, user: &EffectiveUser) -> bool {
    !bundle.is_acl_admin(&user.name) && !inferred_admin(bundle, user)
}

/// The keyspace a user works in: its Dragonfly `NAMESPACE:` (upper-cased by the server), or
/// "" for the default one. Keys, KEYS and SCAN see only the user's own namespace.
pub fn keyspace(user: &EffectiveUser) -> &str {
    user.namespace.as_deref().unwrap_or("")
}

/// Whether another enabled tenant works in the same keyspace as `user`.
pub fn shares_keyspace(bundle: &Bundle<'_>, users: &[EffectiveUser], user: &EffectiveUser) -> bool {
    users.iter().any(|other| {
        other.name != user.name
            && other.enabled
            && keyspace(other) == keyspace(user)
            && is_tenant(bundle, other)
    })
}

/// ", in namespace `X` (experimental, see DF219)" for a user in a namespace, else "".
pub fn namespace_note(user: &EffectiveUser) -> String {
    match keyspace(user) {
        "" => String::new(),
        ns => format!(" in namespace `{ns}` (namespaces are experimental in Dragonfly, see DF219)"),
    }
}

/// Command names for a message: each upper-cased in backticks, joined by `, `; with
/// `pipes_as_spaces`, a subcommand's `|` is shown as the space it is typed with. Written into
/// one string: these lists are built for every tenant reported.
pub fn command_list<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    pipes_as_spaces: bool,
) -> String {
    let mut out = String::with_capacity(names.clone().map(|n| n.len() + 4).sum());
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        let start = out.len();
        out.push_str(name);
        // Upper-cased in place: ASCII case changes keep every byte boundary.
        let added = &mut out[start..];
        added.make_ascii_uppercase();
        if pipes_as_spaces && added.contains('|') {
            let spaced = added.replace('|', " ");
            out.truncate(start);
            out.push_str(&spaced);
        }
        out.push('`');
    }
    out
}

/// The tokens that deny the named commands: `-name -name`, lower-cased.
pub fn denial_list<'a>(names: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut out = String::with_capacity(names.clone().map(|n| n.len() + 2).sum());
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push('-');
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// An admin by unambiguous intent: inference is on (no admin list was given explicitly), the
/// name says admin, and the user holds every command on every key. Real ACL files name their
/// admin accounts `admin`, `redis_admin`, `root`…; reporting them as tenants with dangerous
/// commands was most of the false findings on published files.
pub fn inferred_admin(bundle: &Bundle<'_>, user: &EffectiveUser) -> bool {
    bundle.config.acl.infers_admins()
        && !user.implicit
        && !bundle.is_acl_admin(&user.name)
        && name_says_admin(&user.name)
        && has_full_access(bundle.config.acl.dialect, user)
}

/// The table entries and indexes of the named commands the dialect has, in list order.
pub fn indexed_commands(
    dialect: Dialect,
    names: &'static [&'static str],
) -> Vec<(usize, &'static Command)> {
    commands_named(dialect, names)
        .map(|c| (crate::acl::eval::command_index(dialect, c), c))
        .collect()
}

pub use crate::acl::classify::{
    commands_named, dangerous_categories, dangerous_command_words, has_full_access, is_dangerous,
    keys_unchecked, name_says_admin, REDIS_RISKY_NOT_DANGEROUS, RISKY_NOT_DANGEROUS,
};
pub use crate::acl::overlap::{overlapping_pairs, Granted};

/// Takes the pairs to report, at most `Limits::max_acl_overlap_pairs`, from pairs that run
/// one past it: the one past it, when there is one, is where the note that more exist points.
pub fn split_reported_pairs<T>(mut pairs: Vec<T>, max: usize) -> (Vec<T>, Option<T>) {
    let beyond = if pairs.len() > max {
        pairs.truncate(max + 1);
        pairs.pop()
    } else {
        None
    };
    (pairs, beyond)
}

/// The note reported where overlapping pairs stop being reported.
pub fn more_pairs_message(what: &str, max: usize) -> String {
    format!(
        "more than {max} pairs of users have overlapping {what} in this ACL text; the others are not reported ({})",
        crate::limits::Limit::AclOverlapPairs.hint(max)
    )
}

/// The secret part of a password token (`>secret`, `#hash`), without its sigil.
pub fn password_text(token: &str) -> Option<&str> {
    token.strip_prefix('>').or_else(|| token.strip_prefix('#'))
}

/// Whether a password is a template placeholder rather than a secret: `${VAR}`,
/// `${VAR:=default}` (Flux), `$VAR`, `{{ .Values.x }}` (Helm), `%{x}`, `<password>`,
/// `__X__`, and the usual stand-in words (`CHANGEME`, `*_PLACEHOLDER`, `REPLACE_ME`…).
pub fn is_placeholder(password: &str) -> bool {
    // A hex digest or a hex password (the usual `#<sha256>`) can be none of these: every
    // form below needs a character outside `0-9a-f`.
    if password.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let variable = password.strip_prefix('$').is_some_and(|rest| {
        rest.starts_with('{')
            || rest
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
                && rest
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    });
    let bytes = password.as_bytes();
    variable
        || bytes.windows(2).any(|pair| pair == b"{{")
        || password.starts_with("%{")
        || (password.starts_with('<') && password.ends_with('>') && password.len() > 2)
        || (password.starts_with("__") && password.ends_with("__") && password.len() > 4)
        || contains_stand_in_word(bytes)
}

/// Words that stand in for a password, upper-case; matched in any ASCII case.
const STAND_IN_WORDS: &[&[u8]] = &[
    b"PLACEHOLDER",
    b"CHANGEME",
    b"CHANGE_ME",
    b"CHANGE-ME",
    b"REPLACEME",
    b"REPLACE_ME",
    b"REPLACE-ME",
    b"YOUR_PASSWORD",
    b"YOURPASSWORD",
    b"PASSWORD_HERE",
    b"<PASSWORD>",
];

/// One pass over the password, trying the words only where one can start. Every password
/// of every ACL goes through here (three rules ask), and in the admission policy eleven
/// substring searches on an upper-cased copy were a tenth of a 50-user Secret's time.
fn contains_stand_in_word(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(at, b)| {
        matches!(b.to_ascii_uppercase(), b'P' | b'C' | b'R' | b'Y' | b'<')
            && STAND_IN_WORDS.iter().any(|word| {
                bytes
                    .get(at..at + word.len())
                    .is_some_and(|here| here.eq_ignore_ascii_case(word))
            })
    })
}

/// Passwords people actually use, lower-case. Short on purpose: these are the ones found in
/// published ACL files and the top of every leaked-password list.
pub const COMMON_PASSWORDS: &[&str] = &[
    "",
    "password",
    "passw0rd",
    "password1",
    "pass",
    "secret",
    "admin",
    "administrator",
    "root",
    "default",
    "redis",
    "dragonfly",
    "dragonflydb",
    "valkey",
    "test",
    "testing",
    "guest",
    "user",
    "qwerty",
    "qwerty123",
    "letmein",
    "welcome",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "111111",
    "000000",
    "abc123",
    "foobar",
    "monkey",
    "dragon",
    "iloveyou",
    "changeme",
    "example",
    "demo",
    "sample",
    "p@ssw0rd",
    "p@ssword",
    "secret123",
    "admin123",
    "redis123",
    "mypassword",
    "superuser",
];

/// SHA-256 of each of [`COMMON_PASSWORDS`], in the same order, so `#<hash>` tokens are compared
/// without hashing the list for every token (a test recomputes them).
const COMMON_PASSWORD_DIGESTS: [[u8; 32]; COMMON_PASSWORDS.len()] = [
    hex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), // the empty password
    hex32("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"), // 'password'
    hex32("8f0e2f76e22b43e2855189877e7dc1e1e7d98c226c95db247cd1d547928334a9"), // 'passw0rd'
    hex32("0b14d501a594442a01c6859541bcb3e8164d183d32937b851835442f69d5c94e"), // 'password1'
    hex32("d74ff0ee8da3b9806b18c877dbf29bbde50b5bd8e4dad7a3a725000feb82e8f1"), // 'pass'
    hex32("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"), // 'secret'
    hex32("8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918"), // 'admin'
    hex32("4194d1706ed1f408d5e02d672777019f4d5385c766a8c6ca8acba3167d36a7b9"), // 'administrator'
    hex32("4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2"), // 'root'
    hex32("37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"), // 'default'
    hex32("34fb46c847bb9df96e5205a39d382f648a6e8dce1e014cd85b4ca6a88d88ed03"), // 'redis'
    hex32("e2ca6aec52558fcc04311983bad03e38ca5e799c239d202ae7a4f58aff8a6970"), // 'dragonfly'
    hex32("772d7b7fc39523b7e53eef85b69810218ebd077864154172fee953d6780b2d05"), // 'dragonflydb'
    hex32("36c0c6b32a5cdcbeaa192a2af99f9ac820f08206c964a456a2ca3100b97b1487"), // 'valkey'
    hex32("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), // 'test'
    hex32("cf80cd8aed482d5d1527d7dc72fceff84e6326592848447d2dc0b0e87dfc9a90"), // 'testing'
    hex32("84983c60f7daadc1cb8698621f802c0d9f9a3c3c295c810748fb048115c186ec"), // 'guest'
    hex32("04f8996da763b7a969b1028ee3007569eaf3a635486ddab211d512c85b9df8fb"), // 'user'
    hex32("65e84be33532fb784c48129675f9eff3a682b27168c0ea744b2cf58ee02337c5"), // 'qwerty'
    hex32("daaad6e5604e8e17bd9f108d91e26afe6281dac8fda0091040a7a6d7bd9b43b5"), // 'qwerty123'
    hex32("1c8bfe8f801d79745c4631d09fff36c82aa37fc4cce4fc946683d7b336b63032"), // 'letmein'
    hex32("280d44ab1e9f79b5cce2dd4f58f5fe91f0fbacdac9f7447dffc318ceb79f2d02"), // 'welcome'
    hex32("a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"), // '123'
    hex32("03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4"), // '1234'
    hex32("5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5"), // '12345'
    hex32("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"), // '123456'
    hex32("8bb0cf6eb9b17d0f7d22b456f121257dc1254e1f01665370476383ea776df414"), // '1234567'
    hex32("ef797c8118f02dfb649607dd5d3f8c7623048c9c063d532cc95c5ed7a898a64f"), // '12345678'
    hex32("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"), // '123456789'
    hex32("c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646"), // '1234567890'
    hex32("bcb15f821479b4d5772bd0ca866c00ad5f926e3580720659cc80d39c9d09802a"), // '111111'
    hex32("91b4d142823f7d20c5f08df69122de43f35f057a988d9619f6d3138485c9a203"), // '000000'
    hex32("6ca13d52ca70c883e0f0bb101e425a89e8624de51db2d2392593af6a84118090"), // 'abc123'
    hex32("c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"), // 'foobar'
    hex32("000c285457fc971f862a79b786476c78812c8897063c6fa9c045f579a3b2d63f"), // 'monkey'
    hex32("a9c43be948c5cabd56ef2bacffb77cdaa5eec49dd5eb0cc4129cf3eda5f0e74c"), // 'dragon'
    hex32("e4ad93ca07acb8d908a3aa41e920ea4f4ef4f26e7f86cf8291c5db289780a5ae"), // 'iloveyou'
    hex32("057ba03d6c44104863dc7361fe4578965d1887360f90a0895882e58a6248fc86"), // 'changeme'
    hex32("50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c"), // 'example'
    hex32("2a97516c354b68848cdbd8f54a226a0a55b21ed138e207ad6c5cbb9c00aa5aea"), // 'demo'
    hex32("af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf"), // 'sample'
    hex32("a075d17f3d453073853f813838c15b8023b8c487038436354fe599c3942e1f95"), // 'p@ssw0rd'
    hex32("0fd205965ce169b5c023282bb5fa2e239b6716726db5defaa8ceff225be805dc"), // 'p@ssword'
    hex32("fcf730b6d95236ecd3c9fc2d92d7b6b2bb061514961aec041d6c7a7192f592e4"), // 'secret123'
    hex32("240be518fabd2724ddb6f04eeb1da5967448d7e831c08c8fa822809f74c720a9"), // 'admin123'
    hex32("cb8001ad8314aa0abd372e48210e44b1029975a84dbef6e64b5de1f5054e3f4b"), // 'redis123'
    hex32("89e01536ac207279409d4de1e5253e01f4a1769e696db0d6062ca9b8f56767c8"), // 'mypassword'
    hex32("382132701c4733c3402706cfdd3c8fc7f41f80a88dce5428d145259a41c5f12f"), // 'superuser'
];

/// 64 hex digits → 32 bytes, at compile time.
const fn hex32(hex: &str) -> [u8; 32] {
    const fn nibble(b: u8) -> u8 {
        match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => panic!("not a lower-case hex digit"),
        }
    }
    let bytes = hex.as_bytes();
    assert!(bytes.len() == 64);
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(bytes[2 * i]) << 4) | nibble(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

/// Below this many characters a password is trivially short (Redis' `ACL GENPASS` gives 64
/// hex characters; 8 is the floor every password policy uses).
pub const SHORT_PASSWORD: usize = 8;

/// Why a password is trivial, if it is: short, common, or the user's own name. For `#hash`
/// tokens only the common passwords and the user name can be recognised (by their SHA-256).
/// Never returns the password itself.
pub fn trivial_password(token: &str, user: &str) -> Option<&'static str> {
    use sha2::{Digest, Sha256};
    if let Some(password) = token.strip_prefix('>') {
        let lower = password.to_ascii_lowercase();
        if password.is_empty() {
            return Some("is empty");
        }
        // Saying "it is the user name" would tell the password: say only that it is guessable.
        if lower == user.to_ascii_lowercase() {
            return Some("can be guessed from the ACL file itself");
        }
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Some("is one of the most common passwords");
        }
        if password.chars().count() < SHORT_PASSWORD {
            return Some("has fewer than 8 characters");
        }
        return None;
    }
    let hex = token.strip_prefix('#')?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hash = hex32(&hex.to_ascii_lowercase());
    if hash == <[u8; 32]>::from(Sha256::digest(user.as_bytes())) {
        return Some("is the hash of a password that can be guessed from the ACL file itself");
    }
    if COMMON_PASSWORD_DIGESTS.contains(&hash) {
        return Some("is the SHA-256 of one of the most common passwords");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn common_password_digests_are_the_hashes_of_the_list() {
        for (word, digest) in COMMON_PASSWORDS.iter().zip(COMMON_PASSWORD_DIGESTS) {
            assert_eq!(
                <[u8; 32]>::from(Sha256::digest(word.as_bytes())),
                digest,
                "{word}"
            );
        }
    }

    #[test]
    fn placeholders_are_found_in_any_case_and_place() {
        for yes in [
            "${REDIS_PASSWORD}",
            "${PW:=x}",
            "$APP_PASS",
            "{{ .Values.password }}",
            "%{pw}",
            "<password>",
            "__SECRET__",
            "my-ChangeMe-pw",
            "tenant_placeholder",
            "xxREPLACE_MExx",
            "your_password",
            "a<PASSWORD>",
            "PASSWORD_HERE",
        ] {
            assert!(is_placeholder(yes), "{yes}");
        }
        for no in [
            "",
            "8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918",
            "$lowercase",
            "CHANGEM",
            "replac",
            "PLACEHOLDE",
            "<>",
            "____",
            "passwörd-änderung",
        ] {
            assert!(!is_placeholder(no), "{no}");
        }
    }

    #[test]
    fn command_lists_read_as_typed() {
        let names = ["keys", "memory|usage"];
        assert_eq!(
            command_list(names.into_iter(), false),
            "`KEYS`, `MEMORY|USAGE`"
        );
        assert_eq!(
            command_list(names.into_iter(), true),
            "`KEYS`, `MEMORY USAGE`"
        );
        assert_eq!(command_list([].into_iter(), true), "");
        let names = ["KEYS", "client|kill"];
        assert_eq!(denial_list(names.into_iter()), "-keys -client|kill");
        assert!(name_says_admin("Ops_SysAdmin") && !name_says_admin("dmin"));
    }

    #[test]
    fn admin_names() {
        for yes in [
            "admin",
            "ADMIN",
            "redis_admin",
            "ops-root",
            "dfadmin",
            "superuser",
            "admin.eu",
        ] {
            assert!(name_says_admin(yes), "{yes}");
        }
        for no in [
            "app",
            "administration-bot-x",
            "cache",
            "rootless",
            "badminton",
        ] {
            assert!(!name_says_admin(no), "{no}");
        }
    }
}
