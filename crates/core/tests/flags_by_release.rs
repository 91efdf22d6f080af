//! Checks dflint's per-release flag facts against the extraction they were generated from:
//! `flags-by-release.tsv` and `releases.tsv` of the `shared/` directory beside the repository
//! (`../shared/reference/dragonfly/` from the repository root), read at run time. A missing
//! file fails the test; it is never skipped.
//!
//! * For every flag name of the extraction and every release: whether the release accepts it
//!   (a `flag` or `retired` row has first_release ≤ release ≤ last_release, by version), and
//!   whether it is retired there, agree with `FlagSpec::in_release` / `retired_in`.
//! * For a sample of flags and every release, the rules agree too: a CR whose image is that
//!   release gets DF101 (unknown-flag) exactly for the flags the release lacks, and DF110
//!   (retired-flag) exactly for the ones it retired.
//! * The release list, and the per-release counts of live and retired flags.

use dflint_core::flags::{self, Release};
use dflint_core::{lint, LintConfig, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn read(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/dragonfly")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}. This test checks dflint's flag tables against the Dragonfly \
             flag extraction in the `shared/` directory beside the repository \
             (shared/reference/dragonfly/{name}); it is not part of the repository.",
            path.display()
        )
    })
}

/// Rows of a plain TSV file (header dropped, no quoting).
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
        .collect()
}

fn release(tag: &str) -> Release {
    Release::parse(tag).unwrap_or_else(|| panic!("not a release: {tag}"))
}

struct Reference {
    /// The releases flag ranges cover, in file order.
    releases: Vec<Release>,
    /// releases.tsv's (flag_count, retired_count) per release.
    counts: BTreeMap<Release, (usize, usize)>,
    /// Every flag name (build-only ones included) → (releases accepting it, releases retiring it).
    flags: BTreeMap<String, (BTreeSet<Release>, BTreeSet<Release>)>,
}

fn reference() -> Reference {
    let releases_text = read("releases.tsv");
    let mut releases = Vec::new();
    let mut counts = BTreeMap::new();
    for row in rows(&releases_text) {
        // `v1.31.5-internal`: an internal tag the extraction leaves out of the flag ranges.
        if row
            .last()
            .is_some_and(|n| n.contains("excluded from flag ranges"))
        {
            continue;
        }
        let r = release(row[0]);
        releases.push(r);
        counts.insert(r, (row[4].parse().unwrap(), row[5].parse().unwrap()));
    }
    let by_release = read("flags-by-release.tsv");
    let mut flags: BTreeMap<String, (BTreeSet<Release>, BTreeSet<Release>)> = BTreeMap::new();
    for row in rows(&by_release) {
        assert_eq!(row.len(), 9, "{row:?}");
        let (name, kind, first, last) = (row[0], row[1], release(row[4]), release(row[5]));
        let entry = flags.entry(name.to_string()).or_default();
        if kind == "build-only" {
            continue;
        }
        for &r in releases.iter().filter(|&&r| first <= r && r <= last) {
            entry.0.insert(r);
            if kind == "retired" {
                entry.1.insert(r);
            }
        }
    }
    Reference {
        releases,
        counts,
        flags,
    }
}

#[test]
fn the_release_list_is_the_extractions() {
    let reference = reference();
    assert_eq!(flags::releases(), reference.releases.as_slice());
    assert_eq!(reference.releases.len(), 64);
    assert_eq!(
        flags::newest_release().to_string(),
        flags::DRAGONFLY_VERSION
    );
}

#[test]
fn every_flag_in_every_release_agrees() {
    let reference = reference();
    assert!(reference.flags.len() >= 284, "{}", reference.flags.len());
    let mut checked = 0;
    for (name, (accepted, retired)) in &reference.flags {
        let spec = flags::lookup(name);
        if accepted.is_empty() {
            // Only compiled into fuzzing or absl-logging builds: no release binary has it.
            assert!(spec.is_none(), "{name} is in no release build");
            continue;
        }
        let spec = spec.unwrap_or_else(|| panic!("{name} is missing from dflint's table"));
        for &r in &reference.releases {
            assert_eq!(spec.in_release(r), accepted.contains(&r), "{name} in {r}");
            assert_eq!(
                spec.retired_in(r),
                retired.contains(&r),
                "{name} retired in {r}"
            );
            checked += 1;
        }
        assert_eq!(Some(&spec.since), accepted.first(), "{name}: since");
        let last = *accepted.last().unwrap();
        let until = (last != flags::newest_release()).then_some(last);
        assert_eq!(spec.until, until, "{name}: until");
        assert_eq!(spec.retired_since, retired.first().copied(), "{name}");
    }
    assert!(checked > 284 * 60);
    // Nothing in dflint's table that no release has.
    for spec in flags::all() {
        assert!(
            reference
                .flags
                .get(spec.name)
                .is_some_and(|f| !f.0.is_empty()),
            "{} is in dflint's table but in no release build",
            spec.name
        );
    }
}

