#!/usr/bin/env python3
"""Generate dflint's Dragonfly command and ACL-category tables.

Reads the reference extraction of the Dragonfly command registry
(`commands.tsv`, `categories.tsv`; tab-separated, one header row, no quoting) and
writes, in the project's own format:

  crates/core/data/dragonfly-commands.tsv
      name arity first_key last_key step flags categories key_acl_checked
  crates/core/data/dragonfly-categories.tsv
      name bit redis7_standard

Usage: scripts/gen-commands.py [REFERENCE_DIR]
       (default: ../shared/reference/dragonfly/ relative to the repository root)

Facts only: the free-text notes of the reference tables are not copied.

Key step: the reference tables carry no step. Dragonfly v1.40 derives it from the
command name in the `CommandId` constructor (`src/server/command_registry.cc`,
`interleave_step_`): MSET and MSETNX interleave key/value (step 2), JSON.MSET
interleaves key/path/value (step 3); every other command has step 1. The same
values are what Redis reports for MSET/MSETNX (first 1, last -1, step 2).
"""

from __future__ import annotations

import sys
from pathlib import Path

DRAGONFLY_VERSION = "v1.40.1"
SCRIPT = "scripts/gen-commands.py"

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "crates" / "core" / "data"

# Interleaved key steps (see module docstring).
STEPS = {"MSET": 2, "MSETNX": 2, "JSON.MSET": 3}

# Dragonfly pub/sub commands (CommandId::IsPubSub: PUBSUB_REGULAR/PATTERN/SHARDED kinds).
PUBSUB = {
    "PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE",
    "SPUBLISH", "SSUBSCRIBE", "SUNSUBSCRIBE",
}

# Registry option flag -> project flag name (order = output order).
OPT_FLAGS = [
    ("READONLY", "readonly"),
    ("JOURNALED", "write"),
    ("FAST", "fast"),
    ("BLOCKING", "blocking"),
    ("NOSCRIPT", "noscript"),
    ("LOADING", "loading"),
    ("DENYOOM", "denyoom"),
    ("VARIADIC_KEYS", "variadic_keys"),
    ("GLOBAL_TRANS", "global_trans"),
    ("NO_KEY_TRANSACTIONAL", "no_key_transactional"),
    ("NO_KEY_TX_SPAN_ALL", "no_key_tx_span_all"),
    ("STORE_LAST_KEY", "store_last_key"),
    ("NO_AUTOJOURNAL", "no_autojournal"),
    ("IDEMPOTENT", "idempotent"),
    ("HIDDEN", "hidden"),
    ("ADMIN", "opt_admin"),
    ("DANGEROUS", "opt_dangerous"),
]
KNOWN_OPTS = {o for o, _ in OPT_FLAGS}

BUILD_SWITCHES = ("WITH_COLLECTION_CMDS", "WITH_EXTENSION_CMDS", "WITH_SEARCH")


