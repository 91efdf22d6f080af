//! The random rule vocabulary of the Redis tests: a seeded PRNG and generators of ACL rule
//! lines (user rules, selectors, first-argument rules, key and channel patterns, odd and
//! invalid rules), plus small helpers shared by the tests.
//!
//! No generated token contains whitespace or quotes except selectors, whose inner rules are
//! joined by single spaces, so a rule line can be written both as an ACL-file line
//! ([`acl_line`]) and as `ACL SETUSER` arguments ([`setuser_args`]) denoting the same rules
//! (see `redis_differential.rs` for why).

/// xorshift64*.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // Never zero; mix the seed so that small seeds do not start with small states.
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

pub const KEY_PATTERNS: &[&str] = &[
    "app:*",
    "cache:?",
    "*",
    "[ab]*",
    "b\\*",
    "a",
    "b:c",
    "app:1",
    "cache:[xy]",
    "*:c",
    "a*",
    "[^a]*",
    "app:[0-9]",
    "B",
];
pub const KEYS: &[&str] = &[
    "app:1", "app:22", "cache:x", "cache:xy", "a", "b:c", "b*", "ab", "zz", "B",
];
pub const CHANNEL_PATTERNS: &[&str] = &["news.*", "chat", "chat*", "n?ws.*", "news.[st]*", "other"];
pub const CHANNELS: &[&str] = &["news.sport", "news.*", "chat", "chatroom", "other", "*"];
pub const CATEGORIES: &[&str] = &[
    "read",
    "write",
    "keyspace",
    "string",
    "hash",
    "list",
    "set",
    "sortedset",
    "stream",
    "pubsub",
    "admin",
    "dangerous",
    "fast",
    "slow",
    "connection",
    "scripting",
    "transaction",
    "hyperloglog",
    "bitmap",
    "geo",
    "blocking",
    "all",
    "READ",
    "Admin",
];
pub const COMMANDS: &[&str] = &[
    "get",
    "set",
    "del",
    "mget",
    "mset",
    "hset",
    "hget",
    "lpush",
    "lrange",
    "sadd",
    "smembers",
    "zadd",
    "zrange",
    "incr",
    "expire",
    "exists",
    "keys",
    "scan",
    "flushall",
    "flushdb",
    "config",
    "client",
    "info",
    "publish",
    "subscribe",
    "psubscribe",
    "ssubscribe",
    "eval",
    "evalsha",
    "xadd",
    "xread",
    "sort",
    "copy",
    "rename",
    "object",
    "debug",
    "ping",
    "echo",
    "auth",
    "hello",
    "acl",
    "select",
    "move",
    "GET",
    "Config",
];
pub const SUBCOMMANDS: &[&str] = &[
    "config|get",
    "config|set",
    "client|list",
    "client|kill",
    "client|setname",
    "object|encoding",
    "acl|whoami",
    "acl|list",
    "CONFIG|GET",
];
/// `+cmd|arg` for commands without subcommands (Redis' "first-arg" rules).
pub const FIRST_ARGS: &[&str] = &[
    "select|0",
    "select|1",
    "debug|object",
    "get|app:1",
    "SELECT|0",
    "eval|x",
];
pub const KEYWORDS: &[&str] = &[
    "on",
    "off",
    "nopass",
    "resetpass",
    "ON",
    "Off",
    "NoPass",
    "sanitize-payload",
    "skip-sanitize-payload",
];
pub const PASSWORDS: &[&str] = &[
    ">pw1",
    ">pw2",
    "<pw1",
    "<pw2",
    "<notset",
    ">",
    // sha256("pw1"), sha256("pw2")
    "#c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8",
    "!c592df4a86933b92addc9842402ddf198c638ea9be58916ee6e3734e1e3152f8",
    "#93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0",
    "!93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0",
    // invalid hashes: upper case, too short
    "#C592DF4A86933B92ADDC9842402DDF198C638EA9BE58916EE6E3734E1E3152F8",
    "#abc",
    "!abc",
];
/// Rules every selector also accepts, but that are wrong (or odd) in some way.
pub const ODD_SELECTOR_RULES: &[&str] = &[
    "%X~k",
    "%RR~k",
    "%~k",
    "%",
    "%R",
    "%W",
    "%RW",
    "%r~a",
    "%Wr~app:*",
    "~",
    "&",
    "+@nope",
    "-@nope",
    "+@",
    "+",
    "-",
    "+foo",
    "-foo",
    "+config|nope",
    "-select|0",
    "+config|get|x",
    "+select|0|1",
    "+client|",
    "-config|get",
    "-client|kill",
    "foo",
    "~*",
    "&*",
    "ALLKEYS",
];
/// Rules only the user (root) accepts: invalid inside a selector.
pub const ROOT_ONLY: &[&str] = &[
    "on",
    ">pw1",
    "reset",
    "clearselectors",
    "nopass",
    "(~a)",
    "sanitize-payload",
];

