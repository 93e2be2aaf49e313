"""Rule bundles: each resolved policy edition as versioned, reproducible JSON (+ a .js twin).

Layout written under an output directory (the site puts it at site/bundles/):

    index.json, index.js                     every policy and edition: metadata, URL, sha256, size
    bundle.schema.json                       the JSON Schema of all three documents
    ledger.schema.json, result.schema.json   what an evaluator reads and writes
    <policy>/<edition>.json, .js             the bundle (the .js twin for pages opened from file://)
    <policy>/<edition>.tests.json            conformance vectors: the edition's own test cases
    <policy>/latest.json, latest.js          alias of the newest edition (same bytes as its .json)

docs/bundle-spec.md is the human-readable specification; schemas/bundle.schema.json the machine
one. Output is byte-for-byte reproducible: keys sorted, fixed separators, UTF-8, trailing newline,
no timestamps or absolute paths; every number a policy states is an exact decimal or fraction
string ("0.5", "1/3").

    python -m generator.outputs.bundle OUT_DIR [POLICY_PATHS...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from generator.base.diagnostics import InputError, print_diagnostics
from generator.base.messages import bundled_catalog
from generator.base.paths import ROOT, SCHEMAS
from generator.base.rational import format_rational, parse_rational
from generator.outputs.files import write_output
from generator.policy.cases import _plain as _plain_case
from generator.policy.cases import cases_file_for, load_cases
from generator.policy.loader import validate_paths
from generator.policy.model import Policy, Requirement, Rule
from generator.rules.engine import RESULT_FORMAT, evaluate

FORMAT = "jxjy-bundle"
INDEX_FORMAT = "jxjy-bundle-index"
TESTS_FORMAT = "jxjy-conformance"
FORMAT_VERSION = "1.0"  # major.minor: see "Compatibility" in docs/bundle-spec.md
PUBLISHED_SCHEMAS = ("bundle.schema.json", "ledger.schema.json", "result.schema.json")
GLOBAL_BUNDLES = "JXJY_BUNDLES"
GLOBAL_INDEX = "JXJY_BUNDLE_INDEX"
# Item keys that only inform people (the calculator shows them); the engine never reads them.
ITEM_DISPLAY_KEYS = ("description", "help", "registration", "evidence", "workflow", "deadline", "auto")
DOCUMENT_KEYS = ("issuer", "number", "title", "issued", "effective_from", "effective_to", "related")


# ---------------------------------------------------------------------------------------------
# Canonical JSON
# ---------------------------------------------------------------------------------------------

def _num(value: Any) -> str:
    """An exact number in its canonical text: "2", "0.5", "1/3"."""
    return format_rational(parse_rational(value))


def _json_ready(value: Any) -> Any:
    """Plain JSON types only; YAML decimals become canonical number strings."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, (Decimal, Fraction)):
        return _num(value)
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    raise TypeError(f"cannot put a {type(value).__name__} into a bundle: {value!r}")


