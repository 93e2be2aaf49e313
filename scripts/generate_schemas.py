#!/usr/bin/env python3
"""Write the rule types' part of the JSON Schemas from the rule registry (generator/rules/types.py).

Each rule type declares its own keys; `$defs.rule` of schemas/policy.schema.json and of
schemas/bundle.schema.json is generated from them, so adding a rule type never means editing a
schema by hand. Run after changing a rule type:

    .venv/bin/python scripts/generate_schemas.py          # rewrite the files
    .venv/bin/python scripts/generate_schemas.py --check  # exit 1 when a file is out of date (tests run this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.rules.types import bundle_rule_schema, policy_rule_schema  # noqa: E402

TARGETS = {"policy.schema.json": policy_rule_schema, "bundle.schema.json": bundle_rule_schema}


def _flat(value: object) -> bool:
    return not isinstance(value, (dict, list)) or (isinstance(value, list) and all(map(_flat, value))
                                                   and not any(isinstance(v, list) for v in value))


def dump(value: object, indent: int = 0) -> str:
    """JSON as the schema files are written: two-space indents; lists of plain values, and objects of plain
    values that fit, on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if all(_flat(v) for v in value.values()):
            line = "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {dump(v)}" for k, v in value.items()) + "}"
            if len(pad) + len(line) <= 180:
                return line
        body = ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {dump(v, indent + 1)}" for k, v in value.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        return "[\n" + ",\n".join(inner + dump(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def _object_end(text: str, start: int) -> int:
    """The index just past the JSON object that opens at text[start] ('{'), strings respected."""
    depth, i, in_string = 0, start, False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced JSON")


def generated(name: str) -> str:
    """The schema file with its `$defs.rule` written from the registry; every other line kept as it is."""
    text = (ROOT / "schemas" / name).read_text(encoding="utf-8")
    key = '\n    "rule": {'
    start = text.index(key, text.index('\n  "$defs": {')) + len(key) - 1
    new = text[:start] + dump(TARGETS[name](), indent=2) + text[_object_end(text, start):]
    json.loads(new)  # still one valid document
    return new


def main(argv: list[str]) -> int:
    stale = []
    for name in TARGETS:
        path = ROOT / "schemas" / name
        text = generated(name)
        if path.read_text(encoding="utf-8") != text:
            if "--check" in argv:
                stale.append(name)
            else:
                path.write_text(text, encoding="utf-8")
                print(f"wrote schemas/{name}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run: python scripts/generate_schemas.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
