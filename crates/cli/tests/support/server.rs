//! A `redis-server` for the tests: started on 127.0.0.1 with a random port, no persistence and
//! a temporary directory, killed when dropped. A missing `redis-server` is a failure (the
//! tests never skip).

use super::resp::{Reply, Resp};
use std::ffi::OsStr;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A running `redis-server`, killed when dropped (also when the test panics).
pub struct Server {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// Starts `redis-server`, optionally with `--aclfile` (which must exist).
pub fn start_server(acl_file: Option<&Path>) -> (Server, Resp) {
    let binary = find_on_path("redis-server").unwrap_or_else(|| {
        panic!(
            "redis-server is not on PATH: install redis-server: apt-get install -y redis-server; \
             scripts/test does this (this test never skips)"
        )
    });
    let mut last_error = String::new();
    for _ in 0..5 {
        let port = free_port();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dflint-redis-test-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let child = Command::new(&binary)
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--protected-mode", "yes"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&dir)
            .args(
                acl_file
                    .iter()
                    .flat_map(|f| [OsStr::new("--aclfile"), f.as_os_str()]),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = Server { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                last_error = format!("redis-server exited with {status} (port {port} taken?)");
                break;
            }
            if let Ok(mut conn) = Resp::connect(server.port) {
                match conn.call(&["PING"]) {
                    Ok(Reply::Status(s)) if s == "PONG" => return (server, conn),
                    other => last_error = format!("PING answered {other:?}"),
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        if last_error.is_empty() {
            last_error = "redis-server did not answer PING within 10 s".into();
        }
        drop(server);
    }
    panic!("cannot start redis-server: {last_error}");
}

pub fn redis_version(conn: &mut Resp) -> String {
    let info = match conn.call(&["INFO", "server"]).expect("INFO") {
        Reply::Bulk(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("INFO answered {other}"),
    };
    info.lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap_or("?")
        .trim()
        .to_string()
}

/// Starts `redis-server` and checks that it is Redis 7.0 (the version dflint's Redis tables
/// were generated from); returns the server, a connection and the version.
pub fn start_redis_7_0() -> (Server, Resp, String) {
    let (server, mut conn) = start_server(None);
    let version = redis_version(&mut conn);
    assert!(
        version.starts_with("7.0."),
        "redis-server {version} found; dflint's Redis tables describe Redis 7.0.15 (Debian's \
         redis-server package): install that version (apt-get install -y redis-server)"
    );
    (server, conn, version)
}
