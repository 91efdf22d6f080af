#!/usr/bin/env python3
"""Generate dflint's flag tables from the Dragonfly flag extraction, release by release.

Reads (default: ../shared/reference/dragonfly/, relative to the repository root; pass another
directory as the first argument):

  flags-by-release.tsv      every flag of the `dragonfly` release build of every release from
                            v1.20.0 on: flag, kind (flag / retired / build-only), C++ type, C++
                            default literal, first_release, last_release, retired_since, notes,
                            source; one row per run of releases with the same kind/type/default
  releases.tsv              the release tags, in version order
  flags_aux_binaries.tsv    flags that belong to other binaries built from the same repository

and the hand-written scripts/flag-descriptions.tsv (name<TAB>description), and writes

  crates/core/data/flags.tsv      name, type, default, since, until, retired_since, releases,
                                  retired_in, description (see below)
  crates/core/data/releases.tsv   the release tags the table covers, oldest first
  crates/core/data/aux_flags.tsv  name, binary

`--check` writes nothing: it fails when the committed files differ from what would be written
(scripts/test runs it).

Per flag:
  * type, default: those of the newest release that has the flag. A flag whose type changed
    between releases keeps only the newest type (a spelling change such as `string` ->
    `std::string` is no change for dflint; real changes, e.g. glog's `int32 max_log_size` vs
    helio's `uint32_t` in v1.39.0, are judged by the newest declaration: older type differences
    are deliberately ignored).
  * since: the first release that has it; until: the last one, or `current` when the newest
    release (v1.40.1) has it; retired_since: the first release in which it is ABSL_RETIRED_FLAG
    (accepted and ignored), empty when never.
  * releases: the runs of consecutive releases (in releases.tsv order) that accept it, retired
    or not, as `FIRST..LAST` joined by `,`; retired_in: the runs in which it is retired. Runs are
    needed because a flag can be missing in the middle: `experimental_io_loop_v2` is live in
    v1.36.0-v1.38.2, absent in v1.39.0 and retired from v1.40.0, and the mis-numbered tags
    v1.28.30-v1.28.33 (cut from main after v1.30/v1.31) have flags that v1.29.0 lacks.
  * `build-only` rows (flags compiled out of release binaries: AFL fuzzing flags, absl-logging
    flags in glog releases) are left out; a name with only such rows is not a flag of any
    release.
  * v1.31.5-internal (an internal tag, "excluded from flag ranges" in releases.tsv) is left out.

Only facts (names, types, defaults, releases) are taken over; the upstream help text is NOT
copied: every description comes from scripts/flag-descriptions.tsv. The generator fails loudly
when a flag has no description, when a description names an unknown flag, or when a C++ type or
default literal is not understood.

Type names (the project's own, mapped from the C++ declaration):
  bool, int32 (int, int32_t, int32), uint16 (uint16_t), uint32 (uint32_t, uint32, unsigned),
  uint64 (uint64_t, size_t -- Dragonfly only runs on LP64 targets), float, double,
  string (string, std::string), string-list (vector<string>), memory-bytes
  (strings::MemoryBytesFlag, facade::MemoryBytesFlag, dfly::MemoryBytesFlag), cron
  (CronExprFlag), replicaof (ReplicaOfFlag), compression-mode (dfly::CompressionMode), lua-gc
  (LuaGcFlag), uint64-min-64 (AtLeast64 = base::ConstrainedNumericFlagValue<size_t, 64>).

Defaults are normalised to the text one would pass on the command line:
  * string literals lose their quotes: `""` -> empty, `"on"` -> on;
  * `{}` and `Type{}` (value-initialised objects) -> empty, except memory-bytes `Type{}` -> 0
    (its value member is zero-initialised);
  * `std::vector<std::string>({"a", "b"})` -> a,b (the comma-separated command-line form);
  * enumerators keep their name: `dfly::CompressionMode::MULTI_ENTRY_LZ4` -> MULTI_ENTRY_LZ4;
  * glog's environment-backed defaults take their fallback: `BoolFromEnv("GOOGLE_X", false)` ->
    false; `GOOGLE_NAMESPACE::GLOG_ERROR` -> 2; `DefaultLogDir()` -> empty (glog chooses a
    directory from the environment at startup);
  * integer expressions are evaluated: digit separators (`50'000`), suffixes (`1u`, `2ul`),
    helio's size literals (`_KB` = 1024, `_MB` = 1024^2, `_GB` = 1024^3, `_TB` = 1024^4),
    `<<`, `*`, `+`, `-` and parentheses, `UINT_MAX` = 4294967295, `INT_MAX` = 2147483647, and
    C++ octal literals (`0664` -> 436). `1u << 15` -> 32768, `50_MB` -> 52428800;
  * the result is reduced modulo 2^bits for unsigned integer types, like the C++ conversion
    (`1 << 31` for a uint32_t is 2147483648);
  * booleans, floating-point literals and negative integers are kept as written.
"""

