#!/usr/bin/env python3
"""Generate dflint's Redis 7 command and ACL-category tables from a real redis-server.

Starts `redis-server` on a free local port (no persistence), asks it `INFO server`,
`COMMAND INFO` (every command and subcommand) and `ACL CAT`, stops it again (also on
error) and writes:

  crates/core/data/redis-commands.tsv
      name arity flags categories first_key last_key step key_specs
  crates/core/data/redis-categories.tsv
      name bit redis7_standard

Usage: scripts/gen-redis-commands.py [--redis-server PATH]

key_specs encoding: specs separated by ';', each spec is `BEGIN/FIND/FLAGS` with
  BEGIN = index:N | keyword:KEYWORD:STARTFROM | unknown
  FIND  = range:LASTKEY:STEP:LIMIT | keynum:KEYNUMIDX:FIRSTKEY:STEP | unknown
  FLAGS = comma-separated key-spec flags exactly as COMMAND INFO spells them (RO, RW,
          OW, RM, access, update, insert, delete, not_key, incomplete, variable_flags)
and `-` for a command without key specs. A category's bit is its position in the
`ACL CAT` reply, which is the ACL_CATEGORY_* bit order of Redis (server.h).
Python 3.11 standard library only; RESP2 is spoken directly over a socket.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = "scripts/gen-redis-commands.py"
OUT_DIR = Path(__file__).resolve().parent.parent / "crates" / "core" / "data"


class RespError(Exception):
    pass


class Resp:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = self.sock.makefile("rb")

    def call(self, *args: str):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            data = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.buf.readline()
        if not line.endswith(b"\r\n"):
            raise RespError("connection closed")
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RespError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.buf.read(n + 2)[:-2].decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RespError(f"unexpected reply type {kind!r}")

    def close(self) -> None:
        self.buf.close()
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pairs(flat) -> dict:
    """RESP2 renders maps as flat [key, value, ...] arrays."""
    return dict(zip(flat[0::2], flat[1::2]))


def field(value: str) -> str:
    if not value or any(c in value for c in "/:;, \t\n"):
        raise SystemExit(f"key-spec value {value!r} cannot be encoded")
    return value


def encode_spec(raw) -> str:
    spec = pairs(raw)
    begin, find = pairs(spec["begin_search"]), pairs(spec["find_keys"])
    b_spec, f_spec = pairs(begin.get("spec") or []), pairs(find.get("spec") or [])
    if begin["type"] == "index":
        b = f"index:{b_spec['index']}"
    elif begin["type"] == "keyword":
        b = f"keyword:{field(b_spec['keyword'])}:{b_spec['startfrom']}"
    elif begin["type"] == "unknown":
        b = "unknown"
    else:
        raise SystemExit(f"unknown begin_search type {begin['type']!r}")
    if find["type"] == "range":
        f = f"range:{f_spec['lastkey']}:{f_spec['keystep']}:{f_spec['limit']}"
    elif find["type"] == "keynum":
        f = f"keynum:{f_spec['keynumidx']}:{f_spec['firstkey']}:{f_spec['keystep']}"
    elif find["type"] == "unknown":
        f = "unknown"
    else:
        raise SystemExit(f"unknown find_keys type {find['type']!r}")
    flags = ",".join(field(x) for x in spec["flags"]) or "-"
    return f"{b}/{f}/{flags}"


def rows_of(info, out: list) -> None:
    name, arity, flags, first, last, step, cats = info[:7]
    specs = info[8] if len(info) > 8 else []
    subs = info[9] if len(info) > 9 else []
    out.append(
        (
            name.lower(),
            arity,
            " ".join(f.lower() for f in flags) or "-",
            " ".join(c.lower().removeprefix("@") for c in cats) or "-",
            first,
            last,
            step,
            ";".join(encode_spec(s) for s in specs) or "-",
        )
    )
    for sub in subs or []:
        rows_of(sub, out)


def collect(server: str):
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = None
        for _ in range(100):
            try:
                conn = Resp(port)
                conn.call("PING")
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"{server} exited with status {proc.returncode}")
                time.sleep(0.05)
        if conn is None:
            raise SystemExit(f"{server} did not answer on port {port}")
        info = dict(
            line.split(":", 1) for line in conn.call("INFO", "server").splitlines() if ":" in line
        )
        try:
            commands = conn.call("COMMAND", "INFO")
        except RespError:  # servers older than 7.0 require names
            commands = conn.call("COMMAND")
        categories = conn.call("ACL", "CAT")
        conn.close()
        return info["redis_version"], commands, categories
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-server", default="redis-server")
    args = parser.parse_args()
    version, commands, categories = collect(args.redis_server)
    rows: list = []
    for info in commands:
        if info is not None:
            rows_of(info, rows)
    rows.sort(key=lambda r: r[0].encode())
    if len({r[0] for r in rows}) != len(rows):
        raise SystemExit("duplicate command names")
    header = (
        f"# generated by {SCRIPT} from a live redis-server, redis_version={version} "
        "(COMMAND INFO, ACL CAT); do not edit\n"
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR / "redis-commands.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write(header)
        out.write(
            "# key_specs: ';'-separated BEGIN/FIND/FLAGS; BEGIN = index:N | keyword:KW:STARTFROM"
            " | unknown; FIND = range:LASTKEY:STEP:LIMIT | keynum:KEYNUMIDX:FIRSTKEY:STEP | unknown\n"
        )
        out.write("name\tarity\tflags\tcategories\tfirst_key\tlast_key\tstep\tkey_specs\n")
        for row in rows:
            out.write("\t".join(str(f) for f in row) + "\n")
    with open(OUT_DIR / "redis-categories.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write(header)
        out.write("name\tbit\tredis7_standard\n")
        for bit, name in enumerate(categories):
            out.write(f"{name.lower()}\t{bit}\tyes\n")
    print(f"redis {version}: wrote {len(rows)} commands, {len(categories)} categories to {OUT_DIR}")


if __name__ == "__main__":
    try:
        main()
    except RespError as err:
        sys.exit(f"redis error: {err}")
