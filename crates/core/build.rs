//! Turns the generated data tables into static Rust arrays in `OUT_DIR`, so the library never
//! parses a data table at run time:
//!
//! * `data/flags.tsv`, `data/releases.tsv`, `data/aux_flags.tsv` (written by
//!   `scripts/gen-flags.py`) → `flags_table.rs`, included by `src/flags/table.rs`;
//! * `data/dragonfly-commands.tsv`, `data/dragonfly-categories.tsv` (written by
//!   `scripts/gen-commands.py`) and `data/redis-commands.tsv`, `data/redis-categories.tsv`
//!   (written by `scripts/gen-redis-commands.py`) → `acl_commands_table.rs`, included by
//!   `src/acl/commands.rs`;
//!   the same file also holds index tables derived from them (category members as lists and
//!   bitsets, subcommands per command; see `emit_command_indexes`);
//! * `data/dragonfly-v1alpha1-spec.schema.json` (written by `scripts/gen-crd-schema.py`) →
//!   `spec_schema_table.rs`, included by `src/dragonfly/schema.rs`: the schema flattened into
//!   one array of nodes with every `$ref` resolved, so validating a spec neither parses nor
//!   compiles a schema. The Kubewarden policy runs in a fresh wasm instance per admission
//!   request, where even a once-per-process initialisation is paid on every request.
//!
//! * `data/helm-chart-values.tsv` (written by `scripts/gen-helm-chart.py`) →
//!   `helm_chart_table.rs`, included by `src/dragonfly/helm_chart.rs`.
//!
//! It also makes the rule registry from the rule files (`build_registry.rs`).
//!
//! The TSV tables are plain tab-separated lines, `#` comment lines and one header row. The
//! schema is read with `serde_json` (a build dependency only).

#[path = "build_registry.rs"]
mod build_registry;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const FLAGS: &str = "data/flags.tsv";
const AUX_FLAGS: &str = "data/aux_flags.tsv";
const RELEASES: &str = "data/releases.tsv";

/// Project type name (data file) -> (`FlagType` variant, `NativeType` variant).
const TYPES: &[(&str, &str, &str)] = &[
    ("bool", "Bool", "Bool"),
    ("int32", "Int", "Int32"),
    ("uint16", "UInt", "UInt16"),
    ("uint32", "UInt", "UInt32"),
    ("uint64", "UInt", "UInt64"),
    ("uint64-min-64", "UInt", "UInt64AtLeast64"),
    ("float", "Float", "Float"),
    ("double", "Float", "Double"),
    ("string", "String", "String"),
    ("string-list", "StringList", "StringList"),
    ("memory-bytes", "MemoryBytes", "MemoryBytes"),
    ("cron", "Cron", "Cron"),
    ("replicaof", "Other", "ReplicaOf"),
    ("compression-mode", "Other", "CompressionMode"),
    ("lua-gc", "Other", "LuaGc"),
];

fn rows<'a>(path: &str, text: &'a str, header: &str, columns: usize) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut seen_header = false;
    for (number, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !seen_header {
            assert_eq!(line, header, "{path}:{}: unexpected header row", number + 1);
            seen_header = true;
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            columns,
            "{path}:{}: expected {columns} columns",
            number + 1
        );
        out.push(fields);
    }
    assert!(seen_header, "{path}: no header row");
    out
}

fn main() {
    flag_tables();
    acl_command_tables();
    spec_schema_table();
    helm_chart_table();
    build_registry::generate(Path::new(&env::var("OUT_DIR").expect("OUT_DIR")));
}

/// `v1.40.1` → `Release::new(1, 40, 1)` (checked against the release list).
fn release_expr(path: &str, tag: &str, releases: &[&str]) -> String {
    assert!(
        releases.contains(&tag),
        "{path}: {tag} is not in {RELEASES}"
    );
    let parts: Vec<u16> = tag
        .strip_prefix('v')
        .unwrap_or_else(|| panic!("{path}: release {tag} does not start with v"))
        .split('.')
        .map(|p| {
            p.parse()
                .unwrap_or_else(|_| panic!("{path}: bad release {tag}"))
        })
        .collect();
    assert_eq!(parts.len(), 3, "{path}: bad release {tag}");
    format!("Release::new({}, {}, {})", parts[0], parts[1], parts[2])
}

/// `v1.20.0..v1.33.1,v1.34.0..v1.40.1` → `&[(Release::new(..), Release::new(..)), …]`, and the
/// first and last release of the runs.
fn runs_expr<'a>(
    path: &str,
    name: &str,
    text: &'a str,
    releases: &[&str],
) -> (String, Option<(&'a str, &'a str)>) {
    if text.is_empty() {
        return ("&[]".to_string(), None);
    }
    let mut items = Vec::new();
    let mut bounds: Option<(&str, &str)> = None;
    for run in text.split(',') {
        let (first, last) = run
            .split_once("..")
            .unwrap_or_else(|| panic!("{path}: {name}: bad release run {run}"));
        let (i, j) = (
            releases.iter().position(|r| *r == first),
            releases.iter().position(|r| *r == last),
        );
        assert!(i <= j, "{path}: {name}: run {run} is backwards");
        items.push(format!(
            "({}, {})",
            release_expr(path, first, releases),
            release_expr(path, last, releases)
        ));
        bounds = Some((bounds.map_or(first, |b| b.0), last));
    }
    (format!("&[{}]", items.join(", ")), bounds)
}

