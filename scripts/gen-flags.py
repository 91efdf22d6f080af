#!/usr/bin/env python3
"""Generate dflint's flag tables from the Dragonfly flag extraction.

Reads (default: ../shared/reference/dragonfly/, relative to the repository root; pass another
directory as the first argument):

  flags.tsv                 flags of the `dragonfly` server binary
                            (flag, C++ type, C++ default literal, help, source)
  flags_aux_binaries.tsv    flags that belong to other binaries built from the same repository

and the hand-written scripts/flag-descriptions.tsv (name<TAB>description), and writes

  crates/core/data/flags.tsv      name, type, default, retired, description
  crates/core/data/aux_flags.tsv  name, binary

Only facts (names, types, defaults) are taken over; the upstream help text is NOT copied: every
description comes from scripts/flag-descriptions.tsv. The generator fails loudly when a flag has
no description, when a description names an unknown flag, or when a C++ type or default literal
is not understood.

Type names (the project's own, mapped from the C++ declaration):
  bool, int32 (int, int32_t), uint16 (uint16_t), uint32 (uint32_t, uint32, unsigned),
  uint64 (uint64_t, size_t -- Dragonfly only runs on LP64 targets), float, double,
  string (string, std::string), string-list (vector<string>), memory-bytes
  (strings::MemoryBytesFlag), cron (CronExprFlag), replicaof (ReplicaOfFlag),
  compression-mode (dfly::CompressionMode), lua-gc (LuaGcFlag), uint64-min-64 (AtLeast64 =
  base::ConstrainedNumericFlagValue<size_t, 64>).

Defaults are normalised to the text one would pass on the command line:
  * string literals lose their quotes: `""` -> empty, `"on"` -> on;
  * `{}` and `Type{}` (value-initialised objects) -> empty, except `strings::MemoryBytesFlag{}`
    -> 0 (its value member is zero-initialised);
  * enumerators keep their name: `dfly::CompressionMode::MULTI_ENTRY_LZ4` -> MULTI_ENTRY_LZ4;
  * integer expressions are evaluated: digit separators (`50'000`), suffixes (`1u`, `2ul`),
    helio's size literals (`_KB` = 1024, `_MB` = 1024^2, `_GB` = 1024^3, `_TB` = 1024^4),
    `<<`, `*`, `+`, `-` and parentheses, `UINT_MAX` = 4294967295, `INT_MAX` = 2147483647.
    `1u << 15` -> 32768, `50_MB` -> 52428800, `20 * 1024` -> 20480;
  * the result is reduced modulo 2^bits for unsigned integer types, like the C++ conversion
    (`1 << 31` for a uint32_t is 2147483648);
  * booleans, floating-point literals and negative integers are kept as written.

Retired flags (ABSL_RETIRED_FLAG: accepted and ignored) are listed in RETIRED below; they are
marked so in the extraction's help column too, and the two lists must agree.
"""

from __future__ import annotations

import os
import re
import sys

DRAGONFLY_VERSION = "v1.40.1"

RETIRED = {
    "experimental_io_loop_v2",
    "experimental_replicaof_v2",
    "shard_repl_backlog_len",
    "squash_stats_latency_lower_limit",
    "tiered_storage_write_depth",
}

TYPE_MAP = {
    "bool": "bool",
    "int": "int32",
    "int32_t": "int32",
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
            value = int(m.group("num").replace("'", ""), 0)
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


def header(what: str) -> str:
    return (
        f"# GENERATED by scripts/gen-flags.py from the Dragonfly {DRAGONFLY_VERSION} flag extraction "
        f"-- do not edit; {what}\n"
    )


def main(argv: list[str]) -> None:
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    source_dir = argv[1] if len(argv) > 1 else os.path.join(repo_root, "..", "shared", "reference", "dragonfly")
    if len(argv) > 2:
        fail("usage: gen-flags.py [DIRECTORY-WITH-flags.tsv]")

    flags_rows = read_tsv(os.path.join(source_dir, "flags.tsv"))
    aux_rows = read_tsv(os.path.join(source_dir, "flags_aux_binaries.tsv"))
    descriptions = read_descriptions(os.path.join(repo_root, "scripts", "flag-descriptions.tsv"))

    flags: dict[str, tuple[str, str, bool]] = {}
    for row in flags_rows:
        if len(row) != 5:
            fail(f"flags.tsv: expected 5 columns, got {len(row)} in {row!r}")
        name, cpp_type, literal, help_text, _source = row
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            fail(f"flags.tsv: bad flag name {name!r}")
        if name in flags:
            fail(f"flags.tsv: duplicate flag {name}")
        ty = TYPE_MAP.get(cpp_type.strip())
        if ty is None:
            fail(f"flags.tsv: {name}: unknown C++ type {cpp_type!r}; extend TYPE_MAP")
        retired = name in RETIRED
        if retired != help_text.startswith("[RETIRED"):
            fail(f"flags.tsv: {name}: RETIRED list and extraction disagree")
        flags[name] = (ty, normalise_default(name, ty, literal), retired)

    missing = sorted(set(flags) - set(descriptions))
    unknown = sorted(set(descriptions) - set(flags))
    if missing:
        fail("flags without a description in scripts/flag-descriptions.tsv: " + ", ".join(missing))
    if unknown:
        fail("descriptions for unknown flags in scripts/flag-descriptions.tsv: " + ", ".join(unknown))
    if set(flags) & RETIRED != RETIRED:
        fail("retired flags missing from flags.tsv: " + ", ".join(sorted(RETIRED - set(flags))))

    out_dir = os.path.join(repo_root, "crates", "core", "data")
    os.makedirs(out_dir, exist_ok=True)

    lines = [header("one line per flag of the `dragonfly` server binary, sorted by name (byte order)")]
    lines.append("name\ttype\tdefault\tretired\tdescription\n")
    for name in sorted(flags):
        ty, default, retired = flags[name]
        for field in (default, descriptions[name]):
            if "\t" in field or "\n" in field:
                fail(f"{name}: tab or newline in a field")
        lines.append(f"{name}\t{ty}\t{default}\t{'yes' if retired else 'no'}\t{descriptions[name]}\n")
    with open(os.path.join(out_dir, "flags.tsv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(lines)

    pairs: list[tuple[str, str]] = []
    for row in aux_rows:
        if len(row) != 5:
            fail(f"flags_aux_binaries.tsv: expected 5 columns, got {len(row)} in {row!r}")
        pair = (row[0], binary_of(row[4]))
        if pair not in pairs:
            pairs.append(pair)
    # Stable sort by name keeps the extraction's order between binaries sharing a name.
    pairs.sort(key=lambda p: p[0])
    aux_lines = [header("flags of other binaries in the Dragonfly repository, NOT accepted by `dragonfly`")]
    aux_lines.append("name\tbinary\n")
    aux_lines += [f"{name}\t{binary}\n" for name, binary in pairs]
    with open(os.path.join(out_dir, "aux_flags.tsv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(aux_lines)

    print(f"gen-flags: wrote {len(flags)} flags and {len(pairs)} aux flag entries to {out_dir}")


if __name__ == "__main__":
    main(sys.argv)
