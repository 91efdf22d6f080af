//! The hostile-input suite (`tests/hostile/cases.json`) through the compiled policy in
//! wasmtime, a fresh instance per request as policy-server runs it: each case the API server
//! could send is answered within 2 s, inside a 512 MiB memory limit (a guest that needs more
//! traps, and the test fails), with the expected verdict. Then the largest object the settings
//! allow (`maxObjectBytes` at its ceiling), filled with the costliest realistic content, must
//! be answered with room to spare under policy-server's default 2 s timeout. Times are the CPU
//! time of the thread that runs the guest, so a machine busy with other work does not fail
//! them; how fast the policy is is measured by `scripts/bench`.

#[path = "../../../tests/hostile/cases.rs"]
#[allow(dead_code)] // Shared with another front end's test: the CLI test reads the CLI fields.
mod cases;

use cases::PolicyExpectation;
use dflint_policy_harness::{policy_wasm, Host, Policy};
use serde_json::Value;
use std::time::Duration;

const TIME_LIMIT: Duration = Duration::from_secs(2);
const MEMORY_LIMIT: usize = 512 << 20;

/// CPU time the calling thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread's CPU clock is readable");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

fn policy() -> Policy {
    let wasm = std::fs::read(policy_wasm()).expect("the policy module");
    Policy::from_bytes_with_memory_limit(&wasm, MEMORY_LIMIT).expect("the policy compiles")
}

/// The `validate` payload, written as text so the object reaches the guest byte for byte
/// (a deeply nested object could not pass through `serde_json::Value` here).
fn payload(kind: (&str, &str, &str, &str), object: &str, settings: &str) -> Vec<u8> {
    let (group, version, kind, resource) = kind;
    format!(
        r#"{{"request":{{"uid":"hostile","operation":"CREATE","namespace":"cache",
        "kind":{{"group":"{group}","version":"{version}","kind":"{kind}"}},
        "resource":{{"group":"{group}","version":"{version}","resource":"{resource}"}},
        "userInfo":{{"username":"hostile"}},"object":{object}}},"settings":{settings}}}"#
    )
    .into_bytes()
}

const SECRET: (&str, &str, &str, &str) = ("", "v1", "Secret", "secrets");
const DRAGONFLY: (&str, &str, &str, &str) =
    ("dragonflydb.io", "v1alpha1", "Dragonfly", "dragonflies");

fn secret_holding(acl: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"acl","namespace":"cache"}},"type":"Opaque","stringData":{{"users.acl":{}}}}}"#,
        serde_json::to_string(acl).unwrap()
    )
}

fn codes(answer: &Value) -> Vec<String> {
    answer["audit_annotations"]["dflint-codes"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_hostile_case_is_answered_in_bounded_time_and_memory_by_the_compiled_policy() {
    let policy = policy();
    let host = Host::new();
    let mut problems = Vec::new();
    let mut table = Vec::new();
    let mut sent = 0;
    for case in cases::load() {
        let expected = match &case.policy {
            PolicyExpectation::Skip(reason) => {
                table.push(format!("{:<28} not sent: {reason}", case.name));
                continue;
            }
            expected => expected.clone(),
        };
        sent += 1;
        let settings = &format!(
            r#"{{"warnSeverity":"info","acl":{{"dialect":"{}"}}}}"#,
            case.dialect
        );
        let text = case.text();
        let request = if case.wrap_in_secret {
            payload(SECRET, &secret_holding(&text), settings)
        } else if case.policy_kind == "Secret" {
            payload(SECRET, &text, settings)
        } else {
            assert_eq!(
                case.policy_kind, "Dragonfly",
                "{}: a kind to add here",
                case.name
            );
            payload(DRAGONFLY, &text, settings)
        };
        let start = thread_cpu_time();
        let answer = policy.try_validate_raw(&request, &host);
        let took = thread_cpu_time() - start;
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                problems.push(format!("{}: the guest failed: {error}", case.name));
                continue;
            }
        };
        table.push(format!(
            "{:<28} {:>7.1} ms  {} bytes  accepted={} code={}",
            case.name,
            took.as_secs_f64() * 1e3,
            request.len(),
            answer["accepted"],
            answer["code"]
        ));
        if took > TIME_LIMIT {
            problems.push(format!("{}: took {took:?} ({})", case.name, case.why));
        }
        match expected {
            PolicyExpectation::TooLarge => {
                if answer["code"] != 413 {
                    problems.push(format!("{}: expected 413, got {answer}", case.name));
                }
            }
            PolicyExpectation::BadRequest => {
                if answer["code"] != 400 {
                    problems.push(format!("{}: expected 400, got {answer}", case.name));
                }
            }
            PolicyExpectation::Codes(expected) => {
                let found = codes(&answer);
                if answer["code"] == 400 || answer["code"] == 413 {
                    problems.push(format!("{}: refused unread: {answer}", case.name));
                }
                for code in expected {
                    if !found.contains(&code) {
                        problems.push(format!("{}: no {code} among {found:?}", case.name));
                    }
                }
            }
            PolicyExpectation::Skip(_) => unreachable!(),
        }
    }
    println!("{}", table.join("\n"));
    assert!(sent >= 6, "most cases reach the policy ({sent} did)");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Tenants with their own keys, channels and hashed passwords, as many as fit in `bytes`.
fn tenant_acl(bytes: usize) -> String {
    let mut text = String::from("user default off -@all\n");
    let mut i = 0u64;
    loop {
        let line = format!(
            "user tenant{i} on #{:064x} ~tenant{i}:* &tenant{i}:* +@read +@write +@connection -@dangerous -client\n",
            u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834)
        );
        if text.len() + line.len() > bytes {
            return text;
        }
        text.push_str(&line);
        i += 1;
    }
}

#[test]
fn the_largest_object_the_settings_allow_is_answered_well_inside_the_timeout() {
    let ceiling = dflint_policy::settings::MAX_OBJECT_BYTES_CEILING as usize;
    // A little under the ceiling once wrapped in the Secret's JSON (each newline becomes `\n`).
    let acl = tenant_acl(ceiling - ceiling / 50);
    let object = secret_holding(&acl);
    assert!(object.len() as u64 <= dflint_policy::settings::MAX_OBJECT_BYTES_CEILING);
    let policy = policy();
    // Both dialects: Redis refuses a file that names a user twice, and that check must stay
    // linear too.
    for dialect in ["dragonfly", "redis"] {
        let settings = format!(r#"{{"maxObjectBytes":{ceiling},"acl":{{"dialect":"{dialect}"}}}}"#);
        let request = payload(SECRET, &object, &settings);
        let start = thread_cpu_time();
        let answer = policy
            .try_validate_raw(&request, &Host::new())
            .expect("the guest answers");
        let took = thread_cpu_time() - start;
        println!(
            "{dialect}: {} users, {} bytes: {took:?}, accepted={}",
            acl.lines().count(),
            object.len(),
            answer["accepted"]
        );
        assert_ne!(answer["code"], 413, "the object fits the ceiling: {answer}");
        // Half of policy-server's default timeout: the rest is its margin.
        assert!(
            took < TIME_LIMIT / 2,
            "{dialect}: {} bytes took {took:?}: lower MAX_OBJECT_BYTES_CEILING",
            object.len()
        );
    }
}
