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

    jxjy bundle OUT_DIR [POLICY_PATHS...]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from generator.base.diagnostics import InputError
from generator.base.messages import bundled_catalog
from generator.base.paths import ROOT, SCHEMAS
from generator.base.rational import format_rational, parse_rational
from generator.outputs.files import write_output
from generator.policy.model import Document, Item, Policy, Region, Requirement, TimelineEntry, Window
from generator.rules.cases import cases_file_for, load_cases, plain_data
from generator.rules.engine import RESULT_FORMAT, evaluate

FORMAT = "jxjy-bundle"
INDEX_FORMAT = "jxjy-bundle-index"
TESTS_FORMAT = "jxjy-conformance"
FORMAT_VERSION = "2.0"  # major.minor: see "Compatibility" in docs/bundle-spec.md
PUBLISHED_SCHEMAS = ("bundle.schema.json", "ledger.schema.json", "result.schema.json")
GLOBAL_BUNDLES = "JXJY_BUNDLES"
GLOBAL_INDEX = "JXJY_BUNDLE_INDEX"
# Item keys that only inform people (the calculator shows them); the engine never reads them.


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

def _measure(req: Requirement) -> Any:
    m = req.measure
    if m.kind == "total":
        return "total"
    if m.kind == "category":
        return {"category": m.ids[0]}
    return {"items": list(m.ids)}


def _opt_num(value: Fraction | None) -> str | None:
    return _num(value) if value is not None else None


def _requirement(req: Requirement, in_check: bool = False) -> dict:
    out: dict[str, Any] = {"id": req.id, "name": req.name, "of": _measure(req), "source": req.source,
                           "min": _opt_num(req.min)}
    if in_check:
        out["min_per_period"] = _opt_num(req.min_per_period)
        between = req.periods_between
        out["periods_between"] = {"from": between[0], "to": between[1]} if between else None
    else:
        out["roles"] = list(req.roles)
        out["deadline"] = req.deadline or None
    return out


def _window(w: Window) -> dict:
    if w.kind == "last_periods":
        return {"kind": w.kind, "count": w.count, "end": w.end}
    if w.kind == "title_cycle":
        return {"kind": w.kind, "max_periods": w.max_periods, "cutoff": w.cutoff, "date": w.date,
                "count_current_before_as_of": w.count_current_before_as_of}
    return {"kind": w.kind}


def _present(**values: Any) -> dict:
    """Only the members a policy states: empty strings, lists and None are left out."""
    return {k: v for k, v in values.items() if v not in ("", None, [], (), {})}


def _document(doc: Document) -> dict:
    related = [_present(issuer=r.issuer, number=r.number, title=r.title, issued=r.issued) for r in doc.related]
    return _present(issuer=doc.issuer, number=doc.number, title=doc.title, issued=doc.issued,
                    effective_from=doc.effective_from, effective_to=doc.effective_to, related=related)


def _region(region: Region | None) -> dict:
    if region is None:
        return {}
    return _present(province=region.province, city=region.city, district=region.district, sector=region.sector)


def _item(item: Item) -> dict:
    entry: dict[str, Any] = {
        "id": item.id, "name": item.name, "category": item.category, "input": item.input,
        "count_unit": item.count_unit,
        "levels": [{"id": lv.id, "name": lv.name} for lv in item.levels],
        "rule": item.rule.bundle(),
        "caps": [{"per": c.per, "max": _num(c.max), "source": c.source} for c in item.caps],
        "roles": list(item.roles),
        "gate": {"flag": item.gate.flag, "source": item.gate.source} if item.gate else None,
        "dedupe": ({"by": item.dedupe.by, "scope": item.dedupe.scope, "source": item.dedupe.source}
                   if item.dedupe else None),
        "source": item.source,
    }
    entry.update(_present(description=item.description, help=item.help, registration=item.registration,
                          evidence=list(item.evidence), workflow=item.workflow, deadline=item.deadline))
    if item.auto:
        entry["auto"] = True
    return entry


def _timeline_entry(t: TimelineEntry) -> dict:
    offset = {"days": t.offset.days, "relation": t.offset.relation, "anchor": t.offset.anchor} if t.offset else None
    return _present(id=t.id, kind=t.kind, title=t.title, date=t.date, start=t.start, end=t.end, month=t.month,
                    offset=offset, actors=list(t.actors), description=t.description, source=t.source)