fn flag_tables() {
    println!("cargo:rerun-if-changed={FLAGS}");
    println!("cargo:rerun-if-changed={AUX_FLAGS}");
    println!("cargo:rerun-if-changed={RELEASES}");
    println!("cargo:rerun-if-changed=build.rs");

    let flags_text = fs::read_to_string(FLAGS).expect("read data/flags.tsv");
    let aux_text = fs::read_to_string(AUX_FLAGS).expect("read data/aux_flags.tsv");
    let releases_text = fs::read_to_string(RELEASES).expect("read data/releases.tsv");

    let flags = rows(
        FLAGS,
        &flags_text,
        "name\ttype\tdefault\tsince\tuntil\tretired_since\treleases\tretired_in\tdescription",
        9,
    );
    let aux = rows(AUX_FLAGS, &aux_text, "name\tbinary", 2);
    let releases: Vec<&str> = rows(RELEASES, &releases_text, "tag", 1)
        .into_iter()
        .map(|r| r[0])
        .collect();
    assert!(!releases.is_empty(), "{RELEASES}: no releases");
    let newest = *releases.last().expect("not empty");

    let mut out = String::new();
    out.push_str(
        "// @generated by crates/core/build.rs from data/flags.tsv, data/releases.tsv and data/aux_flags.tsv\n",
    );
    writeln!(
        out,
        "pub(super) static RELEASES: [Release; {}] = [",
        releases.len()
    )
    .unwrap();
    let mut previous_release: Option<String> = None;
    for tag in &releases {
        let expr = release_expr(RELEASES, tag, &releases);
        if let Some(prev) = &previous_release {
            // Version order is checked at run time by a unit test (`Release` is `Ord`).
            assert_ne!(prev, &expr, "{RELEASES}: duplicate {tag}");
        }
        writeln!(out, "    {expr},").unwrap();
        previous_release = Some(expr);
    }
    out.push_str("];\n");

    writeln!(
        out,
        "pub(super) static FLAGS: [FlagSpec; {}] = [",
        flags.len()
    )
    .unwrap();
    let mut previous: Option<&str> = None;
    // Without the `docs` feature (the browser playground) the descriptions are left out.
    let with_docs = env::var_os("CARGO_FEATURE_DOCS").is_some();
    for f in &flags {
        let (name, ty, default, since, until, retired_since, present, retired_in, description) =
            (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
        let description = if with_docs { description } else { "" };
        if let Some(prev) = previous {
            assert!(prev < name, "{FLAGS}: not sorted or duplicate at {name}");
        }
        previous = Some(name);
        let (_, coarse, native) = TYPES
            .iter()
            .find(|(n, _, _)| *n == ty)
            .unwrap_or_else(|| panic!("{FLAGS}: {name}: unknown type {ty}"));
        let (present_expr, present_bounds) = runs_expr(FLAGS, name, present, &releases);
        let (retired_expr, retired_bounds) = runs_expr(FLAGS, name, retired_in, &releases);
        let (first, last) =
            present_bounds.unwrap_or_else(|| panic!("{FLAGS}: {name}: in no release"));
        assert_eq!(
            first, since,
            "{FLAGS}: {name}: since is not the first release"
        );
        let until_expr = if until == "current" {
            assert_eq!(
                last, newest,
                "{FLAGS}: {name}: `current` but not in {newest}"
            );
            "None".to_string()
        } else {
            assert_eq!(
                last, until,
                "{FLAGS}: {name}: until is not the last release"
            );
            assert_ne!(
                last, newest,
                "{FLAGS}: {name}: in {newest}, so until is `current`"
            );
            format!("Some({})", release_expr(FLAGS, until, &releases))
        };
        let retired_since_expr = match (retired_since, retired_bounds) {
            ("", None) => "None".to_string(),
            (tag, Some((first_retired, _))) if tag == first_retired => {
                format!("Some({})", release_expr(FLAGS, tag, &releases))
            }
            _ => panic!("{FLAGS}: {name}: retired_since and retired_in disagree"),
        };
        // Retired in the last release that has it.
        let retired = retired_bounds.is_some_and(|(_, last_retired)| last_retired == last);
        writeln!(
            out,
            "    FlagSpec {{ name: {name:?}, ty: FlagType::{coarse}, native: NativeType::{native}, \
             default: {default:?}, description: {description:?}, retired: {retired}, \
             since: {}, until: {until_expr}, retired_since: {retired_since_expr}, \
             releases: {present_expr}, retired_in: {retired_expr} }},",
            release_expr(FLAGS, since, &releases)
        )
        .unwrap();
    }
    out.push_str("];\n");

    writeln!(
        out,
        "pub(super) static AUX_FLAGS: [(&str, &str); {}] = [",
        aux.len()
    )
    .unwrap();
    let mut previous: Option<&str> = None;
    for a in &aux {
        if let Some(prev) = previous {
            assert!(prev <= a[0], "{AUX_FLAGS}: not sorted at {}", a[0]);
        }
        previous = Some(a[0]);
        writeln!(out, "    ({:?}, {:?}),", a[0], a[1]).unwrap();
    }
    out.push_str("];\n");

    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("flags_table.rs");
    fs::write(dest, out).expect("write flags_table.rs");
}

// ---------------------------------------------------------------------------------------------
// ACL command tables (src/acl/commands.rs)
// ---------------------------------------------------------------------------------------------

const DF_COMMANDS: &str = "data/dragonfly-commands.tsv";
const DF_CATEGORIES: &str = "data/dragonfly-categories.tsv";
const REDIS_COMMANDS: &str = "data/redis-commands.tsv";
const REDIS_CATEGORIES: &str = "data/redis-categories.tsv";

/// Key-spec flag name (as Redis spells it in COMMAND INFO, compared case-insensitively) →
/// constant in `src/acl/commands.rs`.
const KEY_FLAGS: &[(&str, &str)] = &[
    ("ro", "KEY_RO"),
    ("rw", "KEY_RW"),
    ("ow", "KEY_OW"),
    ("rm", "KEY_RM"),
    ("access", "KEY_ACCESS"),
    ("update", "KEY_UPDATE"),
    ("insert", "KEY_INSERT"),
    ("delete", "KEY_DELETE"),
    ("not_key", "KEY_NOT_KEY"),
    ("incomplete", "KEY_INCOMPLETE"),
    ("variable_flags", "KEY_VARIABLE_FLAGS"),
];

/// Flags a data file may carry, per dialect (anything else is a typo or a new upstream flag
/// that the Rust side has to learn about first).
const DF_FLAGS: &[&str] = &[
    "readonly",
    "write",
    "admin",
    "dangerous",
    "pubsub",
    "fast",
    "blocking",
    "noscript",
    "loading",
    "denyoom",
    "variadic_keys",
    "global_trans",
    "no_key_transactional",
    "no_key_tx_span_all",
    "store_last_key",
    "no_autojournal",
    "idempotent",
    "hidden",
    "opt_admin",
    "opt_dangerous",
];
const REDIS_FLAGS: &[&str] = &[
    "write",
    "readonly",
    "denyoom",
    "module",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "asking",
    "fast",
    "no_auth",
    "may_replicate",
    "no_mandatory_keys",
    "no_async_loading",
    "no_multi",
    "movablekeys",
    "allow_busy",
    "sentinel",
    "only_sentinel",
    "touches_arbitrary_keys",
];

/// The version named in the first comment line after `marker`, up to the next blank/`)`.
fn version_after(path: &str, text: &str, marker: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let start = line
        .find(marker)
        .unwrap_or_else(|| panic!("{path}: first line does not name the version ({marker})"))
        + marker.len();
    line[start..]
        .split(|c: char| c.is_whitespace() || c == ')')
        .next()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{path}: empty version"))
        .trim_start_matches('v')
        .to_string()
}

fn int(path: &str, name: &str, what: &str, value: &str) -> i32 {
    value
        .parse()
        .unwrap_or_else(|_| panic!("{path}: {name}: {what} is not an integer: {value:?}"))
}

/// `name bit redis7_standard` → (name, bit), emitted as `[Category; N]`.
fn category_table(
    out: &mut String,
    path: &str,
    text: &str,
    static_name: &str,
) -> Vec<(String, u8)> {
    let rows = rows(path, text, "name\tbit\tredis7_standard", 3);
    let mut cats = Vec::new();
    writeln!(out, "static {static_name}: [Category; {}] = [", rows.len()).unwrap();
    for r in &rows {
        let bit: u8 = r[1]
            .parse()
            .unwrap_or_else(|_| panic!("{path}: {}: bad bit {:?}", r[0], r[1]));
        assert!(
            bit < 64,
            "{path}: {}: bit {bit} does not fit a CategorySet",
            r[0]
        );
        assert!(
            r[0].bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{path}: category names must be lower-case: {}",
            r[0]
        );
        assert!(
            matches!(r[2], "yes" | "no"),
            "{path}: {}: redis7_standard must be yes/no",
            r[0]
        );
        assert!(
            cats.iter().all(|(n, b)| n != r[0] && *b != bit),
            "{path}: duplicate category name or bit at {}",
            r[0]
        );
        writeln!(
            out,
            "    Category {{ name: {:?}, bit: {bit}, redis7_standard: {} }},",
            r[0],
            r[2] == "yes"
        )
        .unwrap();
        cats.push((r[0].to_string(), bit));
    }
    out.push_str("];\n");
    cats
}

fn category_set(path: &str, name: &str, field: &str, cats: &[(String, u8)]) -> u64 {
    if field == "-" {
        return 0;
    }
    field.split(' ').fold(0u64, |set, cat| {
        let (_, bit) = cats
            .iter()
            .find(|(n, _)| n == cat)
            .unwrap_or_else(|| panic!("{path}: {name}: unknown category {cat}"));
        set | (1u64 << bit)
    })
}

fn flag_list<'a>(path: &str, name: &str, field: &'a str, known: &[&str]) -> Vec<&'a str> {
    if field == "-" {
        return Vec::new();
    }
    field
        .split(' ')
        .inspect(|f| {
            let base = f.split('=').next().unwrap_or_default();
            assert!(
                known.contains(&base) || base == "build",
                "{path}: {name}: unknown flag {f}"
            );
        })
        .collect()
}