from __future__ import annotations

import os
import re
import sys

# The newest release the extraction covers; the generator checks releases.tsv ends with it, so
# a new extraction is a deliberate update (crates/core/src/flags/mod.rs has the same constant).
NEWEST_RELEASE = "v1.40.1"

TYPE_MAP = {
    "bool": "bool",
    "int": "int32",
    "int32_t": "int32",
    "int32": "int32",
    "uint16_t": "uint16",
    "uint32_t": "uint32",
    "uint32": "uint32",
    "unsigned": "uint32",
    "uint64_t": "uint64",
    "size_t": "uint64",
    "float": "float",
    "double": "double",
    "string": "string",
    "std::string": "string",
    "vector<string>": "string-list",
    "std::vector<std::string>": "string-list",
    "strings::MemoryBytesFlag": "memory-bytes",
    "facade::MemoryBytesFlag": "memory-bytes",
    "dfly::MemoryBytesFlag": "memory-bytes",
    "CronExprFlag": "cron",
    "ReplicaOfFlag": "replicaof",
    "dfly::CompressionMode": "compression-mode",
    "LuaGcFlag": "lua-gc",
    "AtLeast64": "uint64-min-64",
}

UNSIGNED_BITS = {"uint16": 16, "uint32": 32, "uint64": 64, "uint64-min-64": 64, "memory-bytes": 64}
SIGNED_BITS = {"int32": 32}

SIZE_SUFFIX = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
NAMED_CONSTANTS = {"UINT_MAX": (1 << 32) - 1, "INT_MAX": (1 << 31) - 1}
# glog's defaults that name a constant or read the environment (glog/src/logging.cc).
GLOG_SEVERITIES = {"GOOGLE_NAMESPACE::GLOG_INFO": "0", "GOOGLE_NAMESPACE::GLOG_WARNING": "1",
                   "GOOGLE_NAMESPACE::GLOG_ERROR": "2", "GOOGLE_NAMESPACE::GLOG_FATAL": "3"}
FROM_ENV = re.compile(r'^(?:Bool|Int32|Uint32|String)FromEnv\(\s*"[A-Z_]+"\s*,\s*(.*)\)$')
VECTOR_INIT = re.compile(r"^(?:std::)?vector<(?:std::)?string>\(\{(.*)\}\)$", re.S)

MAX_DESCRIPTION = 100


def fail(msg: str) -> None:
    sys.stderr.write(f"gen-flags: error: {msg}\n")
    sys.exit(1)


