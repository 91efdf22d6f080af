//! What the fuzz targets do with their input, as plain functions (the files in
//! fuzz_targets/ only hand libFuzzer's bytes to them), so a reproducer can be replayed
//! without libFuzzer: crates/core/tests/fuzz_regressions.rs includes this file and runs the
//! inputs under crates/core/tests/data/fuzz-regressions/ through the function of the target
//! that found them. Hence this file is self-contained: no `crate::` paths, and only
//! dependencies dflint-core has too (dflint-policy's target keeps its code in its own file).
//!
//! Input conventions (the seed step in `scripts/fuzz` writes fixtures in this shape):
//! * [`SEPARATOR`] (two NUL bytes) splits an input into parts (files, Secret values,
//!   documents); fixtures contain no NUL, so a fixture is one part.
//! * Where a part needs a choice (a file name, a dialect), its first byte is a control byte.

use std::io::{BufRead, Write};

use base64::Engine;
use dflint_core::acl::dryrun::{dry_run, resolve};
use dflint_core::acl::eval::{apply_rules, evaluate, EffectiveUser, Permissions};
use dflint_core::acl::parse::{parse_file_with, parse_setuser, AclFile, Rule, ServerLimits};
use dflint_core::acl::queries::{answer_case_line, EvaluatedAcl, EvaluatedCache};
use dflint_core::acl::report::{token_text, PermissionsReport, UserReport};
use dflint_core::acl::{commands, glob, Dialect};
use dflint_core::config::ScraperSelector;
use dflint_core::lint::{lint_loaded, load, Bundle, Report};
use dflint_core::netpol::peer::classify;
use dflint_core::netpol::ports::{PortQuery, Protocol};
use dflint_core::reach_report::reach;
use dflint_core::{lint, LintConfig, Source};

/// Splits an input into parts.
pub const SEPARATOR: &[u8] = b"\0\0";

/// At most this many parts are used: more adds time, not coverage.
pub const MAX_PARTS: usize = 8;

/// The parts of an input (at least one, possibly empty).
pub fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() + 1 < MAX_PARTS {
        match find(rest, SEPARATOR) {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

/// The first occurrence of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A control byte and the rest (`0` and everything when the part is empty).
pub fn control(part: &[u8]) -> (u8, &[u8]) {
    match part.split_first() {
        Some((&c, rest)) => (c, rest),
        None => (0, part),
    }
}

/// File names a source can have, chosen by a control byte (`(c & 0x3f) % 6`): the loader
/// decides by name whether text is YAML, JSON or ACL, and sniffs unnamed text (stdin).
pub const FILE_NAMES: [&str; 6] = [
    "f{}.yaml",
    "f{}.json",
    "f{}.acl",
    "dir/f{}.yml",
    "acl{}/acl.conf",
    "<stdin{}>",
];

/// The name of source number `index` for control byte `c`. Only the low six bits choose:
/// targets use the top two for other choices.
pub fn file_name(c: u8, index: usize) -> String {
    FILE_NAMES[usize::from(c & 0x3f) % FILE_NAMES.len()].replace("{}", &index.to_string())
}

/// What every report must satisfy: counts that add up, locations inside the sources they
/// name, redactions inside their source, and a JSON rendering that is JSON.
pub fn check_report(sources: &[Source], report: &Report) {
    let summary = &report.summary;
    assert_eq!(
        summary.errors + summary.warnings + summary.infos,
        report.diagnostics.len(),
        "summary counts do not add up"
    );
    assert_eq!(summary.files, sources.len());
    let source_named = |name: &str| sources.iter().find(|s| s.name() == name);
    for d in &report.diagnostics {
        let locations = std::iter::once(&d.location).chain(d.related.iter().map(|r| &r.location));
        for location in locations {
            let span = location.span;
            assert!(span.start <= span.end, "{}: inverted span {span:?}", d.code);
            if let Some(source) = source_named(&location.file) {
                assert!(
                    span.end <= source.text().len(),
                    "{}: span {span:?} past the end of {} ({} bytes)",
                    d.code,
                    source.name(),
                    source.text().len()
                );
            }
        }
    }
    for (name, spans) in &report.redactions {
        let source = source_named(name).expect("redaction for a source that does not exist");
        let masked = dflint_core::redact::mask(source.text(), spans);
        assert_eq!(
            masked.len(),
            source.text().len(),
            "masking changed the length"
        );
        assert_eq!(
            masked.matches('\n').count(),
            source.text().matches('\n').count(),
            "masking changed the lines"
        );
    }
    let rendered = dflint_core::output::json::render(report);
    let value: serde_json::Value =
        serde_json::from_str(&rendered).expect("the JSON report is not JSON");
    assert_eq!(
        value["diagnostics"].as_array().map(Vec::len),
        Some(report.diagnostics.len())
    );
}

/// With `DFLINT_FUZZ_DEBUG` set, prints the sources a target built from its input (to see
/// what a reproducer stands for: `DFLINT_FUZZ_DEBUG=1 cargo +nightly fuzz run T ARTIFACT`).
pub fn debug_sources(sources: &[Source]) {
    if std::env::var_os("DFLINT_FUZZ_DEBUG").is_some() {
        for source in sources {
            eprintln!("--- {} ---\n{}", source.name(), source.text());
        }
    }
}

// ----------------------------------------------------------------------------------------
// lint_bundle

/// One or a few source files through the loader, every rule and the JSON report.
///
/// Input: parts split by `\0\0`; each part is `[control][file bytes]`. The control byte
/// names the file (`(c & 0x3f) % 6`: .yaml, .json, .acl, .yml, acl.conf, unnamed stdin);
/// bit 7 marks it `--acl-file`; bit 6 of the first part's byte selects the Redis dialect.
pub fn lint_bundle(data: &[u8]) {
    let parts = split(data);
    let first = control(parts[0]).0;
    let sources: Vec<Source> = parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            let (c, body) = control(part);
            let source = Source::from_bytes(file_name(c, index), body);
            if c & 0x80 != 0 {
                source.as_acl()
            } else {
                source
            }
        })
        .collect();
    debug_sources(&sources);
    let config = LintConfig {
        acl: dflint_core::config::AclSettings {
            dialect: if first & 0x40 != 0 {
                Dialect::Redis
            } else {
                Dialect::Dragonfly
            },
            ..Default::default()
        },
        ..LintConfig::default()
    };
    let report = lint(&sources, &config);
    check_report(&sources, &report);
}