/// Renders one key spec `BEGIN/FIND/FLAGS` (see scripts/gen-redis-commands.py).
fn key_spec(path: &str, name: &str, spec: &str) -> (String, bool) {
    let parts: Vec<&str> = spec.split('/').collect();
    assert_eq!(parts.len(), 3, "{path}: {name}: bad key spec {spec:?}");
    let b: Vec<&str> = parts[0].split(':').collect();
    let begin = match b.as_slice() {
        ["index", n] => format!("BeginSearch::Index({})", int(path, name, "index", n)),
        ["keyword", kw, from] => format!(
            "BeginSearch::Keyword {{ keyword: {kw:?}, start_from: {} }}",
            int(path, name, "startfrom", from)
        ),
        ["unknown"] => "BeginSearch::Unknown".to_string(),
        _ => panic!("{path}: {name}: bad begin_search {:?}", parts[0]),
    };
    let f: Vec<&str> = parts[1].split(':').collect();
    let find = match f.as_slice() {
        ["range", last, step, limit] => format!(
            "FindKeys::Range {{ last_key: {}, step: {}, limit: {} }}",
            int(path, name, "lastkey", last),
            int(path, name, "keystep", step),
            int(path, name, "limit", limit)
        ),
        ["keynum", idx, first, step] => format!(
            "FindKeys::KeyNum {{ key_num_idx: {}, first_key: {}, step: {} }}",
            int(path, name, "keynumidx", idx),
            int(path, name, "firstkey", first),
            int(path, name, "keystep", step)
        ),
        ["unknown"] => "FindKeys::Unknown".to_string(),
        _ => panic!("{path}: {name}: bad find_keys {:?}", parts[1]),
    };
    let mut flags = Vec::new();
    let mut not_key = false;
    if parts[2] != "-" {
        for flag in parts[2].split(',') {
            let lower = flag.to_ascii_lowercase();
            let (_, constant) = KEY_FLAGS
                .iter()
                .find(|(n, _)| *n == lower)
                .unwrap_or_else(|| panic!("{path}: {name}: unknown key-spec flag {flag}"));
            not_key |= lower == "not_key";
            flags.push(*constant);
        }
    }
    let flags = if flags.is_empty() {
        "0".to_string()
    } else {
        flags.join(" | ")
    };
    (
        format!("KeySpec {{ begin: {begin}, find: {find}, flags: {flags} }}"),
        not_key,
    )
}

