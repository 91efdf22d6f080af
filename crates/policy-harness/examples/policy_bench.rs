//! Benchmark of the compiled policy in wasmtime, as policy-server runs it.
//!
//! `cargo run --release -p dflint-policy-harness --example policy_bench [-- CALLS]`
//!
//! Prints the module size, the compile + pre-instantiation time, and for a typical Dragonfly
//! CR, a Secret holding a 50-user ACL and a NetworkPolicy the median and p90 latency of
//! `validate` with a fresh instance per call (policy-server's way) and on one warm instance,
//! plus `validate_settings`.

use dflint_policy_harness::{policy_wasm, validate_payload, workspace_root, Host, Policy};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn test_data(name: &str) -> Value {
    let path = workspace_root().join("crates/policy/test_data").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
}

/// `default` (admin) plus `users - 1` tenants with their own keys, channels and hashed
/// passwords.
fn acl_users(users: usize) -> String {
    let mut text = String::from(
        "user default on #8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918 ~* +@all\n",
    );
    for i in 1..users {
        text.push_str(&format!(
            "user tenant{i:04} on #{:064x} ~tenant{i:04}:* &tenant{i:04}:* +@read +@write +@connection -@dangerous -client\n",
            (i as u128) * 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834
        ));
    }
    text
}

fn secret_request() -> Value {
    let mut request = test_data("secret_acl_stringdata.json");
    request["object"]["stringData"] = json!({ "acl.conf": acl_users(50) });
    request
}

struct Stats {
    median: Duration,
    p90: Duration,
}

fn measure(calls: usize, mut f: impl FnMut()) -> Stats {
    for _ in 0..calls.min(10) {
        f();
    }
    let mut times: Vec<Duration> = (0..calls)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    Stats {
        median: times[times.len() / 2],
        p90: times[(times.len() * 9 / 10).min(times.len() - 1)],
    }
}

fn us(d: Duration) -> String {
    format!("{:>9.1} µs", d.as_secs_f64() * 1e6)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "OVER TARGET"
    }
}

fn main() {
    let calls: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("CALLS is a number"))
        .unwrap_or(200);

    let path = policy_wasm();
    let wasm = std::fs::read(&path).expect("read the module");
    let size = wasm.len();
    let mb = size as f64 / (1024.0 * 1024.0);
    println!("module          {}", path.display());
    println!(
        "size            {size} bytes = {mb:.2} MiB ({:.2} MB)   target ≤ 2 MB: {}",
        size as f64 / 1e6,
        verdict(size as f64 <= 2e6)
    );

    let mut compile = Vec::new();
    let mut policy = None;
    for _ in 0..3 {
        let start = Instant::now();
        policy = Some(Policy::from_bytes(&wasm).expect("compile the module"));
        compile.push(start.elapsed());
    }
    compile.sort();
    let policy = policy.unwrap();
    println!(
        "compile + pre-instantiate   median of 3: {:.1} ms (min {:.1} ms, max {:.1} ms)",
        compile[1].as_secs_f64() * 1e3,
        compile[0].as_secs_f64() * 1e3,
        compile[2].as_secs_f64() * 1e3
    );
    let host = Host::new();
    let fresh_instance = measure(calls, || {
        policy.instance(&host).expect("instance");
    });
    println!(
        "instantiate only (rehydrate + wapc_init)   median {}   p90 {}",
        us(fresh_instance.median),
        us(fresh_instance.p90)
    );

    let settings = json!({});
    let cases: [(&str, Value, Option<f64>); 3] = [
        (
            "(a) Dragonfly CR, 12 args",
            test_data("dragonfly_clean.json"),
            Some(300.0),
        ),
        ("(b) Secret, 50-user ACL", secret_request(), Some(1000.0)),
        (
            "(c) NetworkPolicy",
            test_data("networkpolicy_monitoring_admin.json"),
            None,
        ),
    ];
    println!();
    println!("validate over {calls} calls each");
    for (name, request, target_us) in &cases {
        let payload = validate_payload(request, &settings);
        let answer: Value = serde_json::from_slice(
            &policy
                .call("validate", &payload, &host)
                .expect("validate answers"),
        )
        .unwrap();
        let fresh = measure(calls, || {
            policy.call("validate", &payload, &host).expect("validate");
        });
        let instance = policy.instance(&host).expect("instance");
        let warm = measure(calls, || {
            instance.call("validate", &payload).expect("validate");
        });
        let target = match target_us {
            Some(t) => format!(
                "   target median ≤ {t} µs: {}",
                verdict(fresh.median.as_secs_f64() * 1e6 <= *t)
            ),
            None => String::new(),
        };
        println!(
            "{name:<28} payload {:>6} B, accepted={}",
            payload.len(),
            answer["accepted"]
        );
        println!(
            "    fresh instance per call   median {}   p90 {}{target}",
            us(fresh.median),
            us(fresh.p90)
        );
        println!(
            "    warm single instance      median {}   p90 {}",
            us(warm.median),
            us(warm.p90)
        );
        // The same object through dflint-core natively: what the rules cost without wasm.
        let text = serde_json::to_string(&request["object"]).unwrap();
        let config = dflint_core::LintConfig::default();
        let native = measure(calls, || {
            let sources = [dflint_core::Source::new("object.json", text.clone())];
            std::hint::black_box(dflint_core::lint(&sources, &config));
        });
        println!(
            "    native dflint-core lint   median {}   p90 {}",
            us(native.median),
            us(native.p90)
        );
    }

    println!();
    let settings_payload = serde_json::to_vec(&test_data("settings_full.json")).unwrap();
    let fresh = measure(calls, || {
        policy
            .call("validate_settings", &settings_payload, &host)
            .expect("validate_settings");
    });
    let instance = policy.instance(&host).expect("instance");
    let warm = measure(calls, || {
        instance
            .call("validate_settings", &settings_payload)
            .expect("validate_settings");
    });
    println!("validate_settings (settings_full.json)");
    println!(
        "    fresh instance per call   median {}   p90 {}",
        us(fresh.median),
        us(fresh.p90)
    );
    println!(
        "    warm single instance      median {}   p90 {}",
        us(warm.median),
        us(warm.p90)
    );
    // Larger ACL Secrets, one fresh-instance call each, against policy-server's default
    // evaluation timeout (2 s, after which it rejects the request with a 500).
    println!();
    println!("larger ACL Secrets (one call each; policy-server times out at 2 s)");
    for users in [100usize, 500, 1_000, 2_000, 4_000] {
        let mut request = test_data("secret_acl_stringdata.json");
        let acl = acl_users(users);
        let bytes = acl.len();
        request["object"]["stringData"] = json!({ "acl.conf": acl });
        let payload = validate_payload(&request, &settings);
        let start = Instant::now();
        let answer = policy.call("validate", &payload, &host).expect("validate");
        let took = start.elapsed();
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        println!(
            "    {users:>5} users ({:>4} KiB ACL)   {:>9.1} ms   accepted={}{}",
            bytes / 1024,
            took.as_secs_f64() * 1e3,
            answer["accepted"],
            if took > Duration::from_secs(2) {
                "   OVER THE 2 s TIMEOUT"
            } else {
                ""
            }
        );
    }

    let logs = host.calls().iter().filter(|c| c.is_log()).count();
    let others = host.non_log_calls().len();
    println!();
    println!("host calls during the run: {logs} tracing/log, {others} other");
}
