//! docker-compose services running Dragonfly, through the real binary: published ports,
//! `env_file` and `.env`, reverse-proxy labels and `--flagfile`. Each fixture's findings are
//! pinned by code and line, and no secret of a fixture appears in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dflint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .output()
        .expect("dflint runs")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Every finding of a run: `(code, line, column, message)`, in report order.
fn diagnostics(args: &[&str]) -> Vec<(String, u64, u64, String)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = dflint(&all);
    json(&output)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(code, line)` of every finding of a run.
fn findings(args: &[&str]) -> Vec<(String, u64)> {
    diagnostics(args)
        .into_iter()
        .map(|(code, line, ..)| (code, line))
        .collect()
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected.iter().map(|(c, l)| (c.to_string(), *l)).collect()
}

/// What a run printed, on both streams.
fn both(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const COMPOSE: &str = "crates/cli/tests/data/compose";

#[test]
fn published_ports_are_judged_by_what_a_client_gets_without_a_password() {
    let path = format!("{COMPOSE}/ports.yml");
    let found = diagnostics(&[&path]);
    let df063: Vec<(u64, u64, &str)> = found
        .iter()
        .filter(|(code, ..)| code == "DF063")
        .map(|(_, line, column, message)| (*line, *column, message.as_str()))
        .collect();
    let places: Vec<(u64, u64)> = df063.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(
        places,
        [
            (7, 9),  // "6379:6379" of a server without a password
            (8, 17), // the long syntax's target: the admin port, no password at all
            (10, 9), // the memcached port on 0.0.0.0
            (26, 9), // a range on `::` covering the admin port under --admin_nopass
        ],
        "{found:#?}"
    );
    assert!(df063[0]
        .2
        .contains("compose service `open` publishes its data port 6379"));
    assert!(df063[1].2.contains("admin port 9999") && df063[1].2.contains("superuser"));
    assert!(df063[2].2.contains("memcached port 11211"));
    assert!(df063[3].2.contains("`--admin_nopass`"), "{}", df063[3].2);
    // The finding names the service too: a related place at its key.
    let output = dflint(&["check", &path, "--format", "json"]);
    let first = &json(&output)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DF063")
        .unwrap()
        .clone();
    let related = &first["related"][0];
    assert_eq!(related["line"], 3, "{first:#}");
    assert_eq!(related["label"], "the service", "{first:#}");
    // The loopback entry, the password-protected service, the variable host address (a
    // default of 127.0.0.1, an unknown one) and UDP: nothing.
    assert!(found
        .iter()
        .all(|(code, line, ..)| code != "DF063" || ![11, 18, 19, 27, 34, 35, 36].contains(line)));
}

/// A scratch directory of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dflint-compose-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_server_published_on_loopback_only_is_clean() {
    let dir = scratch("loopback");
    let file = dir.join("compose.yaml");
    std::fs::write(
        &file,
        "services:\n  cache:\n    image: docker.dragonflydb.io/dragonflydb/dragonfly:v1.36.0\n    mem_limit: 2g\n    command: [\"--maxmemory=1gb\", \"--admin_port=9999\", \"--admin_nopass\"]\n    ports:\n      - \"127.0.0.1:6379:6379\"\n      - \"[::1]:9999:9999\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    // No password at all, but nothing is published beyond the host: DF012 alone.
    assert_eq!(findings(&[file]), pairs(&[("DF012", 3)]));
    assert!(both(&dflint(&["check", file])).contains("1 compose service running Dragonfly"));
    let _ = std::fs::remove_dir_all(&dir);
}

const ENV_FILES: &str = "crates/cli/tests/data/compose/env-files";

#[test]
fn env_files_and_dotenv_are_read_from_beside_the_compose_file() {
    let path = format!("{ENV_FILES}/docker-compose.yml");
    assert_eq!(
        findings(&[&path]),
        pairs(&[
            ("DF016", 6),  // DFLY_maxmemroy, set by dragonfly.env: at its env_file entry
            ("DF030", 6), // DFLY_maxmemory="8gb" from the env file over mem_limit ${MEM_LIMIT}=4g (.env)
            ("DF064", 9), // missing.env is required and absent; optional.env is not required
            ("DF016", 15), // the same env file under the second service
        ])
    );
    // `environment` overrides the env file (2gb is below 4g); the password from the env file
    // counts (no DF012), and the port published on ${PUBLISH_IP}=0.0.0.0 asks for it (no
    // DF063). No value of an env file is ever shown, whatever the format.
    for format in ["pretty", "json", "concise", "github", "sarif", "junit"] {
        let text = both(&dflint(&[
            "check", &path, "--format", format, "--color", "never",
        ]));
        assert!(text.contains("DF064"), "{format}: {text}");
        for secret in ["Env-File-Secret-42", "Token-Secret-7", "\"8gb\""] {
            assert!(!text.contains(secret), "{format} shows {secret}: {text}");
        }
    }
    // The env files are read for the compose file, not linted or counted themselves.
    let output = dflint(&["check", &path]);
    assert!(
        both(&output).contains("in 1 file (1 document: 2 compose services running Dragonfly)"),
        "{}",
        both(&output)
    );
}

#[test]
fn without_its_env_files_a_service_is_not_judged_on_what_they_might_set() {
    // From standard input there is no directory to read env files from: nothing is
    // concluded from their absence (no DF064, no DF012 for a password they may set).
    let text =
        std::fs::read_to_string(repo_root().join(ENV_FILES).join("docker-compose.yml")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["check", "-", "--format", "concise"])
        .current_dir(repo_root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let shown = both(&output);
    assert!(
        !shown.contains("DF064") && !shown.contains("DF012"),
        "{shown}"
    );
}

#[test]
fn proxy_labels_routing_http_to_the_data_port_are_reported_at_the_label() {
    let path = format!("{COMPOSE}/proxy-labels.yml");
    let found = diagnostics(&[&path]);
    let df065: Vec<(u64, u64, &str)> = found
        .iter()
        .filter(|(code, ..)| code == "DF065")
        .map(|(_, line, column, message)| (*line, *column, message.as_str()))
        .collect();
    let places: Vec<(u64, u64)> = df065.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(
        places,
        [
            (9, 9),   // Traefik, labels as a list
            (14, 61), // Traefik, labels as a map, ${PORT:-6380} on both sides
            (20, 21), // nginx-proxy's VIRTUAL_PORT with VIRTUAL_HOST
            (23, 28), // caddy-docker-proxy's {{upstreams 6379}}
        ],
        "{found:#?}"
    );
    assert!(df065[0]
        .2
        .starts_with("Traefik routes HTTP to compose service `traefik-list`'s data port 6379"));
    // No password: the console is open too, and it is an error.
    assert!(
        df065[1].2.contains("neither does the console"),
        "{}",
        df065[1].2
    );
    let output = dflint(&["check", &path, "--format", "json"]);
    let severities: Vec<String> = json(&output)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "DF065")
        .map(|d| d["severity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(severities, ["warning", "error", "warning", "warning"]);
}