/// The bits of `flags` over `names`, which gains the names it lacks.
fn flag_bits(flags: &[String], names: &mut Vec<String>) -> u64 {
    let mut bits = 0u64;
    for flag in flags {
        let at = names.iter().position(|n| n == flag).unwrap_or_else(|| {
            names.push(flag.clone());
            names.len() - 1
        });
        assert!(at < 64, "more than 64 distinct command flags");
        bits |= 1 << at;
    }
    bits
}

struct CommandRow {
    name: String,
    parent: Option<String>,
    arity: i32,
    categories: u64,
    flags: Vec<String>,
    first_key: i32,
    last_key: i32,
    step: i32,
    key_specs: Vec<String>,
    key_acl_checked: bool,
}

/// `flag_names`: every command flag seen so far, in order of first appearance; a command's
/// flags are emitted as bits over it (a list of strings per command was a tenth of the
/// browser module's data).
fn emit_commands(
    out: &mut String,
    path: &str,
    static_name: &str,
    commands: &[CommandRow],
    flag_names: &mut Vec<String>,
) {
    writeln!(
        out,
        "static {static_name}: [Command; {}] = [",
        commands.len()
    )
    .unwrap();
    let mut previous: Option<&str> = None;
    for c in commands {
        if let Some(prev) = previous {
            assert!(
                prev < c.name.as_str(),
                "{path}: not sorted or duplicate at {}",
                c.name
            );
        }
        previous = Some(&c.name);
        assert!(
            !c.name.bytes().any(|b| b.is_ascii_uppercase()),
            "{path}: names must be lower-case: {}",
            c.name
        );
        let has = |f: &str| c.flags.iter().any(|x| x == f);
        let build = c
            .flags
            .iter()
            .find_map(|f| f.strip_prefix("build="))
            .map(|b| format!("Some({:?})", b.to_ascii_uppercase()))
            .unwrap_or_else(|| "None".to_string());
        writeln!(
            out,
            "    Command {{ name: {:?}, parent: {:?}, arity: {}, categories: {:#x}, \
             readonly: {}, write: {}, admin: {}, dangerous: {}, pubsub: {}, fast: {}, \
             blocking: {}, noscript: {}, no_auth: {}, movable_keys: {}, \
             first_key: {}, last_key: {}, key_step: {}, key_specs: &[{}], \
             key_acl_checked: {}, build_switch: {build}, flags: {:#x} }},",
            c.name,
            c.parent,
            c.arity,
            c.categories,
            has("readonly"),
            has("write"),
            has("admin"),
            has("dangerous"),
            has("pubsub"),
            has("fast"),
            has("blocking"),
            has("noscript"),
            has("no_auth"),
            has("movablekeys") || has("variadic_keys"),
            c.first_key,
            c.last_key,
            c.step,
            c.key_specs.join(", "),
            c.key_acl_checked,
            flag_bits(&c.flags, flag_names),
        )
        .unwrap();
    }
    out.push_str("];\n");
}