/// `~pattern` or `%R~`/`%W~`/`%RW~`/`%WR~pattern`.
pub fn key_rule(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["~", "~", "~", "%R~", "%W~", "%RW~", "%WR~"]);
    format!("{prefix}{}", rng.pick(KEY_PATTERNS))
}

/// A rule valid both for the user and inside a selector (mostly).
pub fn selector_rule(rng: &mut Rng) -> String {
    // Grants are more frequent than denials, so that commands get past the command check.
    let sign = |rng: &mut Rng| if rng.chance(70) { "+" } else { "-" };
    match rng.below(100) {
        0..=21 => key_rule(rng),
        22..=26 => rng
            .pick(&["allkeys", "resetkeys", "~*", "%RW~*", "%R~*", "%W~*"])
            .to_string(),
        27..=35 => format!("&{}", rng.pick(CHANNEL_PATTERNS)),
        36..=39 => rng
            .pick(&["allchannels", "resetchannels", "&*"])
            .to_string(),
        40..=57 => format!("{}@{}", sign(rng), rng.pick(CATEGORIES)),
        58..=79 => format!("{}{}", sign(rng), rng.pick(COMMANDS)),
        80..=86 => format!("{}{}", sign(rng), rng.pick(SUBCOMMANDS)),
        87..=91 => format!("+{}", rng.pick(FIRST_ARGS)),
        92..=96 => rng
            .pick(&["allcommands", "nocommands", "+@all", "-@all", "NoCommands"])
            .to_string(),
        _ => rng.pick(ODD_SELECTOR_RULES).to_string(),
    }
}

/// One token of a user rule line: a keyword, a password rule, a selector `(…)`, an
/// unbalanced parenthesis or any selector rule.
pub fn rule_token(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=9 => rng.pick(KEYWORDS).to_string(),
        10..=11 => rng.pick(PASSWORDS).to_string(),
        12..=15 => rng.pick(&[">pw1", ">pw2", "resetpass"]).to_string(),
        16..=18 => rng.pick(&["reset", "clearselectors", "RESET"]).to_string(),
        // Unbalanced parentheses: ACLMergeSelectorArguments joins (and reopens) selectors.
        19 => rng
            .pick(&["(", "(~a", "(+get", "+get)", "~b)", "(%R~a*"])
            .to_string(),
        20..=30 => {
            // Often shaped like real selectors: some keys and some commands, then extras.
            let mut rules: Vec<String> = Vec::new();
            if rng.chance(60) {
                rules.push(key_rule(rng));
                rules.push(format!("+{}", rng.pick(COMMANDS)));
                if rng.chance(30) {
                    rules.push(format!("+@{}", rng.pick(CATEGORIES)));
                }
                if rng.chance(30) {
                    rules.push(format!("&{}", rng.pick(CHANNEL_PATTERNS)));
                }
            }
            for _ in 0..rng.below(3) + usize::from(rules.is_empty()) {
                rules.push(if rng.chance(3) {
                    rng.pick(ROOT_ONLY).to_string()
                } else {
                    selector_rule(rng)
                });
            }
            // Random order inside the selector too.
            for i in (1..rules.len()).rev() {
                rules.swap(i, rng.below(i + 1));
            }
            format!("({})", rules.join(" "))
        }
        _ => selector_rule(rng),
    }
}

