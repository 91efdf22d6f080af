//! Several pods of one workload running Dragonfly without the operator: independent servers
//! unless they replicate or form a cluster (replicas-independent, DF045), and spread over
//! nodes once they do (replicas-without-spread, DF040). One finding per `replicas`, never both.

use dflint_core::diagnostic::Severity;
use dflint_core::{lint, LintConfig, Source};

/// A workload of `kind` with `replicas`, Dragonfly's container `args` (a YAML flow list) and
/// extra pod spec lines (indented for the pod spec).
fn workload(kind: &str, replicas: u32, args: &str, pod: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: cache\n  namespace: apps\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: cache}}\n  template:\n    metadata:\n      labels: {{app: cache}}\n    spec:\n{pod}      containers:\n        - name: dragonfly\n          image: ghcr.io/dragonflydb/dragonfly:v1.36.0\n          args: {args}\n          env:\n            - name: DFLY_requirepass\n              valueFrom:\n                secretKeyRef: {{name: auth, key: password}}\n          resources:\n            limits: {{memory: 4Gi}}\n"
    )
}

const ANTI_AFFINITY: &str = "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            - labelSelector:\n                matchLabels: {app: cache}\n              topologyKey: kubernetes.io/hostname\n";
const SPREAD: &str = "      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: kubernetes.io/hostname\n          whenUnsatisfiable: DoNotSchedule\n          labelSelector:\n            matchLabels: {app: cache}\n";

/// `(code, severity, line, message)` of the DF040 and DF045 findings.
fn replica_findings(yaml: &str) -> Vec<(&'static str, Severity, usize, String)> {
    let sources = [Source::new("cache.yaml", yaml.to_string())];
    let report = lint(&sources, &LintConfig::default());
    report
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code, "DF040" | "DF045"))
        .map(|d| (d.code, d.severity, d.location.line, d.message.clone()))
        .collect()
}

#[test]
fn several_pods_that_share_nothing_are_independent_servers() {
    for kind in ["Deployment", "StatefulSet", "ReplicaSet"] {
        let found = replica_findings(&workload(kind, 3, "[--maxmemory=3gb]", ""));
        assert_eq!(found.len(), 1, "{kind}: {found:?}");
        let (code, severity, line, message) = &found[0];
        assert_eq!((*code, *severity, *line), ("DF045", Severity::Warning, 7));
        assert!(
            message.contains("3 independent servers") && message.contains(kind),
            "{message}"
        );
    }
    // Spreading them changes nothing: they still share no data.
    let spread = workload("StatefulSet", 3, "[--maxmemory=3gb]", ANTI_AFFINITY);
    assert_eq!(
        replica_findings(&spread)
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["DF045"]
    );
    // `cluster_mode=emulated` makes each pod a cluster of its own.
    let emulated = workload("StatefulSet", 3, "[--cluster_mode=emulated]", "");
    assert_eq!(replica_findings(&emulated)[0].0, "DF045");
}

#[test]
fn one_pod_or_a_daemonset_is_not_several_replicas() {
    assert!(replica_findings(&workload("Deployment", 1, "[]", "")).is_empty());
    // A DaemonSet has no `replicas` (one pod per node): nothing to say from the field.
    let daemonset = workload("DaemonSet", 3, "[]", "");
    assert!(replica_findings(&daemonset).is_empty());
}

#[test]
fn replicating_or_clustered_pods_need_spread_over_nodes() {
    for args in [
        "[--replicaof=cache-0.cache.apps:6379]",
        "[--cluster_mode=yes]",
    ] {
        let found = replica_findings(&workload("StatefulSet", 3, args, ""));
        assert_eq!(found.len(), 1, "{args}: {found:?}");
        let (code, severity, line, message) = &found[0];
        assert_eq!((*code, *severity, *line), ("DF040", Severity::Warning, 7));
        assert!(
            message.contains("nothing keeps them on different nodes"),
            "{message}"
        );
    }
    for pod in [ANTI_AFFINITY, SPREAD] {
        let spread = workload("StatefulSet", 3, "[--cluster_mode=yes]", pod);
        assert!(replica_findings(&spread).is_empty(), "{pod}");
    }
}

#[test]
fn a_replicaof_from_the_environment_counts() {
    let yaml = workload("StatefulSet", 2, "[]", "").replace(
        "          env:\n",
        "          env:\n            - {name: DFLY_replicaof, value: 'cache-0.cache.apps:6379'}\n",
    );
    assert_eq!(
        replica_findings(&yaml)
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["DF040"]
    );
}
