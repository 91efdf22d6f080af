//! A reader that stops early (`dflint rules --format markdown | head -1`) closes the pipe
//! while dflint still writes. Every command must end without a panic and with the exit
//! code its results decide, not crash with 101.

use std::io::Read;
use std::process::{Command, Stdio};

/// Runs dflint, reads the first bytes of its output, closes the pipe and waits for it.
fn run_and_close_early(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dflint starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout
        .read_exact(&mut first)
        .expect("dflint writes something");
    drop(stdout);
    let output = child.wait_with_output().expect("dflint ends");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Output far larger than a pipe's buffer, so dflint is still writing when the pipe closes.
fn many_crs(count: usize) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("dflint-pipe-{}.yaml", std::process::id()));
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!(
            "---\napiVersion: dragonflydb.io/v1alpha1\nkind: Dragonfly\nmetadata: {{name: df{i}}}\nspec: {{image: dragonfly:latest, args: [--maxmemroy=1gb]}}\n"
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn rules_markdown_into_a_closed_pipe_exits_quietly() {
    let (code, stderr) = run_and_close_early(&["rules", "--format", "markdown"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn check_into_a_closed_pipe_keeps_the_findings_exit_code() {
    let path = many_crs(3_000);
    for format in ["pretty", "json"] {
        let (code, stderr) = run_and_close_early(&[
            "check",
            path.to_str().unwrap(),
            "--format",
            format,
            "--color",
            "never",
        ]);
        // The CRs have findings at error level: 1, as if the whole report had been read.
        assert_eq!(code, Some(1), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }
    let _ = std::fs::remove_file(path);
}

#[test]
fn acl_explain_into_a_closed_pipe_exits_quietly() {
    let path = std::env::temp_dir().join(format!("dflint-pipe-{}.acl", std::process::id()));
    let users: String = (0..2_000)
        .map(|i| format!("user tenant{i} on nopass ~t{i}:* +@read\n"))
        .collect();
    std::fs::write(&path, users).unwrap();
    for format in ["pretty", "json"] {
        let (code, stderr) =
            run_and_close_early(&["acl", "explain", path.to_str().unwrap(), "--format", format]);
        assert_eq!(code, Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }
    let _ = std::fs::remove_file(path);
}
