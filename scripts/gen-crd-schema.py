#!/usr/bin/env python3
"""Generate dflint's JSON Schema for the `spec` of `dragonflydb.io/v1alpha1` Dragonfly resources.

Reads the dragonfly-operator CRD (a path argument; by default
`../shared/reference/dragonfly/dragonfly-crd.yaml` beside the repository) and writes
`crates/core/data/dragonfly-v1alpha1-spec.schema.json`: a draft 2020-12 JSON Schema that
keeps only the structure of the spec (field names, types, required fields, enums, formats,
patterns, bounds, maps). Descriptions, defaults, CEL rules and the `x-kubernetes-*`
list/map annotations are dropped. Objects with `properties` are closed with
`additionalProperties: false` (the API server prunes unknown fields silently, which is
what dflint reports), unless they carry `x-kubernetes-preserve-unknown-fields`.
Identical subtrees are shared through `$defs`.

Usage: python3 scripts/gen-crd-schema.py [CRD] [-o OUTPUT] [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit(
        "gen-crd-schema.py needs PyYAML to read the CRD: install it with "
        "`python3 -m pip install pyyaml` (or your distribution's python3-yaml package)."
    )

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CRD = REPO.parent / "shared" / "reference" / "dragonfly" / "dragonfly-crd.yaml"
DEFAULT_OUTPUT = REPO / "crates" / "core" / "data" / "dragonfly-v1alpha1-spec.schema.json"
DEFAULT_OPERATOR_VERSION = "v1.6.1"
GROUP, KIND, VERSION = "dragonflydb.io", "Dragonfly", "v1alpha1"

# Keywords copied as they are: facts about the shape of a value.
KEPT = ("enum", "format", "pattern", "minimum", "maximum")
# Keywords handled structurally below.
STRUCTURAL = {
    "type",
    "properties",
    "items",
    "required",
    "additionalProperties",
    "anyOf",
    "nullable",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
}
# Keywords deliberately dropped: prose, defaults, server-side rules (the `pdb` CEL rule has
# its own dflint rule) and list/map merge annotations.
DROPPED = {
    "description",
    "default",
    "example",
    "title",
    "externalDocs",
    "x-kubernetes-validations",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
}
INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]

# A shared subtree goes to `$defs` when it occurs at least twice and its compact JSON is
# at least this long; smaller ones stay inline where they are easier to read.
MIN_SHARED_SIZE = 120


class CrdError(Exception):
    pass


def where(path: tuple[str, ...]) -> str:
    return "spec" + "".join(p if p in ("[]", "{}") else "." + p for p in path)


def convert(node: object, path: tuple[str, ...]) -> dict:
    """One CRD (OpenAPI v3, structural) schema node to a JSON Schema node."""
    if not isinstance(node, dict):
        raise CrdError(f"{where(path)}: expected a schema object, found {type(node).__name__}")
    unknown = sorted(set(node) - STRUCTURAL - DROPPED - set(KEPT))
    if unknown:
        raise CrdError(
            f"{where(path)}: keyword(s) {', '.join(unknown)} are not handled by "
            "gen-crd-schema.py; decide whether they are facts to keep or annotations to drop"
        )

    out: dict = {}
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True

    if node.get("x-kubernetes-int-or-string") is True:
        any_of = node.get("anyOf")
        if any_of is not None and any_of != INT_OR_STRING_ANY_OF:
            raise CrdError(f"{where(path)}: unexpected anyOf beside x-kubernetes-int-or-string")
        # `pattern` (a quantity) only ever applies to the string branch in JSON Schema.
        types: list[str] | str | None = ["integer", "string"]
    else:
        if "anyOf" in node:
            raise CrdError(f"{where(path)}: anyOf is only handled for x-kubernetes-int-or-string")
        types = node.get("type")

    if node.get("nullable") is True and types is not None:
        types = ([types] if isinstance(types, str) else list(types)) + ["null"]
    if types is not None:
        out["type"] = types

    for key in KEPT:
        if key in node:
            out[key] = node[key]
    if node.get("nullable") is True and "enum" in out and None not in out["enum"]:
        out["enum"] = list(out["enum"]) + [None]

    if "properties" in node:
        out["properties"] = {
            name: convert(child, path + (name,))
            for name, child in sorted(node["properties"].items())
        }
        if not preserve:
            out["additionalProperties"] = False
    if "additionalProperties" in node:
        extra = node["additionalProperties"]
        if isinstance(extra, bool):
            if "properties" in node and not extra:
                out["additionalProperties"] = False
            elif extra:
                out["additionalProperties"] = True
        else:
            if "properties" in node:
                raise CrdError(f"{where(path)}: both properties and additionalProperties")
            out["additionalProperties"] = convert(extra, path + ("{}",))
    if "required" in node:
        out["required"] = sorted(node["required"])
    if "items" in node:
        out["items"] = convert(node["items"], path + ("[]",))

    if preserve and "type" not in node:
        # Anything goes below this node.
        return {}
    return out


# --- sharing identical subtrees through $defs -------------------------------------------


def canon(node: object) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def children(node: dict):
    """(segment, child) for each schema below `node`, in a deterministic order."""
    for name, child in sorted(node.get("properties", {}).items()):
        yield name, child
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield "{}", extra
    if isinstance(node.get("items"), dict):
        yield "[]", node["items"]


def is_container_only(node: dict) -> bool:
    """An array or a map: its items or values are shared instead (`$defs/container`, not
    `$defs/containers`)."""
    is_map = isinstance(node.get("additionalProperties"), dict)
    return "properties" not in node and ("items" in node or is_map)


def occurrences(root: dict, defs: dict) -> dict[str, list[tuple[str, ...]]]:
    """Canonical text -> paths where it occurs (def roots, arrays and maps excluded)."""
    found: dict[str, list[tuple[str, ...]]] = {}

    def walk(node: dict, path: tuple[str, ...]) -> None:
        for segment, child in children(node):
            child_path = path + (segment,)
            if "$ref" not in child and not is_container_only(child):
                found.setdefault(canon(child), []).append(child_path)
            walk(child, child_path)

    walk(root, ())
    for name in sorted(defs):
        walk(defs[name], ("$defs", name))
    return found


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word + "Item"


def segment_name(path: tuple[str, ...]) -> str:
    """A readable name for the node at `path`: the field's name, an array's item name."""
    last = path[-1]
    if last == "[]":
        return singular(segment_name(path[:-1]))
    if last == "{}":
        return segment_name(path[:-1]) + "Value"
    return last


def camel_words(name: str) -> list[str]:
    return re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name) or [name]


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def def_name(node: dict, paths: list[tuple[str, ...]], taken: dict[str, str]) -> str:
    if node.get("type") == ["integer", "string"] and "pattern" in node:
        base = "quantity"
    else:
        names = [segment_name(p) for p in paths]
        counts = Counter(names)
        top = max(counts.values())
        tied = [n for n in dict.fromkeys(names) if counts[n] == top]
        base = tied[0]
        if len(tied) > 1:
            # e.g. livenessProbe/readinessProbe/startupProbe -> probe,
            # additionalContainer/initContainer -> container.
            words = [camel_words(n) for n in tied]
            common: list[str] = []
            while all(len(w) > len(common) for w in words) and len(
                {w[-1 - len(common)].lower() for w in words}
            ) == 1:
                common.insert(0, words[0][-1 - len(common)])
            if common:
                base = lower_first("".join(w[:1].upper() + w[1:] for w in common))
            elif len(tied) == 2 and len(tied[0]) + len(tied[1]) <= 30:
                # e.g. postStart/preStop -> postStartOrPreStop.
                base = tied[0] + "Or" + tied[1][:1].upper() + tied[1][1:]
    if base not in taken:
        return base
    # Same name, different shape: qualify it with its parent field.
    first = list(paths[0])
    while first and first[-1] in ("[]", "{}"):
        first.pop()
    parents = [s for s in first[:-1] if s not in ("[]", "{}", "$defs")]
    if parents:
        qualified = lower_first(parents[-1]) + base[:1].upper() + base[1:]
        if qualified not in taken:
            return qualified
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def replace(node: dict, text: str, ref: dict) -> None:
    """Replaces every subtree of `node` whose canonical text is `text` with `ref`."""
    properties = node.get("properties", {})
    for name, child in properties.items():
        if canon(child) == text:
            properties[name] = dict(ref)
        else:
            replace(child, text, ref)
    for key in ("items", "additionalProperties"):
        child = node.get(key)
        if isinstance(child, dict):
            if canon(child) == text:
                node[key] = dict(ref)
            else:
                replace(child, text, ref)


def share(root: dict) -> dict:
    """Moves repeated subtrees of `root` into `$defs`, largest first; returns the defs."""
    defs: dict[str, dict] = {}
    taken: dict[str, str] = {}
    while True:
        found = occurrences(root, defs)
        candidates = [
            (len(text), text)
            for text, paths in found.items()
            if len(paths) >= 2 and len(text) >= MIN_SHARED_SIZE
        ]
        if not candidates:
            return defs
        _, text = max(candidates)
        node = json.loads(text)
        name = def_name(node, found[text], taken)
        taken[name] = text
        ref = {"$ref": f"#/$defs/{name}"}
        replace(root, text, ref)
        for other in defs.values():
            replace(other, text, ref)
        defs[name] = node


# --- the CRD -----------------------------------------------------------------------------


def spec_schema(crd: dict) -> dict:
    if crd.get("kind") != "CustomResourceDefinition":
        raise CrdError(f"not a CustomResourceDefinition (kind: {crd.get('kind')!r})")
    spec = crd.get("spec") or {}
    if spec.get("group") != GROUP or (spec.get("names") or {}).get("kind") != KIND:
        raise CrdError(f"not the {GROUP} {KIND} CRD")
    for version in spec.get("versions") or []:
        if version.get("name") == VERSION:
            try:
                return version["schema"]["openAPIV3Schema"]["properties"]["spec"]
            except (KeyError, TypeError):
                raise CrdError(f"{VERSION} has no schema.openAPIV3Schema.properties.spec")
    raise CrdError(f"the CRD has no {VERSION} version")


def generate(crd: dict, operator_version: str) -> dict:
    root = convert(spec_schema(crd), ())
    defs = share(root)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": (
            f"Generated from dragonfly-operator {operator_version}'s Dragonfly CRD "
            f"(dragonflydb.io/{VERSION}, spec only) by scripts/gen-crd-schema.py; do not edit. "
            "It carries only field names and types (structure), no descriptions."
        ),
        "x-dflint-source": {"operator": operator_version},
    }
    if defs:
        schema["$defs"] = defs
    schema.update(root)
    return schema


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "crd",
        nargs="?",
        type=Path,
        default=DEFAULT_CRD,
        help=f"the dragonfly-operator CRD (default: {DEFAULT_CRD})",
    )
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--operator-version", default=DEFAULT_OPERATOR_VERSION)
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; fail if the output file is not up to date",
    )
    args = parser.parse_args()

    try:
        text = args.crd.read_text(encoding="utf-8")
    except OSError as err:
        print(f"gen-crd-schema.py: cannot read the CRD {args.crd}: {err.strerror}", file=sys.stderr)
        return 1
    documents = [d for d in yaml.safe_load_all(text) if d]
    if len(documents) != 1:
        print(f"gen-crd-schema.py: {args.crd}: expected one YAML document", file=sys.stderr)
        return 1
    try:
        out = render(generate(documents[0], args.operator_version))
    except CrdError as err:
        print(f"gen-crd-schema.py: {args.crd}: {err}", file=sys.stderr)
        return 1

    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != out:
            print(
                f"gen-crd-schema.py: {args.output} is out of date; rerun the script",
                file=sys.stderr,
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
