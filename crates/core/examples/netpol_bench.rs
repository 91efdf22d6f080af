//! Network-policy benchmark (run by `scripts/bench`; release mode): 100 Dragonfly instances
//! and 1,000 policies (NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy)
//! in one bundle. Reports parsing, and the reachability model plus the DF3xx/DF4xx rules on
//! top of it (target ≤ 100 ms), as best and median of several runs.

use dflint_core::lint::{lint_loaded, load, Bundle};
use dflint_core::{LintConfig, Source};
use std::hint::black_box;
use std::time::{Duration, Instant};

const INSTANCES: usize = 100;
const POLICIES: usize = 1_000;
const NAMESPACES: usize = 10;

fn corpus() -> String {
    let mut out = String::new();
    for i in 0..INSTANCES {
        let ns = i % NAMESPACES;
        out.push_str(&format!(
            "---\napiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata:\n  name: df-{i}\n  namespace: ns-{ns}\nspec:\n  replicas: {}\n  networkPolicyEnabled: {}\n{}  args: [\"--maxmemory=1gb\", \"--dir=s3://b{i}\"]\n",
            1 + i % 3,
            i % 4 != 0,
            if i % 5 == 0 { "  memcachedPort: 11211\n" } else { "" },
        ));
    }
    for p in 0..POLICIES {
        let ns = p % NAMESPACES;
        let target = p % INSTANCES;
        let text = match p % 3 {
            0 => format!(
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{p}\n  namespace: ns-{ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: df-{target}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: t{p}\n          podSelector:\n            matchLabels:\n              app: client-{p}\n        - ipBlock:\n            cidr: 10.{}.0.0/16\n            except: [10.{}.1.0/24]\n      ports:\n        - port: 6379\n        - port: admin\n    - from:\n        - podSelector: {{}}\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n      ports:\n        - port: 53\n          protocol: UDP\n",
                p % 256, p % 256
            ),
            1 => format!(
                "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: cnp-{p}\n  namespace: ns-{ns}\nspec:\n  endpointSelector:\n    matchLabels:\n      app.kubernetes.io/name: dragonfly\n  enableDefaultDeny:\n    ingress: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            io.kubernetes.pod.namespace: monitoring\n      toPorts:\n        - ports:\n            - port: \"9999\"\n              protocol: TCP\n    - fromEntities: [cluster]\n      toPorts:\n        - ports:\n            - port: \"6379\"\n  ingressDeny:\n    - fromEntities: [world]\n  egress:\n    - toFQDNs:\n        - matchName: s3.eu-west-1.amazonaws.com\n",
                p % 2 == 0
            ),
            _ => format!(
                "---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ccnp-{p}\nspec:\n  endpointSelector:\n    matchExpressions:\n      - key: app\n        operator: In\n        values: [df-{target}, df-{}]\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            app: client-{p}\n      toPorts:\n        - ports:\n            - port: \"6379\"\n              endPort: 6390\n",
                (target + 1) % INSTANCES
            ),
        };
        out.push_str(&text);
    }
    out
}

fn time(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    (samples[0], samples[samples.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let text = corpus();
    let sources = [Source::new("bench.yaml", text.clone())];
    let runs = std::env::var("DFLINT_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let network_rules = LintConfig {
        select: vec!["DF3".into(), "DF4".into()],
        ..LintConfig::default()
    };
    let loaded = load(&sources);
    let bundle = Bundle::new(&sources, &loaded, &network_rules);
    println!(
        "netpol corpus: {} instances, {} policies ({} problems), {:.1} MB",
        bundle.network.instances.len(),
        bundle.network.policies.len(),
        bundle.network.problems.len(),
        text.len() as f64 / 1e6
    );
    drop(bundle);
    let (load_best, load_median) = time(runs, || {
        black_box(load(&sources));
    });
    let (all_best, all_median) = time(runs, || {
        black_box(lint_loaded(&sources, &loaded, &network_rules));
    });
    let (model_best, model_median) = time(runs, || {
        let bundle = Bundle::new(&sources, &loaded, &network_rules);
        black_box(bundle.network.policies.len());
    });
    println!(
        "parse (YAML, 1 file): best {:.1} ms, median {:.1} ms",
        ms(load_best),
        ms(load_median)
    );
    println!(
        "reachability model alone (bundle build): best {:.1} ms, median {:.1} ms",
        ms(model_best),
        ms(model_median)
    );
    println!(
        "reachability + DF3xx/DF4xx rules (parsed input): best {:.1} ms, median {:.1} ms (target <= 100 ms)",
        ms(all_best),
        ms(all_median)
    );
}