// ----------------------------------------------------------------------------------------
// acl_engine

const DEFAULT_QUERIES: &[&[&[u8]]] = &[
    &[b"GET", b"k"],
    &[b"set", b"tenant:1", b"v"],
    &[b"CONFIG", b"SET", b"dir", b"/tmp"],
    &[b"ACL", b"WHOAMI"],
    &[b"SELECT", b"3"],
    &[b"MOVE", b"k", b"1"],
    &[b"PUBLISH", b"news", b"m"],
    &[b"EVAL", b"return 1", b"1", b"k"],
    &[b"AUTH", b"p"],
    &[],
];

const DBNUMS: [u32; 6] = [16, 0, 1, 4, 1 << 20, u32::MAX];

/// Keeps pattern pairs (quadratic) to what one iteration can afford.
const MAX_PATTERNS: usize = 16;

/// ACL text through the parser, the evaluator and the dry run, in both dialects: what
/// `dflint acl explain` reads of every user, and `dflint acl can` for command lines.
///
/// Input: `[control][ACL text]` optionally followed by `\0\0` and a command line (words split
/// on ASCII whitespace, any bytes). Without a command line a few fixed ones are asked. The
/// control byte sets the server limits: bit 0 `--cluster_mode=yes`, bits 1.. `--dbnum`.
pub fn acl_engine(data: &[u8]) {
    let (c, rest) = control(data);
    let (acl, query) = match find(rest, SEPARATOR) {
        Some(at) => (&rest[..at], Some(&rest[at + SEPARATOR.len()..])),
        None => (rest, None),
    };
    let limits = ServerLimits {
        dbnum: DBNUMS[usize::from(c >> 1) % DBNUMS.len()],
        cluster_mode: c & 1 != 0,
    };
    // `acl explain`/`acl can` read ACL files lossily.
    let text = String::from_utf8_lossy(acl);
    let words: Vec<&[u8]> = query
        .map(|q| {
            q.split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let queries: Vec<&[&[u8]]> = match query {
        Some(_) => vec![&words],
        None => DEFAULT_QUERIES.to_vec(),
    };
    for dialect in [Dialect::Dragonfly, Dialect::Redis] {
        let file = parse_file_with(&text, dialect, limits);
        for problem in &file.problems {
            assert!(problem.span.start <= problem.span.end);
            assert!(problem.span.end <= text.len(), "problem span past the text");
            assert!(!problem.message.is_empty());
        }
        for line in &file.users {
            assert!(line.span.end <= text.len(), "line span past the text");
            for token in &line.tokens {
                assert!(token.span.start <= token.span.end && token.span.end <= text.len());
                let _ = token.shown();
            }
            let _ = line.name();
        }
        let (users, errors) = evaluate(&file);
        for error in &errors {
            let _ = token_text(&file, Some(error.token));
        }
        assert!(
            users.iter().any(|u| u.name == "default"),
            "evaluate always has a default user"
        );
        for user in &users {
            explain(&file, dialect, user);
            for argv in &queries {
                let _ = resolve(dialect, argv);
                match dry_run(user, dialect, argv) {
                    Ok(verdict) => {
                        assert_eq!(verdict.allowed, verdict.denied_on.is_none());
                        let _ = verdict.denied_on.map(|d| d.as_str());
                        let _ = token_text(&file, verdict.token);
                    }
                    Err(error) => {
                        let _ = error.to_string();
                    }
                }
            }
        }
        // The words as `ACL SETUSER` arguments, applied to a fresh user.
        if query.is_some() {
            let args: Vec<String> = words
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            if let Ok(ops) = parse_setuser(&args, dialect) {
                let rules: Vec<Rule> = ops
                    .into_iter()
                    .enumerate()
                    .map(|(token, op)| Rule { op, token })
                    .collect();
                let mut user = EffectiveUser::fresh("fuzz", dialect);
                let _ = apply_rules(&mut user, dialect, &rules, 0);
                explain(&file, dialect, &user);
            }
        }
    }
}

/// Builds what `acl explain` prints of a user, and checks it against the engine.
fn explain(file: &AclFile, dialect: Dialect, user: &EffectiveUser) {
    let report = UserReport::of(file, user);
    assert_eq!(report.passwords, user.passwords.len());
    assert!(report.hashed_passwords <= report.passwords);
    assert!(user.same_permissions(user));
    for (perms, shown) in user
        .permission_sets()
        .zip(std::iter::once(&report.permissions).chain(&report.selectors))
    {
        permissions(dialect, perms, shown);
    }
}

fn permissions(dialect: Dialect, perms: &Permissions, shown: &PermissionsReport) {
    let table = commands::all(dialect);
    // Every command is listed once, allowed or denied.
    assert_eq!(
        shown.commands.len() + shown.denied_commands.len(),
        table.len()
    );
    assert_eq!(shown.all_commands, shown.denied_commands.is_empty());
    for cat in commands::categories(dialect) {
        assert!(commands::category(dialect, cat.name).is_some());
    }
    assert_eq!(shown.keys.len(), perms.keys.len());
    // What the overlap rules ask of two patterns; a witness must match both.
    let patterns: Vec<&[u8]> = perms
        .keys
        .iter()
        .map(|k| k.pattern.as_slice())
        .chain(perms.channels.iter().map(|c| c.pattern.as_slice()))
        .take(MAX_PATTERNS)
        .collect();
    for a in &patterns {
        for b in &patterns {
            if let Some(w) = glob::witness(a, b) {
                assert!(
                    glob::matches(a, &w) && glob::matches(b, &w),
                    "witness {w:?} of {a:?} and {b:?} does not match both"
                );
                assert!(glob::intersects(a, b));
            }
            if glob::subsumes(a, b) == Some(true) && glob::intersects(b, b) {
                assert!(
                    glob::intersects(a, b),
                    "{a:?} subsumes {b:?} but does not meet it"
                );
            }
        }
    }
}

// ----------------------------------------------------------------------------------------
// secret_base64

const KEYS: [&str; 4] = ["acl.conf", "users.acl", "tenants.acl", "config"];

/// One `data` value as written into the Secret.
struct SecretValue {
    key: &'static str,
    /// The decoded text the value stands for, when it is an encoding of the input.
    plain: Option<Vec<u8>>,
    /// Byte range of the value's characters (inside quotes) in the Secret text, when the
    /// value cannot change the document's structure (it must then be masked completely).
    at: Option<(usize, usize)>,
}

/// A Kubernetes Secret whose `data` values come from the input: base64 decoding, the ACL
/// texts found in it (with spans mapped back onto the encoded characters), every rule, and
/// the redaction of the values.
///
/// Input: parts split by `\0\0`, one `data` value each: `[control][bytes]`. Control bits:
/// 0-1 the key (`acl.conf`, `users.acl`, `tenants.acl`, `config`); 2 the bytes are written
/// as they are (the "base64" is whatever the input says) instead of encoded; 3 the encoding
/// is wrapped every 76 characters. Bits of the first part's control byte only: 4 the Secret
/// is JSON instead of YAML; 5 a Dragonfly CR names the first key in `aclFromSecret`; 6 the
/// Redis dialect; 7 YAML values unquoted (plain, or a literal block when wrapped; raw bytes
/// verbatim, which may change the document's structure).
pub fn secret_base64(data: &[u8]) {
    let parts = split(data);
    let first = control(parts[0]).0;
    let json = first & 0x10 != 0;
    let reference = first & 0x20 != 0;
    let dialect = if first & 0x40 != 0 {
        Dialect::Redis
    } else {
        Dialect::Dragonfly
    };
    let unquoted = first & 0x80 != 0;

    let mut text = String::new();
    let mut values = Vec::new();
    // A raw YAML value with a later line that is a `key:` or a document marker may have
    // moved the values after it out of `data`: those are not checked.
    let mut restructured = false;
    if json {
        text.push_str(
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"acl-secret","namespace":"cache"},"type":"Opaque","data":{"#,
        );
    } else {
        text.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n  name: acl-secret\n  namespace: cache\ntype: Opaque\ndata:\n");
    }
    for (i, part) in parts.iter().enumerate() {
        let (c, body) = control(part);
        let key = KEYS[usize::from(c & 3)];
        let raw = c & 4 != 0;
        let wrap = c & 8 != 0;
        let (encoded, plain) = if raw {
            (String::from_utf8_lossy(body).into_owned(), None)
        } else {
            let e = base64::engine::general_purpose::STANDARD.encode(body);
            (e, Some(body.to_vec()))
        };
        let encoded = if wrap && !raw {
            encoded
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            encoded
        };
        let quoted = serde_json::to_string(&encoded).expect("a string serialises");
        let at = if json {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(key).expect("a string serialises"));
            text.push(':');
            let start = text.len();
            text.push_str(&quoted);
            // The quotes are no secret: what is between them is.
            Some((start + 1, text.len() - 1))
        } else {
            text.push_str("  ");
            text.push_str(key);
            text.push_str(": ");
            let mut start = text.len();
            let mut end_trim = 0;
            if unquoted && wrap && !raw {
                // The block indicator is no secret: the value starts on the next line.
                text.push_str("|\n");
                start = text.len();
                for line in encoded.split('\n') {
                    text.push_str("    ");
                    text.push_str(line);
                    text.push('\n');
                }
                text.pop();
            } else if unquoted && !encoded.is_empty() {
                // Base64 is a valid plain scalar; raw bytes may be anything.
                text.push_str(&encoded);
            } else {
                start += 1;
                end_trim = 1;
                text.push_str(&quoted);
            }
            let end = text.len() - end_trim;
            text.push('\n');
            let verbatim = unquoted && raw;
            let checked = !verbatim && !restructured;
            if verbatim {
                restructured |= encoded.split(['\n', '\r']).skip(1).any(|line| {
                    let line = line.trim_start();
                    line.contains(':') || line.starts_with("---") || line.starts_with("...")
                });
            }
            checked.then_some((start, end))
        };
        values.push(SecretValue { key, plain, at });
    }
    if json {
        text.push_str("}}");
    }

    let mut sources = vec![Source::new(
        if json { "secret.json" } else { "secret.yaml" },
        text,
    )];
    let referenced_key = values[0].key;
    if reference {
        sources.push(Source::new(
            "dragonfly.yaml",
            format!(
                "apiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: df\n  namespace: cache\nspec:\n  args: [\"--dbnum=4\"]\n  aclFromSecret:\n    name: acl-secret\n    key: {referenced_key}\n"
            ),
        ));
    }
    debug_sources(&sources);
    let config = LintConfig {
        acl: dflint_core::config::AclSettings {
            dialect,
            ..Default::default()
        },
        ..LintConfig::default()
    };
    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &config);
    let secret_len = sources[0].text().len();
    for acl in &bundle.acls {
        for line in &acl.file.users {
            for token in &line.tokens {
                let span = acl.text.source_span(token.span);
                assert!(
                    span.start <= span.end && span.end <= secret_len,
                    "token span {:?} maps to {span:?}, outside the Secret ({secret_len} bytes)",
                    token.span
                );
            }
        }
    }
    // A well-formed Secret: each encoded value named as an ACL decodes to the input's text.
    let well_formed = loaded.syntax_problems.is_empty()
        && values
            .iter()
            .enumerate()
            .all(|(i, v)| values[..i].iter().all(|w| w.key != v.key))
        && values.iter().all(|v| v.at.is_some());
    if well_formed {
        for value in &values {
            let named = value.key != "config" || (reference && value.key == referenced_key);
            let Some(plain) = value.plain.as_ref().filter(|_| named) else {
                continue;
            };
            match std::str::from_utf8(plain) {
                Ok(expected) => assert!(
                    bundle.acls.iter().any(|a| a.text.text == expected),
                    "the ACL under `{}` was not decoded",
                    value.key
                ),
                Err(_) => assert!(
                    bundle.undecodable_acls.iter().any(|u| u.key == value.key),
                    "the non-UTF-8 value under `{}` was not reported",
                    value.key
                ),
            }
        }
    }
    drop(bundle);

    let report = lint_loaded(&sources, &loaded, &config);
    check_report(&sources, &report);
    // Secret data is never shown: every byte of a value is masked.
    let source = &sources[0];
    let spans = report
        .redactions
        .get(source.name())
        .map_or(&[][..], Vec::as_slice);
    let masked = dflint_core::redact::mask(source.text(), spans);
    if std::env::var_os("DFLINT_FUZZ_DEBUG").is_some() {
        eprintln!("--- masked ---\n{masked}\n--- redactions: {spans:?}");
    }
    for value in &values {
        let Some((start, end)) = value.at else {
            continue;
        };
        let original = &source.text().as_bytes()[start..end];
        let shown = &masked.as_bytes()[start..end];
        for (o, s) in original.iter().zip(shown) {
            assert!(
                *s == b'*' || o.is_ascii_whitespace(),
                "Secret value under `{}` not masked: {:?}",
                value.key,
                String::from_utf8_lossy(shown)
            );
        }
    }
}