/// Index tables derived from a command table (`commands` sorted as emitted), so the ACL
/// evaluator and rules neither scan the table nor build them at run time (the Kubewarden
/// policy would rebuild a `OnceLock` table in every fresh wasm instance):
///
/// * `{prefix}_CATEGORY_MEMBERS`: per category bit, the indexes of the commands in it;
/// * `{prefix}_CATEGORY_WORDS`: the same as a bitset (64 commands per word, as `CommandSet`);
/// * `{prefix}_SUBCOMMANDS`: per command, the indexes of the commands whose parent it is.
fn emit_command_indexes(out: &mut String, prefix: &str, commands: &[CommandRow]) {
    assert!(
        commands.len() <= usize::from(u16::MAX),
        "{prefix}: too many commands"
    );
    let words = commands.len().div_ceil(64);
    let list = |indexes: &[usize]| {
        let items: Vec<String> = indexes.iter().map(|i| i.to_string()).collect();
        format!("&[{}]", items.join(", "))
    };
    writeln!(out, "static {prefix}_CATEGORY_MEMBERS: [&[u16]; 64] = [").unwrap();
    let mut category_words = Vec::new();
    for bit in 0..64 {
        let members: Vec<usize> = (0..commands.len())
            .filter(|&i| commands[i].categories & (1u64 << bit) != 0)
            .collect();
        let mut set = vec![0u64; words];
        for &i in &members {
            set[i / 64] |= 1u64 << (i % 64);
        }
        category_words.push(set);
        writeln!(out, "    {},", list(&members)).unwrap();
    }
    out.push_str("];\n");
    writeln!(
        out,
        "static {prefix}_CATEGORY_WORDS: [[u64; {words}]; 64] = ["
    )
    .unwrap();
    for set in &category_words {
        let items: Vec<String> = set.iter().map(|w| format!("{w:#x}")).collect();
        writeln!(out, "    [{}],", items.join(", ")).unwrap();
    }
    out.push_str("];\n");
    writeln!(
        out,
        "static {prefix}_SUBCOMMANDS: [&[u16]; {}] = [",
        commands.len()
    )
    .unwrap();
    for c in commands {
        let subs: Vec<usize> = (0..commands.len())
            .filter(|&i| commands[i].parent.as_deref() == Some(c.name.as_str()))
            .collect();
        writeln!(out, "    {},", list(&subs)).unwrap();
    }
    out.push_str("];\n");
}

fn acl_command_tables() {
    for path in [DF_COMMANDS, DF_CATEGORIES, REDIS_COMMANDS, REDIS_CATEGORIES] {
        println!("cargo:rerun-if-changed={path}");
    }
    let read = |path: &str| fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let df_commands = read(DF_COMMANDS);
    let df_categories = read(DF_CATEGORIES);
    let redis_commands = read(REDIS_COMMANDS);
    let redis_categories = read(REDIS_CATEGORIES);

    let mut out = String::new();
    out.push_str(
        "// @generated by crates/core/build.rs from data/dragonfly-commands.tsv, \
         data/dragonfly-categories.tsv, data/redis-commands.tsv and data/redis-categories.tsv\n",
    );
    writeln!(
        out,
        "const DF_VERSION: &str = {:?};",
        version_after(DF_COMMANDS, &df_commands, "Dragonfly ")
    )
    .unwrap();
    writeln!(
        out,
        "const REDIS_VERSION_: &str = {:?};",
        version_after(REDIS_COMMANDS, &redis_commands, "redis_version=")
    )
    .unwrap();

    // Dragonfly.
    let df_cats = category_table(&mut out, DF_CATEGORIES, &df_categories, "DF_CATEGORIES");
    let rows_df = rows(
        DF_COMMANDS,
        &df_commands,
        "name\tarity\tfirst_key\tlast_key\tstep\tflags\tcategories\tkey_acl_checked",
        8,
    );
    let df: Vec<CommandRow> = rows_df
        .iter()
        .map(|r| {
            let name = r[0];
            let flags = flag_list(DF_COMMANDS, name, r[5], DF_FLAGS);
            let key_acl_checked = match r[7] {
                "yes" => true,
                "no" => false,
                other => {
                    panic!("{DF_COMMANDS}: {name}: key_acl_checked must be yes/no, got {other}")
                }
            };
            CommandRow {
                name: name.to_string(),
                parent: name.split_once(' ').map(|(p, _)| p.to_string()),
                arity: int(DF_COMMANDS, name, "arity", r[1]),
                first_key: int(DF_COMMANDS, name, "first_key", r[2]),
                last_key: int(DF_COMMANDS, name, "last_key", r[3]),
                step: int(DF_COMMANDS, name, "step", r[4]),
                flags: flags.iter().map(|s| s.to_string()).collect(),
                categories: category_set(DF_COMMANDS, name, r[6], &df_cats),
                key_specs: Vec::new(),
                key_acl_checked,
            }
        })
        .collect();
    let mut flag_names = Vec::new();
    emit_commands(&mut out, DF_COMMANDS, "DF_COMMANDS", &df, &mut flag_names);
    emit_command_indexes(&mut out, "DF", &df);

    // Redis.
    let redis_cats = category_table(
        &mut out,
        REDIS_CATEGORIES,
        &redis_categories,
        "REDIS_CATEGORIES",
    );
    let rows_redis = rows(
        REDIS_COMMANDS,
        &redis_commands,
        "name\tarity\tflags\tcategories\tfirst_key\tlast_key\tstep\tkey_specs",
        8,
    );
    let redis: Vec<CommandRow> = rows_redis
        .iter()
        .map(|r| {
            let name = r[0];
            let flags = flag_list(REDIS_COMMANDS, name, r[2], REDIS_FLAGS);
            let mut key_specs = Vec::new();
            let mut real_key = false;
            if r[7] != "-" {
                for spec in r[7].split(';') {
                    let (rendered, not_key) = key_spec(REDIS_COMMANDS, name, spec);
                    real_key |= !not_key;
                    key_specs.push(rendered);
                }
            }
            let mut flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
            // Dangerous is a category in Redis; mirror it as a flag like Dragonfly's marker.
            let categories = category_set(REDIS_COMMANDS, name, r[3], &redis_cats);
            let dangerous_bit = redis_cats
                .iter()
                .find(|(n, _)| n == "dangerous")
                .map(|(_, b)| *b);
            if dangerous_bit.is_some_and(|b| categories & (1u64 << b) != 0) {
                flags.push("dangerous".to_string());
            }
            CommandRow {
                name: name.to_string(),
                parent: name.split_once('|').map(|(p, _)| p.to_string()),
                arity: int(REDIS_COMMANDS, name, "arity", r[1]),
                first_key: int(REDIS_COMMANDS, name, "first_key", r[4]),
                last_key: int(REDIS_COMMANDS, name, "last_key", r[5]),
                step: int(REDIS_COMMANDS, name, "step", r[6]),
                flags,
                categories,
                key_specs,
                // doesCommandHaveKeys(): a key spec not marked NOT_KEY.
                key_acl_checked: real_key,
            }
        })
        .collect();
    for c in &redis {
        if let Some(parent) = &c.parent {
            assert!(
                redis.iter().any(|p| &p.name == parent),
                "{REDIS_COMMANDS}: {}: parent {parent} missing",
                c.name
            );
        }
    }
    emit_commands(
        &mut out,
        REDIS_COMMANDS,
        "REDIS_COMMANDS",
        &redis,
        &mut flag_names,
    );
    emit_command_indexes(&mut out, "REDIS", &redis);
    writeln!(
        out,
        "static COMMAND_FLAG_NAMES: [&str; {}] = {:?};",
        flag_names.len(),
        flag_names
    )
    .unwrap();

    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("acl_commands_table.rs");
    fs::write(dest, out).expect("write acl_commands_table.rs");
}

