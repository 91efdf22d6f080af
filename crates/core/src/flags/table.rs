//! The static flag tables, generated at build time from `data/flags.tsv` and
//! `data/aux_flags.tsv` (see `build.rs`), and the lookups over them.

use super::{FlagSpec, FlagType, NativeType};

// Defines `FLAGS: [FlagSpec; N]` (sorted by name, byte order) and
// `AUX_FLAGS: [(&str, &str); M]` ((flag, binary), sorted by flag).
include!(concat!(env!("OUT_DIR"), "/flags_table.rs"));

/// Every flag of the `dragonfly` binary (retired ones included), sorted by name.
pub fn all() -> &'static [FlagSpec] {
    &FLAGS
}

/// The flag with exactly this (case-sensitive) name, without leading dashes.
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

    const REFERENCE_NAMES: &str = "MAXSEARCHRESULTS aclfile acllog_max_len admin_bind admin_nopass \
        admin_port afl_loop_limit afl_target_port allocation_tracker alsologtostderr \
        always_flush_pipeline announce_port async_dispatch_quota availability_zone \
        background_debug_jobs background_heartbeat background_snapshotting backing_file_direct bind \
        break_replication_on_master_restart cache_mode cf_bucket_size cf_expansion_factor \
        cf_initial_size cf_max_expansions cf_max_iterations cluster_announce_ip \
        cluster_coordinator_connect_timeout_ms cluster_coordinator_response_timeout_ms \
        cluster_flush_decommit_memory cluster_mode cluster_node_id cluster_search command_alias \
        compression_level compression_mode conn_io_thread_start conn_io_threads \
        conn_use_incoming_cpu container_iteration_yield_interval_usec dbfilename dbnum \
        default_lua_flags deserialize_hnsw_index df_snapshot_format dir \
        disable_json_defragmentation disk_backpressure_file_max_bytes disk_backpressure_folder \
        enable_heartbeat_eviction enable_heartbeat_rss_eviction enable_memcache_io_loop_v2 \
        enable_pipeline_squashing_v2 enable_resp_io_loop_v2 enable_tcp_defer_accept \
        epoll_file_threads eviction_memory_budget_threshold experimental_cascaded_partial_sync \
        experimental_cluster_shard_by_slot experimental_flat_json experimental_io_loop_v2 \
        experimental_replicaof_v2 expose_http_api fiber_run_warning_threshold_ms \
        fiber_safety_margin force_epoll gcs_auth_token gcs_dry_upload get_zero_copy huffman_table \
        hz info_replication_valkey_compatible interpreter_per_thread iobuf_min_shrink_interval_sec \
        journal_omit_redundant_writes jsonpathv2 keep_legacy_memory_metrics keys_output_limit \
        latency_tracking list_compress_depth list_compress_dict_threshold list_compress_level \
        list_max_listpack_size list_tiering_prefetch_depth list_tiering_threshold \
        listpack_max_bytes listpack_max_field_len lock_on_hashtags locktag_delimiter \
        locktag_prefix locktag_skip_n_end_delimiters log_dir log_squash_info_threshold_usec \
        logbuflevel logbufsecs logtostderr lua_allow_undeclared_auto_correct lua_auto_async \
        lua_enable_redis_log lua_float_as_int_shas lua_mem_gc_threshold lua_resp2_legacy_float \
        lua_undeclared_keys_shas luagc managed_service_info master_connect_timeout_ms \
        master_reconnect_timeout_ms masterauth masteruser max_bulk_len max_busy_read_usec \
        max_busy_squash_usec max_client_iobuf_len max_eviction_per_heartbeat max_log_size \
        max_multi_bulk_len max_segment_to_consider max_squashed_cmd_num maxclients maxmemory \
        mem_defrag_check_sec_interval mem_defrag_page_utilization_threshold mem_defrag_threshold \
        mem_defrag_waste_threshold memcached_port mget_dedup_keys migrate_connections \
        migration_buckets_cpu_budget migration_buckets_serialization_threshold \
        migration_buckets_sleep_usec migration_finalization_timeout_ms multi_eval_squash_buffer \
        multi_exec_squash no_tls_on_admin_port notify_keyspace_events num_shards omit_basic_usage \
        pause_wait_timeout pidfile pipeline_buffer_limit pipeline_parse_in_proactor \
        pipeline_prioritize_large_batches pipeline_queue_limit pipeline_squash \
        pipeline_squash_limit pipeline_wait_batch_usec port primary_port_http_enabled \
        proactor_affinity_mode proactor_threads publish_buffer_limit \
        pubsub_slow_subscriber_timeout_ms rdb_ignore_expiry rdb_load_dry_run rdb_sbf_chunked \
        registered_buffer_size replica_announce_ip replica_delete_expired replica_partial_sync \
        replica_priority replicaof replicaof_no_one_start_journal replication_acks_interval \
        replication_dispatch_threshold replication_stream_output_limit replication_timeout \
        request_cache_limit requirepass restricted_commands rss_oom_deny_ratio s3_ec2_metadata \
        s3_endpoint s3_sign_payload s3_use_helio_client s3_use_https save_schedule \
        scheduler_background_budget scheduler_background_sleep_prob scheduler_background_warrant \
        search_query_string_bytes search_reject_legacy_field send_timeout \
        serialization_max_chunk_size serialization_tagged_chunks serialize_hnsw_index \
        shard_repl_backlog_len shard_repl_backlog_max_bytes shard_repl_backlog_time_ms \
        shard_round_robin_prefix shard_thread_busy_polling_usec \
        slot_migration_connection_timeout_ms slot_migration_throttle_us slowlog_log_slower_than \
        slowlog_max_len snapshot_cron snapshot_egress_limit_bytes squash_stats_latency_lower_limit \
        squashed_reply_size_limit subset_knn_search_threshold table_growth_margin tcp_backlog \
        tcp_keepalive tcp_nodelay tcp_user_timeout tiered_experimental_cooling \
        tiered_experimental_hash_support tiered_experimental_list_support tiered_max_file_size \
        tiered_max_pending_stash_bytes tiered_min_ttl_to_offload_ms tiered_min_value_size \
        tiered_offload_threshold tiered_prefix tiered_storage_write_depth tiered_upload_threshold \
        tiering_disk_storage_initial_size timeout tls tls_ca_cert_dir tls_ca_cert_file \
        tls_cert_file tls_cipher_suites tls_ciphers tls_key_file tls_prefer_server_ciphers \
        tls_replication tls_session_cache_size tls_session_cache_timeout tls_session_caching \
        tx_queue_warning_len unixsocket unixsocketperm unlink_experimental_async \
        uring_direct_table_len uring_disable_iowait uring_recv_buffer_cnt use_numeric_range_tree \
        use_oah_set user version_check write_connection_throttling_sleep_usec";

    #[test]
    fn all_241_reference_flags_are_found() {
        let names: Vec<&str> = REFERENCE_NAMES.split_whitespace().collect();
        assert_eq!(names.len(), 241);
        assert_eq!(all().len(), 241);
        for name in names {
            assert_eq!(lookup(name).map(|f| f.name), Some(name), "{name}");
        }
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
        assert_eq!(t("max_client_iobuf_len").default, "32768");
        assert_eq!(t("disk_backpressure_file_max_bytes").default, "52428800");
        assert_eq!(t("pipeline_buffer_limit").default, "134217728");
        assert_eq!(t("log_squash_info_threshold_usec").default, "2147483648");
        assert_eq!(t("afl_loop_limit").default, "4294967295");
        assert_eq!(t("tls_session_cache_size").default, "20480");
        assert_eq!(t("scheduler_background_budget").default, "50000");
        assert_eq!(t("tls_ciphers").default, "DEFAULT:!MEDIUM");
        assert_eq!(t("dbfilename").default, "dump-{timestamp}");
        assert_eq!(t("list_max_listpack_size").default, "-2");
    }

    #[test]
    fn retired_flags() {
        let retired: Vec<&str> = all().iter().filter(|f| f.retired).map(|f| f.name).collect();
        assert_eq!(
            retired,
            [
                "experimental_io_loop_v2",
                "experimental_replicaof_v2",
                "shard_repl_backlog_len",
                "squash_stats_latency_lower_limit",
                "tiered_storage_write_depth",
            ]
        );
        assert!(!lookup("maxmemory").unwrap().retired);
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