def bundle_document(policy: Policy) -> dict:
    """The resolved edition in the documented bundle shape (docs/bundle-spec.md)."""
    period = policy.period
    meta: dict[str, Any] = {
        "id": policy.id, "edition": policy.edition, "key": policy.key, "title": policy.title,
        "region": _region(policy.region), "document": _document(policy.document),
    }
    meta.update(_present(short_name=policy.short_name, applies_to=policy.applies_to))
    if policy.extends is not None:
        meta["extends"] = {"policy": policy.extends.policy, "edition": policy.extends.edition}
    if policy.previous:
        meta["previous"] = {"edition": policy.previous}
    if policy.revision is not None:
        r = policy.revision
        meta["revision"] = _present(number=r.number, date=r.date, rules_sha256=r.rules_sha256, note=r.note)
    if policy.in_force is not None:
        meta["in_force"] = _in_force(policy)
    if policy.successor is not None:
        s = policy.successor
        meta["successor"] = _present(**{"from": s.from_date, "description": s.description, "policy": s.policy,
                                        "source": s.source})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "result_format": RESULT_FORMAT,
        "policy": meta,
        "unit": policy.unit,
        "unit_source": policy.unit_source or None,
        "period": {
            "kind": period.kind, "start": period.start, "first": period.first, "last": period.last,
            "source": period.source, "carry_over": period.carry_over,
            "carry_over_source": period.carry_over_source or None,
            "makeup": {"counts": period.makeup.counts, "source": period.makeup.source} if period.makeup else None,
            "verdict": {"name": period.verdict.name, "source": period.verdict.source} if period.verdict else None,
        },
        "cycle": {"periods": policy.cycle.periods, "source": policy.cycle.source} if policy.cycle else None,
        "conversions": [{"from": c.from_unit, "to": c.to_unit, "factor": _num(c.factor), "source": c.source}
                        for c in policy.conversions],
        "roles": [_present(id=r.id, name=r.name, description=r.description, source=r.source) for r in policy.roles],
        "categories": [dict({"id": c.id, "name": c.name, "parent": c.parent, "source": c.source or None},
                            **_present(description=c.description)) for c in policy.categories],
        "items": [_item(item) for item in policy.items],
        "caps": [{"id": c.id, "name": c.name, "items": list(c.items), "per": c.per, "max": _num(c.max),
                  "source": c.source} for c in policy.shared_caps],
        "requirements": [_requirement(r) for r in policy.requirements],
        "checks": [dict({"id": c.id, "name": c.name, "roles": list(c.roles), "window": _window(c.window),
                         "requirements": [_requirement(r, in_check=True) for r in c.requirements],
                         "deadline": c.deadline or None, "source": c.source},
                        **_present(description=c.description)) for c in policy.checks],
        "clauses": [dict({"id": c.id, "cite": c.citation, "quote": c.quote}, **_present(title=c.title))
                    for c in policy.clauses],
        "timeline": [_timeline_entry(t) for t in policy.timeline],
        "schedules": [{"id": s.id, "title": s.title, "source": s.source,
                       "rows": [{"seq": r.seq, "group": r.group, "organization": r.organization, "date": r.date}
                                for r in s.rows]} for s in policy.schedules],
        "school_slots": ({"schedule": policy.school_slots.schedule, "source": policy.school_slots.source}
                         if policy.school_slots else None),
        "notes": [_present(id=n.id, title=n.title, text=n.text, source=n.source) for n in policy.notes],
        "messages": _json_ready(bundled_catalog()),
    }


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
    data = plain_data(doc.data)
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


def revision_base(policy: Policy) -> str | None:
    """The immutable name of this revision's bundle (without extension): <policy>/<edition>.r<N>."""
    return f"{policy.id}/{policy.edition}.r{policy.revision.number}" if policy.revision else None


def _in_force(policy: Policy) -> dict | None:
    w = policy.in_force
    if w is None:
        return None
    return _present(**{"from": w.start, "to": w.end, "review_until": w.review_until, "source": w.source,
                       "note": w.note})


def _latest_key(policy: Policy) -> tuple:
    doc = policy.document
    return (doc.effective_from or doc.issued, policy.edition)


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
        revision = revision_base(p)
        if revision is not None:  # the immutable copy: a changed rule gets a new revision, so a new URL
            write_output(out_dir / f"{revision}.json", w.json_bytes, written)
            write_output(out_dir / f"{revision}.js", w.js_bytes, written)
        if w.tests_bytes is not None:
            write_output(out_dir / f"{base}.tests.json", w.tests_bytes, written)
        doc = p.document
        entry = {
            "id": p.id, "edition": p.edition, "key": p.key, "title": p.title, "region": _region(p.region),
            "effective_from": doc.effective_from or None, "effective_to": doc.effective_to or None,
            "issued": doc.issued or None, "latest": latest[p.id] is w,
            "url": f"{base}.json", "sha256": sha256(w.json_bytes), "size": len(w.json_bytes),
            "js": _file_ref(f"{base}.js", w.js_bytes),
            "revision": p.revision.number if p.revision else None,
            "revision_url": f"{revision}.json" if revision else None,
            "in_force": _in_force(p),
            "tests": (dict(_file_ref(f"{base}.tests.json", w.tests_bytes), cases=w.cases)
                      if w.tests_bytes is not None else None),
        }
        entry.update(_present(short_name=p.short_name))
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

__all__ = ["FORMAT", "FORMAT_VERSION", "bundle_document", "dumps", "js_twin", "tests_document",
           "write_bundles"]