def dumps(document: Any) -> bytes:
    """The canonical serialisation: same document, same bytes."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")


def js_literal(data: bytes) -> str:
    # JSON is a JS literal; U+2028/U+2029 are escaped for engines older than ES2019
    return data.decode("utf-8").rstrip("\n").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def js_twin(keys: list[str], data: bytes, global_name: str = GLOBAL_BUNDLES) -> bytes:
    """The .js variant: registers the JSON document as globalThis.<global_name>[key] for each key
    (a classic script, for pages opened from file:// where fetch() fails)."""
    target = " = ".join(f"globalThis.{global_name}[{json.dumps(k, ensure_ascii=False)}]" for k in keys)
    return (f"globalThis.{global_name} = globalThis.{global_name} || {{}};\n"
            f"{target} = {js_literal(data)};\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# The bundle document
# ---------------------------------------------------------------------------------------------

def _rule(rule: Rule) -> dict:
    out: dict[str, Any] = {"type": rule.type}
    for key in ("per", "value", "factor", "passed", "failed"):
        if getattr(rule, key) is not None:
            out[key] = _num(getattr(rule, key))
    if rule.rounding is not None:
        out["rounding"] = rule.rounding
    if rule.type == "lookup" or rule.table:
        out["table"] = [{"level": level, "value": _num(value)} for level, value in rule.table]
    if rule.type == "manual":
        out["assessed_by"] = rule.assessed_by
        out["defers_to"] = rule.defers_to
        out["defined_in_source"] = rule.defined_in_source
    return out


def _measure(req: Requirement) -> Any:
    m = req.measure
    if m.kind == "total":
        return "total"
    if m.kind == "category":
        return {"category": m.ids[0]}
    return {"items": list(m.ids)}


def _requirement(req: Requirement, in_check: bool = False) -> dict:
    out = {
        "id": req.id, "name": req.name, "of": _measure(req), "source": req.source,
        "min": _num(req.min) if req.min is not None else None,
    }
    if in_check:
        out["min_per_period"] = _num(req.min_per_period) if req.min_per_period is not None else None
        between = req.periods_between
        out["periods_between"] = {"from": between[0], "to": between[1]} if between else None
    else:
        out["roles"] = list(req.roles)
    return out


def _window(window: dict) -> dict:
    out = _json_ready(dict(window))
    if out.get("kind") == "last_periods":
        out.setdefault("end", "current")
    elif out.get("kind") == "title_cycle":
        out.setdefault("count_current_before_as_of", False)
    return out


def _optional(raw: dict, keys: tuple[str, ...]) -> dict:
    return {k: _json_ready(raw[k]) for k in keys if raw.get(k) is not None}


def _by_id(entries: Any) -> dict[str, dict]:
    return {e["id"]: e for e in entries or [] if isinstance(e, dict) and isinstance(e.get("id"), str)}


def bundle_document(policy: Policy) -> dict:
    """The resolved edition in the documented bundle shape (docs/bundle-spec.md)."""
    data = policy.data
    period = policy.period
    raw_roles, raw_categories = _by_id(data.get("roles")), _by_id(data.get("categories"))
    raw_checks = _by_id(data.get("checks"))
    document = data.get("document") or {}
    meta: dict[str, Any] = {
        "id": policy.id, "edition": policy.edition, "key": policy.key, "title": policy.title,
        "region": _json_ready(data.get("region") or {}),
        "document": _optional(document, DOCUMENT_KEYS),
    }
    meta.update(_optional(data, ("short_name", "applies_to")))
    if isinstance(data.get("extends"), dict):
        meta["extends"] = {"policy": data["extends"]["policy"], "edition": data["extends"]["edition"]}
    meta.update(_optional(data, ("previous", "successor")))
    cycle = data.get("cycle")
    items = []
    for item in policy.items:
        entry = {
            "id": item.id, "name": item.name, "category": item.category, "input": item.input,
            "count_unit": item.count_unit,
            "levels": [{"id": lid, "name": name} for lid, name in item.levels],
            "rule": _rule(item.rule),
            "caps": [{"per": c.per, "max": _num(c.max), "source": c.source} for c in item.caps],
            "roles": list(item.roles),
            "gate": _json_ready(item.gate) if item.gate else None,
            "dedupe": _json_ready(item.dedupe) if item.dedupe else None,
            "source": item.source,
        }
        entry.update(_optional(item.raw, ITEM_DISPLAY_KEYS))
        items.append(entry)
    checks = []
    for check in policy.checks:
        entry = {
            "id": check.id, "name": check.name, "roles": list(check.roles), "window": _window(check.window),
            "requirements": [_requirement(r, in_check=True) for r in check.requirements], "source": check.source,
        }
        entry.update(_optional(raw_checks.get(check.id, {}), ("description",)))
        checks.append(entry)
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "result_format": RESULT_FORMAT,
        "policy": meta,
        "unit": policy.unit,
        "unit_source": data.get("unit_source"),
        "period": {
            "kind": period.kind,
            "start": f"{period.start_month:02d}-{period.start_day:02d}",
            "first": period.first, "last": period.last, "source": period.source,
            "carry_over": getattr(period, "carry_over", None),
            "carry_over_source": getattr(period, "carry_over_source", "") or None,
            "makeup": ({"counts": period.makeup.counts, "source": period.makeup.source}
                       if getattr(period, "makeup", None) else None),
            "verdict": ({"name": period.verdict.name, "source": period.verdict.source}
                        if getattr(period, "verdict", None) else None),
        },
        "cycle": {"periods": cycle["periods"], "source": cycle.get("source")} if isinstance(cycle, dict) else None,
        "conversions": [dict(_json_ready(c), factor=_num(c["factor"])) for c in data.get("conversions") or []],
        "roles": [dict({"id": rid, "name": name}, **_optional(raw_roles.get(rid, {}), ("description", "source")))
                  for rid, name in policy.roles],
        "categories": [dict({"id": c.id, "name": c.name, "parent": c.parent, "source": c.source or None},
                            **_optional(raw_categories.get(c.id, {}), ("description",)))
                       for c in policy.categories],
        "items": items,
        "caps": [{"id": c.id, "name": c.name, "items": list(c.items), "per": c.per, "max": _num(c.max),
                  "source": c.source} for c in policy.shared_caps],
        "requirements": [_requirement(r) for r in policy.requirements],
        "checks": checks,
        "clauses": [dict({"id": c.id, "quote": c.quote}, **({"title": c.title} if c.title else {}))
                    for c in policy.clauses],
        "timeline": _json_ready(data.get("timeline") or []),
        "notes": _json_ready(data.get("notes") or []),
        "messages": _json_ready(bundled_catalog()),
    }
    return doc


# ---------------------------------------------------------------------------------------------
# Conformance vectors
# ---------------------------------------------------------------------------------------------

def tests_file_of(policy: Policy) -> Path | None:
    """The .tests.yaml beside the policy's own (top-layer) file, if there is one."""
    if not policy.files:
        return None
    top = Path(policy.files[-1])
    for candidate in (top, ROOT / top):
        tests = cases_file_for(candidate)
        if tests.exists():
            return tests
    return None


def tests_document(policy: Policy, tests_file: Path, bundle_bytes: bytes) -> dict | None:
    """The edition's test cases as JSON, each with the reference engine's full result.

    None when the file holds another edition's cases (a policy model built in memory from
    another edition's data still names that edition's files)."""
    doc, diags = load_cases(tests_file)
    if diags:
        raise InputError(diags)
    data = _plain_case(doc.data)
    if data.get("policy") != policy.id or data.get("edition") != policy.edition:
        return None
    cases = []
    for case in data["cases"]:
        ledger = _json_ready(case["ledger"])
        as_of = case.get("as_of")
        out = {
            "id": case["id"], "name": case["name"], "as_of": as_of, "ledger": ledger,
            "expect": _json_ready(case["expect"]),
            "result": evaluate(policy, json.loads(json.dumps(ledger)), as_of),
        }
        if case.get("source"):
            out["source"] = case["source"]
        cases.append(out)
    return {
        "format": TESTS_FORMAT, "format_version": FORMAT_VERSION, "policy": policy.id, "edition": policy.edition,
        "bundle": f"{policy.edition}.json", "bundle_sha256": sha256(bundle_bytes), "cases": cases,
    }


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

@dataclass
class _Written:
    policy: Policy
    json_bytes: bytes
    js_bytes: bytes
    tests_bytes: bytes | None
    cases: int


def _file_ref(url: str, data: bytes) -> dict:
    return {"url": url, "sha256": sha256(data), "size": len(data)}


def _latest_key(policy: Policy) -> tuple:
    doc = policy.data.get("document") or {}
    return (str(doc.get("effective_from") or doc.get("issued") or ""), policy.edition)


def write_bundles(policies: list[Policy], out_dir: Path) -> list[Path]:
    """Write every edition's bundle, .js twin, tests, the latest aliases and the index into out_dir.

    Returns the paths written (sorted). Same policies → same bytes.
    """
    out_dir = Path(out_dir)
    keys = [p.key for p in policies]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"policy editions given twice: {', '.join(dupes)}")
    built: list[_Written] = []
    for policy in sorted(policies, key=lambda p: (p.id, p.edition)):
        data = dumps(bundle_document(policy))
        tests_file = tests_file_of(policy)
        tests_bytes, cases = None, 0
        if tests_file is not None:
            tests_doc = tests_document(policy, tests_file, data)
            if tests_doc is not None:
                tests_bytes, cases = dumps(tests_doc), len(tests_doc["cases"])
        built.append(_Written(policy, data, js_twin([policy.key], data), tests_bytes, cases))

    written: list[Path] = []
    latest: dict[str, _Written] = {}
    for w in built:
        if w.policy.id not in latest or _latest_key(w.policy) > _latest_key(latest[w.policy.id].policy):
            latest[w.policy.id] = w
    entries = []
    for w in built:
        p = w.policy
        base = f"{p.id}/{p.edition}"
        write_output(out_dir / f"{base}.json", w.json_bytes, written)
        write_output(out_dir / f"{base}.js", w.js_bytes, written)
        if w.tests_bytes is not None:
            write_output(out_dir / f"{base}.tests.json", w.tests_bytes, written)
        doc = p.data.get("document") or {}
        entry = {
            "id": p.id, "edition": p.edition, "key": p.key, "title": p.title,
            "region": _json_ready(p.data.get("region") or {}),
            "effective_from": doc.get("effective_from"), "effective_to": doc.get("effective_to"),
            "issued": doc.get("issued"), "latest": latest[p.id] is w,
            "url": f"{base}.json", "sha256": sha256(w.json_bytes), "size": len(w.json_bytes),
            "js": _file_ref(f"{base}.js", w.js_bytes),
            "tests": (dict(_file_ref(f"{base}.tests.json", w.tests_bytes), cases=w.cases)
                      if w.tests_bytes is not None else None),
        }
        entry.update(_optional(p.data, ("short_name",)))
        entries.append(entry)
    aliases = {}
    for pid, w in sorted(latest.items()):
        write_output(out_dir / pid / "latest.json", w.json_bytes, written)
        latest_js = js_twin([w.policy.key, f"{pid}/latest"], w.json_bytes)
        write_output(out_dir / pid / "latest.js", latest_js, written)
        aliases[pid] = {"edition": w.policy.edition, "url": f"{pid}/latest.json", "js_url": f"{pid}/latest.js"}
    index = {
        "format": INDEX_FORMAT, "format_version": FORMAT_VERSION, "schema": "bundle.schema.json",
        "bundles": entries, "latest": aliases,
    }
    index_bytes = dumps(index)
    write_output(out_dir / "index.json", index_bytes, written)
    write_output(out_dir / "index.js", f"globalThis.{GLOBAL_INDEX} = {js_literal(index_bytes)};\n".encode(), written)
    for schema in PUBLISHED_SCHEMAS:  # a third party needs these beside the bundles (docs/bundle-spec.md)
        write_output(out_dir / schema, (SCHEMAS / schema).read_bytes(), written)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.outputs.bundle", description="write rule bundles")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("paths", nargs="*", help="policy files or folders (default: policies)")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="write the editions that load; report the others and still exit 0")
    args = parser.parse_args(argv)
    paths = args.paths or ["policies"]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 1
    policies, diags = validate_paths(paths)
    print_diagnostics(diags)
    if diags and not args.skip_invalid:
        print(f"{len(diags)} error(s); nothing written", file=sys.stderr)
        return 1
    try:
        written = write_bundles(policies, args.out_dir)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return 1
    print(f"wrote {len(written)} files for {len(policies)} edition(s) into {args.out_dir}")
    return 0


__all__ = ["FORMAT", "FORMAT_VERSION", "bundle_document", "dumps", "js_twin", "main", "tests_document",
           "write_bundles"]

if __name__ == "__main__":
    sys.exit(main())
