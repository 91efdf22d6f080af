//! The static flag tables, generated at build time from `data/flags.tsv`, `data/releases.tsv`
//! and `data/aux_flags.tsv` (see `build.rs`), and the lookups over them.

use super::{FlagSpec, FlagType, NativeType, Release};

// Defines `RELEASES: [Release; R]` (oldest first), `FLAGS: [FlagSpec; N]` (sorted by name,
// byte order) and `AUX_FLAGS: [(&str, &str); M]` ((flag, binary), sorted by flag).
include!(concat!(env!("OUT_DIR"), "/flags_table.rs"));

/// Every flag of the `dragonfly` binary in any release the table covers (retired and removed
/// ones included), sorted by name. [`FlagSpec::in_release`] says which releases accept it.
pub fn all() -> &'static [FlagSpec] {
    &FLAGS
}

/// The flag with exactly this (case-sensitive) name, without leading dashes, if any release
/// since v1.20.0 has it (check [`FlagSpec::in_release`] for the one that runs).
pub fn lookup(name: &str) -> Option<&'static FlagSpec> {
    FLAGS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &FLAGS[i])
}

/// The other binaries of the Dragonfly repository (`dfly_bench`, `ok_main`, `resp_validator`,
/// `dash_bench`, test helpers) that define a flag with this name, in extraction order. Includes
/// names that `dragonfly` accepts too (e.g. `port`).
pub fn other_binaries(name: &str) -> impl Iterator<Item = &'static str> {
    let start = AUX_FLAGS.partition_point(|(n, _)| *n < name);
    let end = AUX_FLAGS.partition_point(|(n, _)| *n <= name);
    AUX_FLAGS[start..end].iter().map(|(_, binary)| *binary)
}