def read_tsv(path: str) -> list[list[str]]:
    """Plain tab-separated file, header row, no quoting (fields may contain `"`)."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            lines = fh.read().split("\n")
    except OSError as exc:
        fail(f"cannot read {path}: {exc}")
    rows = [line.rstrip("\r").split("\t") for line in lines if line.strip() != ""]
    if not rows:
        fail(f"{path} is empty")
    return rows[1:]


# ---------------------------------------------------------------------------------------------
# Integer expressions found in default literals.

TOKEN = re.compile(
    r"\s*(?:(?P<num>0[xX][0-9a-fA-F']+|[0-9][0-9']*)(?P<int_suffix>[uUlL]*)(?:_(?P<size>KB|MB|GB|TB))?"
    r"|(?P<name>[A-Z_][A-Z0-9_]*)|(?P<op><<|[*+\-()]))"
)


def tokenize(expr: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unexpected text at {expr[pos:]!r}")
        pos = m.end()
        if m.group("num") is not None:
            digits = m.group("num").replace("'", "")
            # C++: a leading 0 makes an octal literal (`0664`).
            if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xX":
                value = int(digits, 8)
            else:
                value = int(digits, 0)
            if m.group("size"):
                value *= SIZE_SUFFIX[m.group("size")]
            tokens.append(("num", value))
        elif m.group("name") is not None:
            name = m.group("name")
            if name not in NAMED_CONSTANTS:
                raise ValueError(f"unknown constant {name}")
            tokens.append(("num", NAMED_CONSTANTS[name]))
        else:
            tokens.append(("op", m.group("op")))
    return tokens


def evaluate(expr: str) -> int:
    """Recursive descent over: shift := sum ('<<' sum)*; sum := prod (('+'|'-') prod)*;
    prod := unary ('*' unary)*; unary := '-' unary | num | '(' shift ')'."""
    tokens = tokenize(expr)
    pos = 0

    def peek() -> tuple[str, object] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, object]:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError("unexpected end of expression")
        pos += 1
        return tokens[pos - 1]

    def unary() -> int:
        kind, value = take()
        if kind == "op" and value == "-":
            return -unary()
        if kind == "op" and value == "(":
            inner = shift()
            if take() != ("op", ")"):
                raise ValueError("missing ')'")
            return inner
        if kind != "num":
            raise ValueError(f"unexpected {value!r}")
        return int(value)  # type: ignore[arg-type]

    def prod() -> int:
        value = unary()
        while peek() == ("op", "*"):
            take()
            value *= unary()
        return value

    def total() -> int:
        value = prod()
        while peek() in (("op", "+"), ("op", "-")):
            _, op = take()
            value = value + prod() if op == "+" else value - prod()
        return value

    def shift() -> int:
        value = total()
        while peek() == ("op", "<<"):
            take()
            value <<= total()
        return value

    result = shift()
    if pos != len(tokens):
        raise ValueError("trailing tokens")
    return result


FLOAT_LITERAL = re.compile(r"^-?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?$")
STRING_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
VALUE_INIT = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_:]*)?\{\}$")
ENUMERATOR = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*::)+([A-Z][A-Z0-9_]*)$")


def normalise_default(flag: str, ty: str, literal: str) -> str:
    text = literal.strip()
    m = FROM_ENV.match(text)
    if m:
        return normalise_default(flag, ty, m.group(1))
    if text in GLOG_SEVERITIES:
        return GLOG_SEVERITIES[text]
    if text == "DefaultLogDir()" and ty == "string":
        return ""
    m = VECTOR_INIT.match(text)
    if m and ty == "string-list":
        items = [i.strip() for i in m.group(1).split(",") if i.strip()]
        values = []
        for item in items:
            sm = STRING_LITERAL.match(item)
            if not sm or "\\" in sm.group(1) or "," in sm.group(1):
                fail(f"{flag}: cannot read list default {literal!r}")
            values.append(sm.group(1))
        return ",".join(values)
    m = STRING_LITERAL.match(text)
    if m:
        body = m.group(1)
        if "\\" in body:
            fail(f"{flag}: escape sequences in string default {literal!r} are not handled")
        return body
    if VALUE_INIT.match(text):
        return "0" if ty == "memory-bytes" else ""
    if ty == "bool":
        if text not in ("true", "false"):
            fail(f"{flag}: unexpected bool default {literal!r}")
        return text
    m = ENUMERATOR.match(text)
    if m and ty == "compression-mode":
        return m.group(1)
    if ty in ("float", "double"):
        if FLOAT_LITERAL.match(text) or re.match(r"^-?[0-9]+$", text):
            return text.rstrip("fF")
        fail(f"{flag}: unexpected floating-point default {literal!r}")
    if ty in UNSIGNED_BITS or ty in SIGNED_BITS:
        try:
            value = evaluate(text)
        except ValueError as exc:
            fail(f"{flag}: cannot evaluate default {literal!r}: {exc}")
        if ty in UNSIGNED_BITS:
            value %= 1 << UNSIGNED_BITS[ty]
        else:
            bits = SIGNED_BITS[ty]
            value %= 1 << bits
            if value >= 1 << (bits - 1):
                value -= 1 << bits
        return str(value)
    fail(f"{flag}: do not know how to normalise default {literal!r} of type {ty}")
    return ""  # unreachable


# ---------------------------------------------------------------------------------------------


def binary_of(source: str) -> str:
    """`src/server/dfly_bench.cc:75` -> `dfly_bench`."""
    path = source.split(":", 1)[0]
    base = os.path.basename(path)
    stem, ext = os.path.splitext(base)
    if ext not in (".cc", ".cpp") or not stem:
        fail(f"cannot derive a binary name from source {source!r}")
    return stem


def read_descriptions(path: str) -> dict[str, str]:
    descriptions: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
    except OSError as exc:
        fail(f"cannot read {path}: {exc}")
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            fail(f"{path}:{number}: expected name<TAB>description")
        name, text = parts[0].strip(), parts[1].strip()
        if not name or not text:
            fail(f"{path}:{number}: empty name or description")
        if name in descriptions:
            fail(f"{path}:{number}: duplicate description for {name}")
        if len(text) > MAX_DESCRIPTION:
            fail(f"{path}:{number}: description of {name} is {len(text)} chars (max {MAX_DESCRIPTION})")
        descriptions[name] = text
    return descriptions



def version(tag: str) -> tuple[int, int, int]:
    m = re.match(r"^v(\d+)\.(\d+)\.(\d+)$", tag)
    if not m:
        fail(f"not a release tag: {tag!r}")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def read_releases(path: str) -> list[str]:
    """The release tags, oldest first, without the ones the flag ranges leave out."""
    rows = read_tsv(path)
    tags = []
    for row in rows:
        tag, notes = row[0], row[-1] if len(row) > 1 else ""
        if "excluded from flag ranges" in notes:
            continue
        version(tag)
        tags.append(tag)
    if [version(t) for t in tags] != sorted(version(t) for t in tags) or len(set(tags)) != len(tags):
        fail("releases.tsv: tags are not in version order")
    if tags[-1] != NEWEST_RELEASE:
        fail(f"releases.tsv ends with {tags[-1]}, not {NEWEST_RELEASE}: update NEWEST_RELEASE "
             "here and DRAGONFLY_VERSION in crates/core/src/flags/mod.rs")
    return tags


def runs(indexes: set[int], tags: list[str]) -> str:
    """`{0,1,2,5}` -> `v1.20.0..v1.21.0,v1.22.0..v1.22.0` (consecutive releases merged)."""
    out = []
    ordered = sorted(indexes)
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or ordered[i] != ordered[i - 1] + 1:
            out.append(f"{tags[ordered[start]]}..{tags[ordered[i - 1]]}")
            start = i
    return ",".join(out)


def header(what: str, tags: list[str]) -> str:
    return (
        f"# GENERATED by scripts/gen-flags.py from the Dragonfly flag extraction of releases "
        f"{tags[0]}..{tags[-1]} -- do not edit; {what}\n"
    )


def generate(source_dir: str, repo_root: str) -> dict[str, str]:
    """The files to write, by path relative to the repository root."""
    tags = read_releases(os.path.join(source_dir, "releases.tsv"))
    index = {tag: i for i, tag in enumerate(tags)}
    by_release = read_tsv(os.path.join(source_dir, "flags-by-release.tsv"))
    aux_rows = read_tsv(os.path.join(source_dir, "flags_aux_binaries.tsv"))
    descriptions = read_descriptions(os.path.join(repo_root, "scripts", "flag-descriptions.tsv"))

    # name -> (live release indexes, retired release indexes, newest row)
    flags: dict[str, tuple[set[int], set[int], list[str]]] = {}
    for row in by_release:
        if len(row) != 9:
            fail(f"flags-by-release.tsv: expected 9 columns, got {len(row)} in {row!r}")
        name, kind, _cpp_type, _literal, first, last, retired_since, _notes, _source = row
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            fail(f"flags-by-release.tsv: bad flag name {name!r}")
        if kind == "build-only":
            continue
        if kind not in ("flag", "retired"):
            fail(f"flags-by-release.tsv: {name}: unknown kind {kind!r}")
        for tag in (first, last):
            if tag not in index:
                fail(f"flags-by-release.tsv: {name}: {tag} is not in releases.tsv")
        if kind == "retired" and retired_since != first and version(retired_since) > version(first):
            fail(f"flags-by-release.tsv: {name}: retired from {first} but retired_since {retired_since}")
        covered = {i for i, t in enumerate(tags) if version(first) <= version(t) <= version(last)}
        live, retired, newest = flags.setdefault(name, (set(), set(), row))
        target = retired if kind == "retired" else live
        if covered & (live | retired):
            fail(f"flags-by-release.tsv: {name}: two rows cover the same release")
        target |= covered
        if (version(last), version(first)) > (version(newest[5]), version(newest[4])):
            flags[name] = (live, retired, row)

    missing = sorted(set(flags) - set(descriptions))
    unknown = sorted(set(descriptions) - set(flags))
    if missing:
        fail("flags without a description in scripts/flag-descriptions.tsv: " + ", ".join(missing))
    if unknown:
        fail("descriptions for flags no release has, in scripts/flag-descriptions.tsv: " + ", ".join(unknown))

    newest_index = len(tags) - 1
    lines = [header("one line per flag of any release build, sorted by name (byte order)", tags)]
    lines.append("name\ttype\tdefault\tsince\tuntil\tretired_since\treleases\tretired_in\tdescription\n")
    for name in sorted(flags):
        live, retired, row = flags[name]
        cpp_type, literal = row[2], row[3]
        ty = TYPE_MAP.get(cpp_type.strip())
        if ty is None:
            fail(f"flags-by-release.tsv: {name}: unknown C++ type {cpp_type!r}; extend TYPE_MAP")
        default = normalise_default(name, ty, literal)
        present = live | retired
        since = tags[min(present)]
        until = "current" if newest_index in present else tags[max(present)]
        retired_since = tags[min(retired)] if retired else ""
        for field in (default, descriptions[name]):
            if "\t" in field or "\n" in field:
                fail(f"{name}: tab or newline in a field")
        lines.append(
            f"{name}\t{ty}\t{default}\t{since}\t{until}\t{retired_since}\t{runs(present, tags)}"
            f"\t{runs(retired, tags)}\t{descriptions[name]}\n"
        )

    release_lines = [header("the releases the flag table covers, oldest first (version order)", tags)]
    release_lines.append("tag\n")
    release_lines += [f"{tag}\n" for tag in tags]

    pairs: list[tuple[str, str]] = []
    for row in aux_rows:
        if len(row) != 5:
            fail(f"flags_aux_binaries.tsv: expected 5 columns, got {len(row)} in {row!r}")
        pair = (row[0], binary_of(row[4]))
        if pair not in pairs:
            pairs.append(pair)
    # Stable sort by name keeps the extraction's order between binaries sharing a name.
    pairs.sort(key=lambda p: p[0])
    aux_lines = [header("flags of other binaries in the Dragonfly repository, NOT accepted by `dragonfly`", tags)]
    aux_lines.append("name\tbinary\n")
    aux_lines += [f"{name}\t{binary}\n" for name, binary in pairs]

    data = os.path.join("crates", "core", "data")
    return {
        os.path.join(data, "flags.tsv"): "".join(lines),
        os.path.join(data, "releases.tsv"): "".join(release_lines),
        os.path.join(data, "aux_flags.tsv"): "".join(aux_lines),
    }


def main(argv: list[str]) -> None:
    args = argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        fail("usage: gen-flags.py [--check] [DIRECTORY-WITH-flags-by-release.tsv]")
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    source_dir = args[0] if args else os.path.join(repo_root, "..", "shared", "reference", "dragonfly")

    files = generate(source_dir, repo_root)
    if check:
        stale = []
        for rel, text in files.items():
            try:
                with open(os.path.join(repo_root, rel), encoding="utf-8", newline="") as fh:
                    current = fh.read()
            except OSError:
                current = None
            if current != text:
                stale.append(rel)
        if stale:
            fail("out of date (run scripts/gen-flags.py and commit the result): " + ", ".join(stale))
        print(f"gen-flags: {len(files)} generated files are current")
        return
    for rel, text in files.items():
        path = os.path.join(repo_root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    flag_count = files[os.path.join("crates", "core", "data", "flags.tsv")].count("\n") - 2
    print(f"gen-flags: wrote {flag_count} flags, the release list and the aux flags to crates/core/data")


if __name__ == "__main__":
    main(sys.argv)