// ---------------------------------------------------------------------------------------------
// Dragonfly spec schema (src/dragonfly/schema.rs)
// ---------------------------------------------------------------------------------------------

const SPEC_SCHEMA: &str = "data/dragonfly-v1alpha1-spec.schema.json";

/// The only `pattern` the validator implements (by hand, `is_quantity` in
/// `src/dragonfly/schema.rs`, which has the same constant and a test that the schema's patterns
/// equal it). Any other pattern stops the build: silently skipping it would lose a check.
const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// The draft whose semantics the validator implements (`items` is one schema, a `$ref` beside
/// other keywords would be applied together with them).
const SCHEMA_DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// JSON Schema type name → bit constant in `src/dragonfly/schema.rs`.
const JSON_TYPES: &[(&str, &str)] = &[
    ("object", "T_OBJECT"),
    ("array", "T_ARRAY"),
    ("integer", "T_INTEGER"),
    ("number", "T_NUMBER"),
    ("string", "T_STRING"),
    ("boolean", "T_BOOLEAN"),
    ("null", "T_NULL"),
];

/// Keywords of a schema node the validator understands; `format` (OpenAPI `int32`, `int64`…)
/// and `$comment` are annotations and are ignored on purpose.
const NODE_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "pattern",
    "format",
    "$comment",
];
/// Keywords allowed only at the root, beside [`NODE_KEYWORDS`] (`$defs` is resolved here,
/// the others are annotations).
const ROOT_KEYWORDS: &[&str] = &["$schema", "$defs", "x-dflint-source"];

/// Flattens the schema into `static SPEC_NODES: [SchemaNode; N]` plus `SPEC_ROOT`. Every
/// `$ref` becomes the index of its definition, and structurally identical nodes (hundreds of
/// `{"type": "string"}`) share one entry.
struct SchemaTable<'a> {
    defs: &'a serde_json::Map<String, serde_json::Value>,
    /// Rendered `SchemaNode` expressions; `None` while a definition is being rendered (its
    /// index is reserved first so that a recursive definition can refer to itself).
    nodes: Vec<Option<String>>,
    /// Rendered expression → index, for sharing identical nodes.
    interned: std::collections::HashMap<String, usize>,
    /// Definition name → index.
    def_index: std::collections::HashMap<String, usize>,
    /// Definitions that are plain `$ref`s being resolved (to catch `$ref` cycles).
    aliasing: Vec<String>,
}