def read_tsv(path: Path, header: list[str]) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        sys.exit(f"{path}: empty")
    got = lines[0].split("\t")
    if got != header:
        sys.exit(f"{path}: unexpected header {got!r}, expected {header!r}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < len(header):
            fields += [""] * (len(header) - len(fields))
        if len(fields) != len(header):
            sys.exit(f"{path}:{number}: expected {len(header)} columns, got {len(fields)}")
        rows.append(fields)
    return rows


def parse_notes(name: str, notes: str) -> dict:
    """Extract the facts from the flags/notes column."""
    facts = {"opts": [], "markers": set(), "build": None}
    for part in (p.strip() for p in notes.split(";")):
        if part.startswith("opt="):
            opts = part[4:].split("|")
            unknown = set(opts) - KNOWN_OPTS
            if unknown:
                sys.exit(f"{name}: unknown option flags {sorted(unknown)}")
            facts["opts"] = opts
        elif part.startswith("arity="):
            arity, keys = part.split()
            facts["arity"] = int(arity[len("arity="):])
            first, last = keys[len("keys="):].split("..")
            facts["first_key"], facts["last_key"] = int(first), int(last)
        elif part.startswith("key-pattern-ACL-checked="):
            value = part.split("=", 1)[1]
            if value not in ("yes", "no"):
                sys.exit(f"{name}: bad key-pattern-ACL-checked {value!r}")
            facts["key_acl_checked"] = value
        elif part in ("DANGEROUS", "ADMIN"):
            facts["markers"].add(part)
        elif part.startswith("compiled only with "):
            switch = part[len("compiled only with "):].split()[0]
            if switch not in BUILD_SWITCHES:
                sys.exit(f"{name}: unknown build switch {switch!r}")
            facts["build"] = switch
    for required in ("arity", "first_key", "key_acl_checked"):
        if required not in facts:
            sys.exit(f"{name}: notes lack {required}")
    return facts


def main() -> None:
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference" / "dragonfly"
    cmd_rows = read_tsv(ref / "commands.tsv", ["command", "categories", "flags/notes", "source file"])
    cat_rows = read_tsv(
        ref / "categories.tsv",
        ["category", "bit", "redis7_standard", "command_count", "commands", "notes"],
    )

    # Categories (the `all` pseudo-category has no bit and is handled by the rule evaluator).
    categories = []
    expected_members: dict[str, tuple[int, list[str]]] = {}
    for name, bit, standard, count, members, _notes in cat_rows:
        if name == "all":
            continue
        if not bit.isdigit() or int(bit) > 63:
            sys.exit(f"category {name}: bad bit {bit!r}")
        std = "yes" if standard.startswith("yes") else "no" if standard == "no" else None
        if std is None:
            sys.exit(f"category {name}: bad redis7_standard {standard!r}")
        categories.append((name.lower(), int(bit), std))
        expected_members[name.lower()] = (int(count), members.split())
    names = [c[0] for c in categories]
    bits = [c[1] for c in categories]
    if len(set(names)) != len(names) or len(set(bits)) != len(bits):
        sys.exit("categories: duplicate name or bit")
    categories.sort(key=lambda c: c[1])

    commands = []
    seen = set()
    members: dict[str, set[str]] = {n: set() for n in names}
    for command, cats, notes, _source in cmd_rows:
        if command in seen:
            sys.exit(f"duplicate command {command}")
        seen.add(command)
        facts = parse_notes(command, notes)
        cat_list = cats.split()
        for cat in cat_list:
            if cat not in members:
                sys.exit(f"{command}: unknown category {cat}")
            members[cat].add(command)
        opts = set(facts["opts"])
        flags = []
        for opt, flag in OPT_FLAGS[:2]:  # readonly, write first
            if opt in opts:
                flags.append(flag)
        if "ADMIN" in facts["markers"]:
            flags.append("admin")
        if "DANGEROUS" in facts["markers"]:
            flags.append("dangerous")
        if command in PUBSUB:
            flags.append("pubsub")
        for opt, flag in OPT_FLAGS[2:]:
            if opt in opts:
                flags.append(flag)
        if facts["build"]:
            flags.append("build=" + facts["build"].lower())
        # Consistency: markers mirror @admin/@dangerous membership.
        if ("ADMIN" in facts["markers"]) != ("admin" in cat_list):
            sys.exit(f"{command}: ADMIN marker and @admin disagree")
        if ("DANGEROUS" in facts["markers"]) != ("dangerous" in cat_list):
            sys.exit(f"{command}: DANGEROUS marker and @dangerous disagree")
        # Consistency: key_acl_checked == first_key != 0 && (readonly || journaled).
        derived = facts["first_key"] != 0 and bool(opts & {"READONLY", "JOURNALED"})
        if derived != (facts["key_acl_checked"] == "yes"):
            sys.exit(f"{command}: key-pattern-ACL-checked disagrees with its flags")
        commands.append(
            (
                command.lower(),
                facts["arity"],
                facts["first_key"],
                facts["last_key"],
                STEPS.get(command, 1),
                " ".join(flags) or "-",
                " ".join(c.lower() for c in cat_list) or "-",
                facts["key_acl_checked"],
            )
        )

    for step_cmd in STEPS:
        if step_cmd not in seen:
            sys.exit(f"step table names unknown command {step_cmd}")
    for name, (count, tokens) in expected_members.items():
        # Member names may contain a space ("ACL SETUSER"): join greedily with known names.
        listed, i = set(), 0
        while i < len(tokens):
            if i + 1 < len(tokens) and f"{tokens[i]} {tokens[i + 1]}" in seen:
                listed.add(f"{tokens[i]} {tokens[i + 1]}")
                i += 2
            else:
                listed.add(tokens[i])
                i += 1
        got = members[name]
        if len(got) != count or got != listed:
            sys.exit(f"category {name}: commands.tsv gives {len(got)} members, categories.tsv {count}")

    commands.sort(key=lambda c: c[0].encode())
    header = (
        f"# generated by {SCRIPT} from the Dragonfly {DRAGONFLY_VERSION} command registry "
        "reference tables (commands.tsv, categories.tsv); do not edit\n"
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR / "dragonfly-commands.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write(header)
        out.write(
            "# step: 2 for MSET/MSETNX, 3 for JSON.MSET (Dragonfly CommandId interleave step), "
            "else 1; write = JOURNALED; admin/dangerous = @admin/@dangerous membership; "
            "opt_admin/opt_dangerous = registry option flags\n"
        )
        out.write("name\tarity\tfirst_key\tlast_key\tstep\tflags\tcategories\tkey_acl_checked\n")
        for row in commands:
            out.write("\t".join(str(f) for f in row) + "\n")
    with open(OUT_DIR / "dragonfly-categories.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write(header)
        out.write("name\tbit\tredis7_standard\n")
        for name, bit, std in categories:
            out.write(f"{name}\t{bit}\t{std}\n")
    print(f"wrote {len(commands)} commands, {len(categories)} categories to {OUT_DIR}")


if __name__ == "__main__":
    main()