#[test]
fn release_counts_agree() {
    let reference = reference();
    for (&r, &(live, retired)) in &reference.counts {
        let ours_retired = flags::all().iter().filter(|f| f.retired_in(r)).count();
        let ours_live = flags::all().iter().filter(|f| f.in_release(r)).count() - ours_retired;
        assert_eq!((ours_live, ours_retired), (live, retired), "{r}");
    }
}

/// The facts the issue named, read again from the upstream source:
/// `src/server/journal/journal_slice.cc:20@v1.40.1` is
/// `ABSL_FLAG(uint32_t, shard_repl_backlog_len, 8192, …)` (live, not retired), and no release's
/// `src/` defines `shard_repl_backlog_time_ms` (it was added on main after v1.40.1).
#[test]
fn the_two_corrected_facts() {
    let reference = reference();
    let newest = flags::newest_release();
    let len = flags::lookup("shard_repl_backlog_len").unwrap();
    assert!(len.in_release(newest) && !len.retired_in(newest));
    assert!(reference.flags["shard_repl_backlog_len"].1.is_empty());
    assert!(!reference.flags.contains_key("shard_repl_backlog_time_ms"));
    assert!(flags::lookup("shard_repl_backlog_time_ms").is_none());
}

/// A sample of flags: the interesting ones (gaps, removals, retirements, mis-numbered tags,
/// logging flags that differ between glog and absl-logging releases), then every seventh
/// name of the extraction.
fn sample(reference: &Reference) -> Vec<String> {
    let mut names: BTreeSet<String> = [
        "shard_repl_backlog_len",
        "experimental_io_loop_v2",
        "experimental_replicaof_v2",
        "oom_deny_ratio",
        "oom_deny_commands",
        "rename_command",
        "list_experimental_v2",
        "list_rdb_encode_v2",
        "stream_rdb_encode_v2",
        "allow_partial_sync_with_lsn_diff",
        "tiered_storage_write_depth",
        "use_set2",
        "use_zset_tree",
        "alsologtostderr",
        "logtostderr",
        "log_dir",
        "max_log_size",
        "logfile_mode",
        "announce_ip",
        "list_compress_level",
        "enable_heartbeat_rss_eviction",
        "maxmemory",
        "requirepass",
        "admin_port",
        "primary_port_http_enabled",
        "break_replication_on_master_restart",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    names.extend(
        reference
            .flags
            .iter()
            .filter(|(_, (accepted, _))| !accepted.is_empty())
            .map(|(name, _)| name.clone())
            .step_by(7),
    );
    names.into_iter().collect()
}

#[test]
fn the_rules_judge_a_sample_of_flags_in_every_release() {
    let reference = reference();
    let names = sample(&reference);
    assert!(names.len() >= 30, "{}", names.len());
    let config = LintConfig {
        select: vec!["DF101".into(), "DF110".into()],
        ..LintConfig::default()
    };
    for &r in &reference.releases {
        let mut text = String::new();
        for (i, name) in names.iter().enumerate() {
            text.push_str(&format!(
                "---\napiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: cache-{i}\nspec:\n  image: dragonflydb/dragonfly:{r}\n  args:\n    - --{name}=1\n"
            ));
        }
        let report = lint(&[Source::new("sample.yaml", text)], &config);
        for name in &names {
            let (accepted, retired) = &reference.flags[name];
            let said = |code: &str| {
                report
                    .diagnostics
                    .iter()
                    .any(|d| d.code == code && d.message.starts_with(&format!("`--{name}` ")))
            };
            assert_eq!(
                said("DF101"),
                !accepted.contains(&r),
                "DF101 for --{name} in {r}"
            );
            assert_eq!(
                said("DF110"),
                retired.contains(&r),
                "DF110 for --{name} in {r}"
            );
        }
    }
}