impl SchemaTable<'_> {
    /// The index of the node for `schema`, found at `path` (for messages).
    fn node(&mut self, schema: &serde_json::Value, path: &str) -> usize {
        let object = schema.as_object().unwrap_or_else(|| {
            panic!("{SPEC_SCHEMA}: {path}: only object schemas are supported, found {schema}")
        });
        if let Some(target) = object.get("$ref") {
            return self.reference(object, target, path);
        }
        let rendered = self.render(object, path, false);
        if let Some(&index) = self.interned.get(&rendered) {
            return index;
        }
        self.nodes.push(Some(rendered.clone()));
        self.interned.insert(rendered, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn reference(
        &mut self,
        object: &serde_json::Map<String, serde_json::Value>,
        target: &serde_json::Value,
        path: &str,
    ) -> usize {
        // In draft 2020-12 the keywords beside a `$ref` apply too; the table has one node per
        // location, so refuse rather than drop them.
        if let Some(other) = object.keys().find(|k| *k != "$ref" && *k != "$comment") {
            panic!("{SPEC_SCHEMA}: {path}: `{other}` beside `$ref` is not supported");
        }
        let name = target
            .as_str()
            .and_then(|t| t.strip_prefix("#/$defs/"))
            .unwrap_or_else(|| {
                panic!("{SPEC_SCHEMA}: {path}: only `#/$defs/<name>` references are supported, found {target}")
            });
        self.definition(name, path)
    }

    fn definition(&mut self, name: &str, path: &str) -> usize {
        if let Some(&index) = self.def_index.get(name) {
            return index;
        }
        let schema = self.defs.get(name).unwrap_or_else(|| {
            panic!("{SPEC_SCHEMA}: {path}: dangling reference to `#/$defs/{name}`")
        });
        let def_path = format!("#/$defs/{name}");
        let object = schema.as_object().unwrap_or_else(|| {
            panic!("{SPEC_SCHEMA}: {def_path}: only object schemas are supported")
        });
        if let Some(target) = object.get("$ref") {
            assert!(
                !self.aliasing.iter().any(|n| n == name),
                "{SPEC_SCHEMA}: {def_path}: `$ref` cycle through {:?}",
                self.aliasing
            );
            self.aliasing.push(name.to_string());
            let index = self.reference(object, target, &def_path);
            self.aliasing.pop();
            self.def_index.insert(name.to_string(), index);
            return index;
        }
        let index = self.nodes.len();
        self.nodes.push(None);
        self.def_index.insert(name.to_string(), index);
        let rendered = self.render(object, &def_path, false);
        self.interned.entry(rendered.clone()).or_insert(index);
        self.nodes[index] = Some(rendered);
        index
    }

    /// The `SchemaNode { .. }` expression for a schema without `$ref`; rejects every keyword
    /// the validator does not implement.
    fn render(
        &mut self,
        object: &serde_json::Map<String, serde_json::Value>,
        path: &str,
        root: bool,
    ) -> String {
        for key in object.keys() {
            let known = NODE_KEYWORDS.contains(&key.as_str())
                || (root && ROOT_KEYWORDS.contains(&key.as_str()));
            assert!(
                known,
                "{SPEC_SCHEMA}: {path}: keyword `{key}` is not implemented by dflint's spec \
                 validator (src/dragonfly/schema.rs); teach it and build.rs the keyword first, \
                 or its check would be lost silently"
            );
        }
        if let Some(draft) = object.get("$schema") {
            assert_eq!(
                draft.as_str(),
                Some(SCHEMA_DRAFT),
                "{SPEC_SCHEMA}: the validator implements draft 2020-12 only"
            );
        }
        for annotation in ["format", "$comment"] {
            if let Some(value) = object.get(annotation) {
                assert!(
                    value.is_string(),
                    "{SPEC_SCHEMA}: {path}: `{annotation}` must be a string"
                );
            }
        }

        let types = match object.get("type") {
            None => "T_ANY".to_string(),
            Some(serde_json::Value::String(name)) => type_constant(name, path).to_string(),
            Some(serde_json::Value::Array(names)) if !names.is_empty() => {
                let mut constants: Vec<&str> = names
                    .iter()
                    .map(|n| {
                        let n = n.as_str().unwrap_or_else(|| {
                            panic!("{SPEC_SCHEMA}: {path}: type names must be strings")
                        });
                        type_constant(n, path)
                    })
                    .collect();
                let count = constants.len();
                constants.sort_unstable();
                constants.dedup();
                assert_eq!(
                    constants.len(),
                    count,
                    "{SPEC_SCHEMA}: {path}: duplicate type"
                );
                constants.join(" | ")
            }
            Some(other) => panic!("{SPEC_SCHEMA}: {path}: unsupported `type` {other}"),
        };

        let quantity = match object.get("pattern") {
            None => false,
            Some(pattern) if pattern.as_str() == Some(QUANTITY_PATTERN) => true,
            Some(pattern) => panic!(
                "{SPEC_SCHEMA}: {path}: pattern {pattern} is not implemented; dflint checks only \
                 the Kubernetes quantity pattern, by hand (no regex engine in the library)"
            ),
        };

        let mut required: Vec<&str> = Vec::new();
        if let Some(names) = object.get("required") {
            let names = names
                .as_array()
                .unwrap_or_else(|| panic!("{SPEC_SCHEMA}: {path}: `required` must be an array"));
            for name in names {
                let name = name.as_str().unwrap_or_else(|| {
                    panic!("{SPEC_SCHEMA}: {path}: `required` entries must be strings")
                });
                assert!(
                    !required.contains(&name),
                    "{SPEC_SCHEMA}: {path}: `{name}` is required twice"
                );
                required.push(name);
            }
        }

        let mut properties: Vec<(&str, usize)> = Vec::new();
        if let Some(props) = object.get("properties") {
            let props = props
                .as_object()
                .unwrap_or_else(|| panic!("{SPEC_SCHEMA}: {path}: `properties` must be an object"));
            for (name, child) in props {
                let index = self.node(child, &format!("{path}/properties/{name}"));
                properties.push((name, index));
            }
        }
        // The validator looks names up by binary search (byte order).
        properties.sort_unstable_by(|a, b| a.0.cmp(b.0));

        let additional = match object.get("additionalProperties") {
            None | Some(serde_json::Value::Bool(true)) => "Additional::Any".to_string(),
            Some(serde_json::Value::Bool(false)) => "Additional::Closed".to_string(),
            Some(schema @ serde_json::Value::Object(_)) => {
                let index = self.node(schema, &format!("{path}/additionalProperties"));
                format!("Additional::Schema({index})")
            }
            Some(other) => {
                panic!("{SPEC_SCHEMA}: {path}: unsupported `additionalProperties` {other}")
            }
        };

        let items = match object.get("items") {
            None => "None".to_string(),
            Some(schema @ serde_json::Value::Object(_)) => {
                format!("Some({})", self.node(schema, &format!("{path}/items")))
            }
            Some(other) => panic!(
                "{SPEC_SCHEMA}: {path}: `items` must be one schema (draft 2020-12), found {other}"
            ),
        };

        let mut out = format!("SchemaNode {{ types: {types}, properties: &[");
        for (i, (name, index)) in properties.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write!(out, "({name:?}, {index})").unwrap();
        }
        write!(
            out,
            "], additional: {additional}, required: &{required:?}, items: {items}, \
             quantity: {quantity} }}"
        )
        .unwrap();
        out
    }
}