/// Broad grants, one of which is added to many lines so that queries get past the command
/// check and exercise key and channel patterns.
pub const BROAD: &[&str] = &[
    "+@all",
    "allcommands",
    "+@read",
    "+@write",
    "+@keyspace",
    "+@pubsub",
    "+@string",
    "+@hash",
    "+@fast",
    "+@slow",
];

/// A random user rule line, as tokens (a selector is one token).
pub fn rule_line(rng: &mut Rng) -> Vec<String> {
    let n = 1 + rng.below(4) + rng.below(5);
    let mut tokens: Vec<String> = (0..n).map(|_| rule_token(rng)).collect();
    if rng.chance(45) {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, rng.pick(BROAD).to_string());
    }
    tokens
}

/// `ACL SETUSER user tokens…`: a selector is one argument, unless the line also has an
/// unbalanced parenthesis (then the tokens are cut at spaces, exactly like the file line:
/// see `redis_differential.rs`).
pub fn setuser_args(user: &str, tokens: &[String]) -> Vec<String> {
    let mut args = vec!["ACL".to_string(), "SETUSER".into(), user.into()];
    let unbalanced = tokens
        .iter()
        .any(|t| t.starts_with('(') != t.ends_with(')'));
    if unbalanced {
        args.extend(tokens.iter().flat_map(|t| t.split(' ')).map(str::to_string));
    } else {
        args.extend(tokens.iter().cloned());
    }
    args
}

/// A number from the environment, decimal or `0x…` hex (`_` separators allowed).
pub fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim().replace('_', "");
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

/// Words joined by spaces, quoted where needed.
pub fn quote(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains([' ', '"', '\\']) {
                format!("{w:?}")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ACL-file line `user <user> <tokens joined by one space>`.
pub fn acl_line(user: &str, tokens: &[String]) -> String {
    let mut line = format!("user {user}");
    for token in tokens {
        line.push(' ');
        line.push_str(token);
    }
    line
}

/// A string matched by a glob: `*` and `?` filled at random, classes resolved, escapes
/// unescaped; `None` when that fails (checked with `dflint_core::acl::glob`).
pub fn instance(pattern: &str, rng: &mut Rng) -> Option<String> {
    for _ in 0..8 {
        let bytes = pattern.as_bytes();
        let mut out: Vec<u8> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'*' => out.extend_from_slice(rng.pick(&["", "x", "7", ":z", "zz9"]).as_bytes()),
                b'?' => out.push(rng.pick(&["q", "x", "7", ":"]).as_bytes()[0]),
                b'\\' if i + 1 < bytes.len() => {
                    i += 1;
                    out.push(bytes[i]);
                }
                b'[' => {
                    let mut j = i + 1;
                    let negated = bytes.get(j) == Some(&b'^');
                    if negated {
                        j += 1;
                    }
                    let mut members: Vec<u8> = Vec::new();
                    while j < bytes.len() && bytes[j] != b']' {
                        if bytes[j] == b'\\' && j + 1 < bytes.len() {
                            j += 1;
                            members.push(bytes[j]);
                        } else if j + 2 < bytes.len()
                            && bytes[j + 1] == b'-'
                            && bytes[j + 2] != b']'
                        {
                            let (a, b) = (bytes[j].min(bytes[j + 2]), bytes[j].max(bytes[j + 2]));
                            members.extend(a..=b);
                            j += 2;
                        } else {
                            members.push(bytes[j]);
                        }
                        j += 1;
                    }
                    let choice = if negated {
                        b"qxz7:Q".iter().copied().find(|c| !members.contains(c))
                    } else {
                        members.get(rng.below(members.len().max(1))).copied()
                    };
                    out.push(choice.unwrap_or(b'q'));
                    i = j;
                }
                c => out.push(c),
            }
            i += 1;
        }
        if dflint_core::acl::glob::matches(pattern.as_bytes(), &out) {
            return String::from_utf8(out).ok();
        }
    }
    None
}
