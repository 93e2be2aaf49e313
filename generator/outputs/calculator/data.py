"""What the calculator downloads for a policy: the rule bundle without what the page never shows.

A teacher on a phone should not pay for the guidance site's data. The published bundles
(generator.outputs.bundle, site/bundles/) stay whole for downstream systems; from them the calculator gets
its own files under <site>/calculator/data/:

- ``index.js``: the editions to choose from (id, edition, title, short name, file names);
- ``<policy>/<edition>.js``: the bundle *view* the engine evaluates — the bundle minus the members
  listed in DROPPED (notes are for the guidance pages; the timeline and schedules are cut to the deadlines
  the engine reads; item workflow/deadline ids
  name pages' sections, document and region details are on the overview page, a few message
  templates are for CSV headings and site pages only), with ``clauses`` cut to what a trace line
  shows at once — ``{id, cite, anchor}``: the readable citation and the clause's anchor on the
  guidance site's source page — and the long item descriptions moved out (``has_description: true``
  says there is one) — and the edition's forms (JXJY_FORMS, when the site has them);
- ``<policy>/<edition>.texts.js``: what the page shows only when a teacher opens it: the clauses
  (id, title, verbatim quote) under an explanation ("怎么算的") and the item descriptions under
  "项目说明" (the page shows an item's help text at once).

Nothing the engine reads is dropped, so the view evaluates to the same result document as the
bundle (tests/test_calculator_data.py runs every conformance vector through both). The catalog's
``errors`` section stays whole: the engine renders its error records from it, and the page every
problem it shows (its ledger checks, form, import and storage).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from generator.outputs.anchors import clause_anchors
from generator.outputs.bundle import GLOBAL_INDEX, dumps, js_literal, js_twin
from generator.outputs.files import write_output

GLOBAL_TEXTS = "JXJY_TEXTS"
GLOBAL_FORMS = "JXJY_FORMS"
# Dotted paths into the bundle; "items.*.x" drops x from every item.
DROPPED = (
    "notes", "result_format", "unit_source", "policy.revision.rules_sha256", "policy.revision.note",
    "policy.in_force.note", "policy.in_force.source",
    "policy.region", "policy.document.issuer", "policy.document.issued", "policy.document.related",
    "items.*.workflow", "items.*.deadline", "items.*.rule.defined_in_source",
    "messages.csv_headers", "messages.csv_true", "messages.csv_false",
    "messages.rule_text.changes", "messages.rule_text.ics", "messages.rule_text.offset",
    "messages.rule_text.conversion", "messages.rule_text.cap_short", "messages.rule_text.date_range",
    "messages.rule_text.month", "messages.rule_text.name_joiner",
    "messages.rule_text.check_min", "messages.rule_text.check_min_per_period",
)
INDEX_KEYS = ("id", "edition", "key", "title", "short_name", "in_force", "revision")


def _drop(node: Any, path: list[str]) -> None:
    head, rest = path[0], path[1:]
    if head == "*":
        for child in node if isinstance(node, list) else []:
            _drop(child, rest)
    elif isinstance(node, dict) and head in node:
        if rest:
            _drop(node[head], rest)
        else:
            del node[head]


def _described(item: dict) -> bool:
    # an item with help text shows it at once; its description waits under "项目说明"
    return bool(item.get("help")) and bool(item.get("description"))


def calculator_view(bundle: dict) -> dict:
    """The bundle the calculator evaluates: DROPPED removed, clauses cut to {id, cite, anchor} (their quotes
    and titles, and the item descriptions, left to texts)."""
    view = copy.deepcopy(bundle)
    for path in DROPPED:
        _drop(view, path.split("."))
    clauses = view.get("clauses") or []
    found = clause_anchors(c["id"] for c in clauses)
    view["clauses"] = [{"id": c["id"], "cite": c.get("cite") or c["id"], "anchor": found[c["id"]]} for c in clauses]
    # deadlines: only the timeline entries and the schedule the engine reads (requirements' and checks' deadlines,
    # the per-school slots), and of those only what a deadline shows
    wanted = {r.get("deadline") for r in view.get("requirements") or []} | {c.get("deadline") for c in view.get("checks") or []}
    view["timeline"] = [{k: t[k] for k in ("id", "title", "date", "end", "source") if k in t}
                        for t in view.get("timeline") or [] if t.get("id") in wanted]
    # the per-school schedule (Shuangliu's 74 rows) waits in texts: the page loads it after the first result and
    # evaluates again, so the first download stays within its budget
    view["schedules"] = []
    for item in view.get("items") or []:
        if _described(item):
            del item["description"]
            item["has_description"] = True
    return view


def calculator_texts(bundle: dict) -> dict:
    """What calculator_view leaves out for the page to load on demand: ``{"clauses": [{id, title, quote}],
    "descriptions": {item id: description}, "schedules": [the school slots' schedule]}`` (the page puts the
    schedules back into the view it evaluates)."""
    slots = bundle.get("school_slots")
    return {
        "schedules": [{"id": s["id"], "title": s["title"], "source": s["source"],
                       "rows": [{"organization": r["organization"], "date": r["date"]} for r in s["rows"]]}
                      for s in bundle.get("schedules") or [] if slots and s["id"] == slots["schedule"]],
        "clauses": copy.deepcopy(bundle.get("clauses") or []),
        "descriptions": {item["id"]: item["description"] for item in bundle.get("items") or [] if _described(item)},
    }


def read_registered(path: Path, global_name: str) -> dict[str, Any]:
    """What a data script written here registers as ``globalThis.<global_name>[key]``, by key (for checks)."""
    pattern = re.compile(rf'globalThis\.{re.escape(global_name)}\[(".*?")\] = (.*);$')
    found = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = pattern.match(line)
        if m:
            found[json.loads(m.group(1))] = json.loads(m.group(2))
    return found


def write_calculator_data(bundles_dir: Path, out_dir: Path, forms: dict[str, list[dict]] | None = None) -> list[Path]:
    """Write index.js and each edition's view and texts from bundles_dir (what write_bundles wrote)
    into out_dir (normally <site>/calculator/data). forms: ``{"<policy>/<edition>": [form, …]}`` as
    generator.outputs.calculator.assets.detect_forms finds them, registered with their edition's view.
    Returns the paths written, sorted; [] when bundles_dir has no index.json. Same input → same bytes.
    """
    bundles_dir, out_dir = Path(bundles_dir), Path(out_dir)
    index_file = bundles_dir / "index.json"
    if not index_file.is_file():
        return []
    index = json.loads(index_file.read_text(encoding="utf-8"))
    written: list[Path] = []
    entries = []
    for entry in index.get("bundles", []):
        bundle = json.loads((bundles_dir / entry["url"]).read_text(encoding="utf-8"))
        base = f"{entry['id']}/{entry['edition']}"
        view = calculator_view(bundle)
        view["bundle_sha256"] = entry["sha256"]  # what a result and its verification code name: the whole bundle
        data = js_twin([entry["key"]], dumps(view))
        edition_forms = (forms or {}).get(entry["key"])
        if edition_forms:
            data += js_twin([entry["key"]], dumps(edition_forms), GLOBAL_FORMS)
        write_output(out_dir / f"{base}.js", data, written)
        texts = js_twin([entry["key"]], dumps(calculator_texts(bundle)), GLOBAL_TEXTS)
        write_output(out_dir / f"{base}.texts.js", texts, written)
        slim = {k: entry[k] for k in INDEX_KEYS if k in entry}
        if isinstance(slim.get("in_force"), dict):  # the dates only: the note and clause come with the edition
            slim["in_force"] = {k: v for k, v in slim["in_force"].items() if k in ("from", "to", "review_until")}
        slim["js"] = {"url": f"{base}.js"}
        slim["texts"] = {"url": f"{base}.texts.js"}
        entries.append(slim)
    latest = {pid: {"edition": alias["edition"]} for pid, alias in (index.get("latest") or {}).items()}
    index_text = js_literal(dumps({"bundles": entries, "latest": latest}))
    write_output(out_dir / "index.js", f"globalThis.{GLOBAL_INDEX} = {index_text};\n".encode(), written)
    return sorted(written)


__all__ = ["DROPPED", "GLOBAL_FORMS", "GLOBAL_TEXTS", "calculator_texts", "calculator_view", "read_registered",
           "write_calculator_data"]
