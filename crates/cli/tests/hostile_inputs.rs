//! The hostile-input suite (`tests/hostile/cases.json`) through the optimised `dflint` binary:
//! every case, every output format of `check`, and `acl explain`/`acl can` for ACL files, each
//! answered within 10 s of CPU time and 512 MB (peak resident memory of the process, from
//! `wait4`), with its expected findings, a bounded report and no crash. The time bound is a
//! guard against runaway work (the quadratic blowups these cases were built against take
//! minutes), counted in CPU time so that a busy machine does not fail it; how fast dflint is
//! is measured by `scripts/bench`, not here.
//!
//! The release binary is the one users run (a debug build is 10–30× slower, which says nothing
//! about them); it is built here with the same command `scripts/test` runs before the tests,
//! so under `scripts/test` it is already there.

#[path = "../../../tests/hostile/cases.rs"]
#[allow(dead_code)]
// Shared with another front end's test: the policy harness reads the policy fields.
mod cases;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CPU_LIMIT: Duration = Duration::from_secs(10);
const MEMORY_LIMIT_KIB: i64 = 512 * 1024;
/// `check` prints findings, never the input back: its report grows with the findings (at most
/// `maxFindingsPerRule` per rule), not with the input — no line, span or list of related places
/// is echoed whole.
const OUTPUT_PER_FINDING: usize = 2048;
const OUTPUT_BASE: usize = 64 << 10;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The optimised binary: `DFLINT_RELEASE_BIN` when set, else built into target/release-cli.
fn release_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("DFLINT_RELEASE_BIN") {
        return PathBuf::from(bin);
    }
    let target_dir = workspace_root().join("target/release-cli");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--locked",
            "--release",
            "-p",
            "dflint",
            "--target-dir",
        ])
        .arg(&target_dir)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the release binary failed: cargo build --locked --release -p dflint --target-dir {}\n{}",
        target_dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    target_dir.join("release/dflint")
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

struct Run {
    exit: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    wall: Duration,
    /// User and system CPU time of the child (`wait4`).
    cpu: Duration,
    peak_rss_kib: i64,
}

/// Runs the binary and measures its wall time, CPU time and peak resident memory (`ru_maxrss` of this
/// one child, from `wait4`). Linux carries the resident size of the process that started the
/// child into that figure, so it is an upper bound by a few MiB.
fn run_measured(bin: &Path, args: &[&str]) -> Run {
    // Hands the freed heap of earlier cases back to the system, so this process lends as
    // little as possible to the child's figure.
    // SAFETY: malloc_trim only releases free memory of glibc's allocator.
    unsafe { libc::malloc_trim(0) };
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dflint starts");
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout_pipe.read_to_end(&mut out).unwrap();
        out
    });
    let mut stderr = Vec::new();
    stderr_pipe.read_to_end(&mut stderr).unwrap();
    let stdout = reader.join().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 reaps dflint");
    let wall = start.elapsed();
    // The child is reaped: keep std from waiting for it again.
    std::mem::forget(child);
    Run {
        exit: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stdout,
        stderr,
        wall,
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        peak_rss_kib: usage.ru_maxrss,
    }
}

