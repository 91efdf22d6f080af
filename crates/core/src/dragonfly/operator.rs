//! What dragonfly-operator v1.6.1 adds to every Dragonfly pod, as facts.

/// The operator release these facts were read from, and the Dragonfly image tag it deploys
/// when `spec.image` is empty (kept with the flag facts, which judge flags by that release).
pub use crate::flags::{DEFAULT_IMAGE_TAG, OPERATOR_VERSION};

pub const DATA_PORT: u16 = 6379;
pub const ADMIN_PORT: u16 = 9999;
pub const HEALTHCHECK_PORT_ENV: &str = "HEALTHCHECK_PORT";

/// Arguments the operator always puts before `spec.args`; a later occurrence in `spec.args`
/// overrides them.
pub const DEFAULT_ARGS: &[(&str, &str)] = &[
    ("alsologtostderr", "true"),
    ("break_replication_on_master_restart", "true"),
    ("primary_port_http_enabled", "false"),
    ("admin_port", "9999"),
    ("admin_nopass", "true"),
];

/// Pod labels the operator sets and selects on.
pub const POD_LABELS: &[&str] = &["app", "app.kubernetes.io/name", "app.kubernetes.io/part-of"];

/// Label keys the operator refuses in `labels`, `podMetadata.labels`,
/// `ownedObjectsMetadata.labels` and `serviceSpec.labels`
/// (`operatorManagedLabels`, internal/resources/resources.go:40-48@v1.6.1).
/// Pod labels the operator writes while it runs the instance and selects on, which it does not
/// refuse in the CR although `labels` and `podMetadata.labels` are copied onto every pod
/// (internal/resources/resources.go:451-455@v1.6.1): `role` marks the master and the replicas
/// (internal/resources/const.go:92), and the Service selects `role: master`
/// (resources.go:597). (`master-ip`, also written on pods, is selected on by nothing.)
pub const RUNTIME_POD_LABELS: &[&str] = &["role"];

pub const RESERVED_LABELS: &[&str] = &[
    "app",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
];

/// Where the operator mounts things and which args it derives from spec fields. These come
/// after `spec.args`, so the same flag in `spec.args` is silently replaced.
pub struct DerivedArg {
    pub flag: &'static str,
    /// The spec field whose presence makes the operator add the flag.
    pub spec_field: &'static str,
}

pub const DERIVED_ARGS: &[DerivedArg] = &[
    DerivedArg {
        flag: "memcached_port",
        spec_field: "memcachedPort",
    },
    DerivedArg {
        flag: "aclfile",
        spec_field: "aclFromSecret",
    },
    DerivedArg {
        flag: "tiered_prefix",
        spec_field: "tiering",
    },
    DerivedArg {
        flag: "dir",
        spec_field: "snapshot",
    },
    DerivedArg {
        flag: "snapshot_cron",
        spec_field: "snapshot.cron",
    },
    DerivedArg {
        flag: "tls",
        spec_field: "tlsSecretRef",
    },
    DerivedArg {
        flag: "no_tls_on_admin_port",
        spec_field: "tlsSecretRef",
    },
    DerivedArg {
        flag: "tls_cert_file",
        spec_field: "tlsSecretRef",
    },
    DerivedArg {
        flag: "tls_key_file",
        spec_field: "tlsSecretRef",
    },
    DerivedArg {
        flag: "tls_ca_cert_file",
        spec_field: "authentication.clientCaCertSecret",
    },
];

/// The snapshot directory the operator uses when `snapshot.dir` is empty.
pub const DEFAULT_SNAPSHOT_DIR: &str = "/dragonfly/snapshots";