fn type_constant<'a>(name: &str, path: &str) -> &'a str {
    JSON_TYPES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, constant)| *constant)
        .unwrap_or_else(|| panic!("{SPEC_SCHEMA}: {path}: unknown type `{name}`"))
}

fn spec_schema_table() {
    println!("cargo:rerun-if-changed={SPEC_SCHEMA}");
    let text =
        fs::read_to_string(SPEC_SCHEMA).unwrap_or_else(|e| panic!("read {SPEC_SCHEMA}: {e}"));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SPEC_SCHEMA}: {e}"));
    let root = schema
        .as_object()
        .unwrap_or_else(|| panic!("{SPEC_SCHEMA}: the root must be an object schema"));
    assert!(
        !root.contains_key("$ref"),
        "{SPEC_SCHEMA}: a `$ref` at the root is not supported"
    );
    let no_defs = serde_json::Map::new();
    let defs = match root.get("$defs") {
        None => &no_defs,
        Some(defs) => defs
            .as_object()
            .unwrap_or_else(|| panic!("{SPEC_SCHEMA}: `$defs` must be an object")),
    };
    let mut table = SchemaTable {
        defs,
        nodes: Vec::new(),
        interned: std::collections::HashMap::new(),
        def_index: std::collections::HashMap::new(),
        aliasing: Vec::new(),
    };
    let rendered = table.render(root, "#", true);
    table.nodes.push(Some(rendered));
    let root_index = table.nodes.len() - 1;
    // Unreferenced definitions are checked too, so that no keyword slips through; they cost
    // a node or two at most.
    for name in defs.keys() {
        table.definition(name, "#/$defs");
    }
    assert!(
        table.nodes.len() <= usize::from(u16::MAX),
        "{SPEC_SCHEMA}: too many schema nodes for u16 indices"
    );

    let mut out = String::new();
    out.push_str(
        "// @generated by crates/core/build.rs from data/dragonfly-v1alpha1-spec.schema.json\n",
    );
    writeln!(out, "const SPEC_ROOT: u16 = {root_index};").unwrap();
    writeln!(
        out,
        "static SPEC_NODES: [SchemaNode; {}] = [",
        table.nodes.len()
    )
    .unwrap();
    for (index, node) in table.nodes.iter().enumerate() {
        let node = node
            .as_deref()
            .unwrap_or_else(|| panic!("schema node {index} was never rendered"));
        writeln!(out, "    /* {index} */ {node},").unwrap();
    }
    out.push_str("];\n");

    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("spec_schema_table.rs");
    fs::write(dest, out).expect("write spec_schema_table.rs");
}

const HELM_CHART_VALUES: &str = "data/helm-chart-values.tsv";

/// The values keys of the official Helm chart, sorted by key:
/// `CHART_KEYS: [(key, first, last, opaque); N]`.
fn helm_chart_table() {
    println!("cargo:rerun-if-changed={HELM_CHART_VALUES}");
    let releases_text = fs::read_to_string(RELEASES).expect("read data/releases.tsv");
    let releases: Vec<&str> = rows(RELEASES, &releases_text, "tag", 1)
        .into_iter()
        .map(|r| r[0])
        .collect();
    let text = fs::read_to_string(HELM_CHART_VALUES).expect("read data/helm-chart-values.tsv");
    let mut keys = rows(HELM_CHART_VALUES, &text, "key\tfirst\tlast\topaque", 4);
    keys.sort_by(|a, b| a[0].cmp(b[0]));
    let mut out =
        String::from("// @generated by crates/core/build.rs from data/helm-chart-values.tsv\n");
    writeln!(
        out,
        "pub(super) static CHART_KEYS: [(&str, Release, Release, bool); {}] = [",
        keys.len()
    )
    .unwrap();
    for row in &keys {
        let opaque = match row[3] {
            "yes" => true,
            "no" => false,
            other => panic!("{HELM_CHART_VALUES}: {}: opaque is `{other}`", row[0]),
        };
        writeln!(
            out,
            "    ({:?}, {}, {}, {opaque}),",
            row[0],
            release_expr(HELM_CHART_VALUES, row[1], &releases),
            release_expr(HELM_CHART_VALUES, row[2], &releases),
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("helm_chart_table.rs");
    fs::write(dest, out).expect("write helm_chart_table.rs");
}