fn codes_of_json(case: &str, stdout: &[u8]) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{case}: --format json is not JSON: {e}"));
    report["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("{case}: no diagnostics array"))
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_hostile_case_is_answered_in_bounded_time_and_memory_by_every_front_of_the_cli() {
    let bin = release_binary();
    let cases = cases::load();
    assert!(cases.len() >= 10, "the suite has its cases");
    let dir = std::env::temp_dir().join(format!("dflint-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut problems = Vec::new();
    let mut table = Vec::new();
    for case in &cases {
        let path = dir.join(&case.file);
        // Written and dropped: the peak memory of a child includes this process's resident
        // size when it started, so this process stays small.
        let input_bytes = {
            let text = case.text();
            std::fs::write(&path, &text).unwrap();
            text.len()
        };
        let file = path.to_str().unwrap().to_string();
        // JSON first: its count of findings bounds the size of the pretty report.
        let mut runs: Vec<(String, Vec<String>, bool)> = vec![
            (
                "check json".into(),
                vec![
                    "check".into(),
                    file.clone(),
                    "--format".into(),
                    "json".into(),
                ],
                true,
            ),
            (
                "check pretty".into(),
                vec![
                    "check".into(),
                    file.clone(),
                    "--color".into(),
                    "never".into(),
                ],
                true,
            ),
        ];
        let mut findings = 0usize;
        if case.file.ends_with(".acl") {
            for format in ["pretty", "json"] {
                let mut args = vec![
                    "acl".to_string(),
                    "explain".into(),
                    file.clone(),
                    "--format".into(),
                    format.into(),
                ];
                if let Some(user) = &case.explain_user {
                    args.extend(["--user".into(), user.clone()]);
                }
                runs.push((format!("acl explain {format}"), args, false));
            }
        }
        if let Some(can) = &case.can {
            let mut args = vec!["acl".to_string(), "can".into(), file.clone()];
            args.extend(can.iter().cloned());
            runs.push(("acl can".into(), args, false));
        }
        if case.dialect != "dragonfly" {
            for (_, args, is_check) in &mut runs {
                let flag = if *is_check {
                    "--acl-dialect"
                } else {
                    "--dialect"
                };
                args.extend([flag.to_string(), case.dialect.clone()]);
            }
        }
        for (what, args, is_check) in &runs {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = run_measured(&bin, &args);
            let label = format!("{} / {what}", case.name);
            table.push(format!(
                "{label:<45} {:>7.0} ms {:>7} KiB {:>10} B out, exit {:?}",
                run.wall.as_secs_f64() * 1e3,
                run.peak_rss_kib,
                run.stdout.len(),
                run.exit
            ));
            let stderr = String::from_utf8_lossy(&run.stderr);
            if run.signal.is_some() || stderr.contains("panicked") || run.exit == Some(101) {
                problems.push(format!(
                    "{label}: crashed (signal {:?}, exit {:?}): {stderr}",
                    run.signal, run.exit
                ));
                continue;
            }
            if !matches!(run.exit, Some(0 | 1)) {
                problems.push(format!(
                    "{label}: exit {:?} (0 or 1 expected): {stderr}",
                    run.exit
                ));
            }
            if run.cpu > CPU_LIMIT {
                problems.push(format!(
                    "{label}: took {:?} of CPU time, over {CPU_LIMIT:?} ({})",
                    run.cpu, case.why
                ));
            }
            if run.peak_rss_kib > MEMORY_LIMIT_KIB {
                problems.push(format!(
                    "{label}: peak memory {} MiB, over {} MiB ({})",
                    run.peak_rss_kib / 1024,
                    MEMORY_LIMIT_KIB / 1024,
                    case.why
                ));
            }
            if what == "check json" {
                let codes = codes_of_json(&label, &run.stdout);
                findings = codes.len();
                for expected in &case.cli_codes {
                    if !codes.contains(expected) {
                        problems.push(format!("{label}: no {expected} among {codes:?}"));
                    }
                }
            }
            let output_limit = OUTPUT_PER_FINDING * findings.max(1) + OUTPUT_BASE;
            if *is_check && run.stdout.len() > output_limit {
                problems.push(format!(
                    "{label}: printed {} bytes for {findings} findings of a {input_bytes}-byte input (limit {output_limit})",
                    run.stdout.len(),
                ));
            }
            if what == "check pretty" {
                let text = String::from_utf8_lossy(&run.stdout);
                for expected in &case.cli_codes {
                    if !text.contains(expected.as_str()) {
                        problems.push(format!("{label}: the pretty report lacks {expected}"));
                    }
                }
            }
        }
        let _ = std::fs::remove_file(&path);
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The figures are printed for whoever reads the test log (`--nocapture`).
    println!("{}", table.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