/// The binary a flag belongs to when `dragonfly` itself does not accept it (e.g. `qps` →
/// `dfly_bench`); `None` for unknown names and for names `dragonfly` accepts as well.
pub fn other_binary(name: &str) -> Option<&'static str> {
    if lookup(name).is_some() {
        return None;
    }
    other_binaries(name).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flag counts per release, from the extraction's releases.tsv (`flag_count` live +
    /// `retired_count`); crates/core/tests/flags_by_release.rs checks every release.
    #[test]
    fn release_counts() {
        let count = |tag: &str| {
            let r = Release::parse(tag).unwrap();
            let live = all()
                .iter()
                .filter(|f| f.in_release(r) && !f.retired_in(r))
                .count();
            let retired = all().iter().filter(|f| f.retired_in(r)).count();
            (live, retired)
        };
        assert_eq!(count("v1.40.1"), (252, 4));
        assert_eq!(count("v1.39.0"), (229, 2));
        assert_eq!(all().len(), 284);
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(all().windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn lookup_is_exact_and_case_sensitive() {
        assert!(lookup("MAXSEARCHRESULTS").is_some());
        assert!(lookup("maxsearchresults").is_none());
        assert!(lookup("MaxMemory").is_none());
        assert!(lookup("--maxmemory").is_none());
        assert!(lookup("max-memory").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn types_and_defaults() {
        let t = |n: &str| lookup(n).unwrap();
        assert_eq!(t("maxmemory").ty, FlagType::MemoryBytes);
        assert_eq!(t("maxmemory").default, "0");
        assert_eq!(t("admin_port").ty, FlagType::UInt);
        assert_eq!(t("admin_port").native, NativeType::UInt16);
        assert_eq!(t("port").native, NativeType::Int32);
        assert_eq!(t("port").default, "6379");
        assert_eq!(t("snapshot_cron").ty, FlagType::Cron);
        assert_eq!(t("snapshot_cron").default, "");
        assert_eq!(t("restricted_commands").ty, FlagType::StringList);
        assert_eq!(t("requirepass").ty, FlagType::String);
        assert_eq!(t("admin_nopass").ty, FlagType::Bool);
        assert_eq!(t("primary_port_http_enabled").default, "true");
        assert_eq!(t("rss_oom_deny_ratio").native, NativeType::Double);
        assert_eq!(t("mem_defrag_threshold").native, NativeType::Float);
        assert_eq!(t("replicaof").native, NativeType::ReplicaOf);
        assert_eq!(t("replicaof").ty, FlagType::Other);
        assert_eq!(t("compression_mode").native, NativeType::CompressionMode);
        assert_eq!(t("compression_mode").default, "MULTI_ENTRY_LZ4");
        assert_eq!(t("luagc").native, NativeType::LuaGc);
        assert_eq!(
            t("tiered_min_value_size").native,
            NativeType::UInt64AtLeast64
        );
        assert_eq!(t("MAXSEARCHRESULTS").native, NativeType::UInt64);
        assert_eq!(t("max_client_iobuf_len").default, "65536");
        assert_eq!(t("disk_backpressure_file_max_bytes").default, "52428800");
        assert_eq!(t("pipeline_buffer_limit").default, "134217728");
        assert_eq!(t("log_squash_info_threshold_usec").default, "2147483648");
        // glog's defaults (the released binaries log with glog).
        assert_eq!(t("max_log_size").default, "1800");
        assert_eq!(t("stderrthreshold").default, "2");
        assert_eq!(t("alsologtostderr").default, "false");
        // The newest release's list default, comma-separated.
        assert_eq!(
            t("lua_force_atomicity_shas").default,
            "f8133be7f04abd9dfefa83c3b29a9d837cfbda86"
        );
        assert_eq!(t("tls_session_cache_size").default, "20480");
        assert_eq!(t("scheduler_background_budget").default, "50000");
        assert_eq!(t("tls_ciphers").default, "DEFAULT:!MEDIUM");
        assert_eq!(t("dbfilename").default, "dump-{timestamp}");
        assert_eq!(t("list_max_listpack_size").default, "-2");
    }

    #[test]
    fn retired_flags() {
        let newest = super::super::newest_release();
        let retired: Vec<&str> = all()
            .iter()
            .filter(|f| f.retired_in(newest))
            .map(|f| f.name)
            .collect();
        assert_eq!(
            retired,
            [
                "experimental_io_loop_v2",
                "experimental_replicaof_v2",
                "squash_stats_latency_lower_limit",
                "tiered_storage_write_depth",
            ]
        );
        assert!(!lookup("maxmemory").unwrap().retired);
        // Retired in the last release that had it, before it was removed.
        assert!(lookup("oom_deny_ratio").unwrap().retired);
        assert!(!lookup("shard_repl_backlog_len").unwrap().retired);
    }

    #[test]
    fn aux_flags() {
        assert_eq!(other_binary("qps"), Some("dfly_bench"));
        assert_eq!(other_binary("key_prefix"), Some("dfly_bench"));
        assert_eq!(other_binary("coro_squash"), Some("ok_main"));
        assert_eq!(other_binary("input"), Some("resp_validator"));
        assert_eq!(other_binary("sds"), Some("dash_bench"));
        assert_eq!(other_binary("n"), Some("dfly_bench"));
        assert_eq!(
            other_binaries("n").collect::<Vec<_>>(),
            ["dfly_bench", "dash_bench"]
        );
        // Accepted by dragonfly too: not another binary's flag.
        assert_eq!(other_binary("port"), None);
        assert_eq!(other_binary("bind"), None);
        assert_eq!(other_binaries("port").collect::<Vec<_>>(), ["ok_main"]);
        assert_eq!(other_binaries("force_epoll").count(), 2);
        assert_eq!(other_binary("maxmemory"), None);
        assert_eq!(other_binary("no_such_flag"), None);
        assert_eq!(other_binaries("zzz").count(), 0);
        assert_eq!(AUX_FLAGS.len(), 40);
    }
}