// ----------------------------------------------------------------------------------------
// network_model

const HEADERS: [&str; 3] = [
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{}\n  namespace: cache\n",
    "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p{}\n  namespace: cache\n",
    "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: p{}\n",
];

const CRS: [Option<&str>; 4] = [
    None,
    Some(
        "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: dragonfly
  namespace: cache
spec:
  networkPolicyEnabled: false
",
    ),
    Some(
        "apiVersion: v1
kind: Namespace
metadata:
  name: cache
  labels:
    team: data
---
apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: dragonfly
  namespace: cache
  labels:
    app: dragonfly
spec:
  replicas: 3
  networkPolicyEnabled: true
  args: [\"--port=7000\", \"--admin_port=7001\", \"--bind=0.0.0.0\"]
",
    ),
    Some(
        "apiVersion: dragonflydb.io/v1alpha1
kind: Dragonfly
metadata:
  name: kv
  namespace: apps
spec:
  replicas: 2
  networkPolicyEnabled: false
  memcachedPort: 11211
  args: [\"--memcached_port=11211\", \"--admin_port=9998\"]
",
    ),
];

/// NetworkPolicy / CiliumNetworkPolicy documents and a Dragonfly CR through the network
/// model (who reaches which port, and why), the reach report of `dflint netpol reach`, and
/// the network-policy rules.
///
/// Input: parts split by `\0\0`, each `[control][document text]`, one source each. A part
/// whose text names a `kind` is used as it is; any other part gets a policy header
/// (`(c & 3) % 3`: NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and is
/// expected to continue with `spec:`. The first part's control byte also chooses the
/// Dragonfly CR added to the bundle (bits 2-3: none, so the label conventions apply; a
/// default one; one with custom ports, replicas and its own policy; one in another namespace
/// with memcached) and, in bit 7, an operator namespace and a metrics scraper.
pub fn network_model(data: &[u8]) {
    let parts = split(data);
    let first = control(parts[0]).0;
    let mut sources = Vec::new();
    if let Some(cr) = CRS[usize::from(first >> 2) & 3] {
        sources.push(Source::new("dragonfly.yaml", cr));
    }
    for (index, part) in parts.iter().enumerate() {
        let (c, body) = control(part);
        let names_kind = find(body, b"kind").is_some();
        let json = body.trim_ascii_start().starts_with(b"{");
        let source = if names_kind {
            let name = format!("policy{index}.{}", if json { "json" } else { "yaml" });
            Source::from_bytes(name, body)
        } else {
            let mut text = HEADERS[usize::from(c & 3) % HEADERS.len()]
                .replace("{}", &index.to_string())
                .into_bytes();
            text.extend_from_slice(body);
            Source::from_bytes(format!("policy{index}.yaml"), &text)
        };
        sources.push(source);
    }
    debug_sources(&sources);
    let config = if first & 0x80 != 0 {
        LintConfig {
            network: dflint_core::config::NetworkSettings {
                operator_namespace: Some("dragonfly-operator-system".into()),
                metrics_scrapers: vec![ScraperSelector {
                    namespace: Some("monitoring".into()),
                    match_labels: [("app.kubernetes.io/name".into(), "prometheus".into())].into(),
                }],
            },
            ..LintConfig::default()
        }
    } else {
        LintConfig::default()
    };

    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &config);
    let model = &bundle.network;
    for (index, instance) in model.instances.iter().enumerate() {
        let _ = instance.display();
        for &role in instance.roles() {
            for policy in model.selecting(index, role) {
                // The input's policies, then the operator's for an instance.
                match model.operator_instance(policy) {
                    Some(owner) => assert!(model.instances[owner].operator_policy),
                    None => {
                        assert!(policy < model.policies.len());
                        assert!(model.policy_selects_any(policy));
                    }
                }
            }
            for port in &instance.ports {
                let reach = model.ingress(index, role, *port);
                assert!(reach.enforced || reach.enforced_by.is_empty());
                for path in &reach.allowed {
                    let peer = model.peer(*path, true);
                    let _ = (peer.kind.describe(), model.explain(*path, true));
                    let _ = classify(&peer.kind, instance, &config.network);
                }
                for (path, by) in &reach.denied {
                    let _ = model.explain(*path, true);
                    let _ = model.rule(*by, true, true);
                }
            }
            // Where the pods may connect: DNS, and another Dragonfly's data port by name.
            for query in [
                PortQuery {
                    number: 53,
                    name: None,
                    protocol: Protocol::Udp,
                },
                PortQuery {
                    number: 6379,
                    name: Some("redis"),
                    protocol: Protocol::Tcp,
                },
            ] {
                let reach = model.egress(index, role, query, |_| true);
                for path in &reach.allowed {
                    let _ = (
                        model.peer(*path, false).kind.describe(),
                        model.explain(*path, false),
                    );
                }
            }
        }
    }
    drop(bundle);

    // What `dflint netpol reach --format json` writes: the table and the findings together.
    let (table, report) = reach(&sources, &config);
    let mut json = Vec::new();
    dflint_core::output::json::write_with_instances(&report, &table.instances, &mut json)
        .expect("writing to memory cannot fail");
    let _: serde_json::Value = serde_json::from_slice(&json).expect("the reach report is JSON");
    check_report(&sources, &report);
    check_report(&sources, &lint_loaded(&sources, &loaded, &config));
}

// ----------------------------------------------------------------------------------------
// acl_can_cases

/// The `dflint acl can --cases FILE.jsonl` line format: one JSON query per line
/// (`acl`, `user`, `command`, `args`, `dialect`, `dbnum`, `cluster_mode`), one JSON answer
/// per line, each ACL text parsed and evaluated once.
///
/// Each line goes through `answer_case_line`, the function `dflint acl can --cases` calls per
/// line (the CLI only reads the lines and writes the answers).
///
/// Input: the JSONL text, optionally followed by `\0\0` and an ACL file shared by queries
/// without `"acl"` (`--cases q.jsonl users.acl`).
pub fn acl_can_cases(data: &[u8]) {
    let (cases, shared) = match find(data, SEPARATOR) {
        Some(at) => (&data[..at], Some(&data[at + SEPARATOR.len()..])),
        None => (data, None),
    };
    let default_dialect = Dialect::Dragonfly;
    let default_limits = ServerLimits::default();
    // The ACL file beside `--cases` is read lossily, as `acl can` reads files.
    let shared = shared.map(|bytes| {
        EvaluatedAcl::new(parse_file_with(
            &String::from_utf8_lossy(bytes),
            default_dialect,
            default_limits,
        ))
    });
    let mut out = Vec::new();
    let mut cache = EvaluatedCache::default();
    for line in cases.lines() {
        // A line that is not UTF-8 ends the run with an error, as in the CLI.
        let Ok(line) = line else {
            break;
        };
        let Some(result) = answer_case_line(
            &line,
            shared.as_ref(),
            &mut cache,
            default_dialect,
            default_limits,
        ) else {
            continue;
        };
        writeln!(out, "{result}").expect("writing to memory cannot fail");
        // An answer is one line of JSON.
        let last = out[..out.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let _: serde_json::Value =
            serde_json::from_slice(&out[last..]).expect("an answer is one JSON line");
    }
}
