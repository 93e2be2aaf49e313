"""Load a policy edition: parse → schema → merge layers → semantic checks → model.

Everything that can be wrong with a policy is collected and raised together, so an author
fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic, InputError
from generator.base.rational import format_rational, parse_rational
from generator.policy.build import build_model
from generator.policy.model import Policy
from generator.policy.schema import schema_diagnostics
from generator.policy.source import SourceDoc, load_yaml
from generator.rules.types import RULE_TYPES, parse_rule

POLICY_SCHEMA = "policy.schema.json"
ID_LISTS = ("clauses", "roles", "actors", "categories", "items", "caps", "requirements", "checks",
            "timeline", "schedules", "workflows", "forms", "notes")
RULE_INPUTS = {name: set(cls.inputs) for name, cls in RULE_TYPES.items()}
_SPACE = re.compile(r"\s+")


def policy_files(paths: list[str | Path]) -> list[Path]:
    """Policy edition files under the given paths (test-case files excluded)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*.yaml") if not f.name.endswith(".tests.yaml")))
        else:
            out.append(p)
    return out


@dataclass
class _Layer:
    path: Path
    doc: SourceDoc


class _Origins:
    """Remembers which file and path each merged list entry came from, to place errors."""

    def __init__(self) -> None:
        self.where: dict[tuple[str, str], tuple[SourceDoc, tuple]] = {}

    def diag(self, doc: SourceDoc, section: str, entry_id: str | None, rest: tuple, message: str,
             key: str | None = None) -> Diagnostic:
        if entry_id is not None and (section, entry_id) in self.where:
            src, base = self.where[(section, entry_id)]
            return src.diagnostic(base + rest, message, key=key)
        return doc.diagnostic((section,) + rest, message, key=key)


def _read_layers(path: Path) -> tuple[list[_Layer], list[Diagnostic]]:
    """The file and its `extends` ancestors, root first; schema errors of each."""
    layers: list[_Layer] = []
    diags: list[Diagnostic] = []
    seen: set[Path] = set()
    current: Path | None = path
    while current is not None:
        current = current.resolve()
        if current in seen:
            chain = " → ".join(f"{layer.path.parent.name}/{layer.path.stem}" for layer in reversed(layers))
            diags.append(layers[0].doc.diagnostic(("extends", "policy"), f"layering loop: {chain} → "
                                                  f"{current.parent.name}/{current.stem}; a policy cannot extend itself"))
            break
        seen.add(current)
        display = _display(current)
        doc = load_yaml(current, display)
        diags.extend(schema_diagnostics(doc, POLICY_SCHEMA))
        layers.insert(0, _Layer(current, doc))
        parent = doc.data.get("extends") if isinstance(doc.data, dict) else None
        current = None
        if isinstance(parent, dict) and isinstance(parent.get("policy"), str) and isinstance(parent.get("edition"), str):
            candidate = current_root(layers[0].path) / parent["policy"] / f"{parent['edition']}.yaml"
            if candidate.exists():
                current = candidate
            else:
                known = [f"{d.name}/{f.stem}" for d in current_root(layers[0].path).iterdir() if d.is_dir()
                         for f in sorted(d.glob("*.yaml"))
                         if not f.name.endswith(".tests.yaml") and f.resolve() != layers[0].path]
                want = f"{parent['policy']}/{parent['edition']}"
                close = difflib.get_close_matches(want, known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                wrong = "edition" if candidate.parent.is_dir() else "policy"
                diags.append(doc.diagnostic(("extends", wrong), f"parent policy '{want}' not found "
                                            f"(looked for {_display(candidate)}){hint}"))
    return layers, diags


def current_root(policy_file: Path) -> Path:
    """policies/<id>/<edition>.yaml → policies/"""
    return policy_file.resolve().parent.parent


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _merge(layers: list[_Layer], origins: _Origins) -> dict:
    merged: dict[str, Any] = {}
    for layer in layers:
        data = layer.doc.data
        removed = set((data.get("extends") or {}).get("remove", []) or [])
        for section in ID_LISTS:
            if removed and section in merged:
                merged[section] = [e for e in merged[section] if e.get("id") not in removed]
        for key, value in data.items():
            if key in ID_LISTS and isinstance(value, list):
                existing = {e.get("id"): i for i, e in enumerate(merged.get(key, [])) if isinstance(e, dict)}
                target = merged.setdefault(key, [])
                for idx, entry in enumerate(value):
                    entry = copy.deepcopy(entry)
                    if key == "clauses" and isinstance(entry, dict):
                        entry["_text"] = _clause_text_path(layer)
                    eid = entry.get("id") if isinstance(entry, dict) else None
                    if eid in existing:
                        target[existing[eid]] = entry
                    else:
                        existing[eid] = len(target)
                        target.append(entry)
                    if eid is not None:
                        origins.where[(key, eid)] = (layer.doc, (key, idx))
            else:
                merged[key] = copy.deepcopy(value)
    return merged


def _clause_text_path(layer: _Layer) -> str:
    text = (layer.doc.data.get("document") or {}).get("text", "")
    return str((layer.path.parent / text).resolve()) if text else ""


def _q(value: Any) -> Fraction:
    return parse_rational(value)


def _ids(entries: list | None) -> list[str]:
    return [e.get("id") for e in entries or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _hint(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unknown_source(value: str, clause_ids: list[str]) -> str:
    hint = _hint(value, clause_ids)
    return f"source '{value}' is not a clause id" + (hint or "; add it under clauses: with a verbatim quote")


def _quote_mismatch(quote: str, text: str) -> str:
    """Say where a quote stops matching its source text (both without whitespace)."""
    lo, hi = 0, len(quote)  # the longest prefix of the quote that occurs in the text
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    advice = "copy it verbatim (whitespace is ignored, punctuation is not)"
    if lo < 2:
        return (f"quote does not occur in the source text, not even its start '{quote[:8]}…': look for a typo, "
                f"and check that document.text is the right file; {advice}")
    seen = quote[max(0, lo - 8):lo]
    return (f"quote does not occur in the source text: it matches up to '…{seen}' and then has "
            f"'{quote[lo:lo + 8]}{'…' if len(quote) > lo + 8 else ''}' where the source differs; {advice}")


def _semantic(layers: list[_Layer], merged: dict, origins: _Origins) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    top = layers[-1].doc

    def d(section: str, entry_id: str | None, rest: tuple, message: str, key: str | None = None) -> None:
        diags.append(origins.diag(top, section, entry_id, rest, message, key))

    # duplicate ids within each file
    for layer in layers:
        for section in ID_LISTS:
            seen: dict[str, int] = {}
            for idx, entry in enumerate(layer.doc.data.get(section) or []):
                eid = entry.get("id") if isinstance(entry, dict) else None
                if not isinstance(eid, str):
                    continue
                if eid in seen:
                    first = layer.doc.locate((section, seen[eid], "id"))[0]
                    diags.append(layer.doc.diagnostic((section, idx, "id"),
                                 f"duplicate id '{eid}': {section}[{seen[eid]}] (line {first}) already uses it; "
                                 "ids must be unique within their list"))
                else:
                    seen[eid] = idx
    # file location must match id/edition
    for layer in layers:
        data = layer.doc.data
        if isinstance(data.get("id"), str) and layer.path.parent.name != data["id"]:
            diags.append(layer.doc.diagnostic(("id",), f"id '{data['id']}' does not match its folder "
                                              f"'{layer.path.parent.name}'; policies live in policies/<id>/<edition>.yaml"))
        if isinstance(data.get("edition"), str) and layer.path.stem != data["edition"]:
            diags.append(layer.doc.diagnostic(("edition",), f"edition '{data['edition']}' does not match "
                                              f"the file name '{layer.path.name}'"))
        removed = (data.get("extends") or {}).get("remove") or []
        if removed:
            parent_ids = set()
            for section in ID_LISTS:
                parent_ids.update(_ids(_merged_before(layers, layer, section)))
            for i, rid in enumerate(removed):
                if rid not in parent_ids:
                    diags.append(layer.doc.diagnostic(("extends", "remove", i),
                                 f"'{rid}' is not an id in the parent policy{_hint(rid, sorted(parent_ids))}"))

    clauses = {c["id"]: c for c in merged.get("clauses", []) if isinstance(c, dict)}
    clause_ids = sorted(clauses)
    categories = _ids(merged.get("categories"))
    items = {i["id"]: i for i in merged.get("items", []) if isinstance(i, dict)}
    roles = _ids(merged.get("roles"))
    actors = _ids(merged.get("actors"))
    workflows = _ids(merged.get("workflows"))
    timeline = _ids(merged.get("timeline"))

    # every `source` resolves to a clause
    def walk_sources(node: Any, section: str, entry_id: str | None, rest: tuple) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("source", "carry_over_source", "unit_source") and isinstance(v, str) and v not in clauses:
                    d(section, entry_id, rest + (k,), _unknown_source(v, clause_ids))
                else:
                    walk_sources(v, section, entry_id, rest + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk_sources(v, section, entry_id, rest + (i,))

    for key, value in merged.items():
        if key in ID_LISTS and isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    walk_sources(entry, key, entry.get("id"), ())
        elif key != "clauses":
            walk_sources(value, key, None, ()) if isinstance(value, (dict, list)) else None
            if key in ("unit_source",) and isinstance(value, str) and value not in clauses:
                d(key, None, (), _unknown_source(value, clause_ids))

    # clause quotes occur in their source text
    texts: dict[str, str] = {}
    for cid, clause in clauses.items():
        text_path = clause.get("_text", "")
        if not text_path:
            continue
        if text_path not in texts:
            try:
                texts[text_path] = _SPACE.sub("", Path(text_path).read_text(encoding="utf-8"))
            except OSError:
                texts[text_path] = ""
                d("document", None, ("text",), f"source text file not found: {_display(Path(text_path))} "
                                               "(document.text is relative to the policy file)")
            except UnicodeDecodeError:
                texts[text_path] = ""
                d("document", None, ("text",), f"source text {_display(Path(text_path))} is not valid UTF-8; save it as UTF-8")
        quote = _SPACE.sub("", str(clause.get("quote", "")))
        if texts[text_path] and quote and quote not in texts[text_path]:
            d("clauses", cid, ("quote",), _quote_mismatch(quote, texts[text_path]))

    def ref(kind: str, value: Any, known: list[str], section: str, entry_id: str | None, rest: tuple) -> None:
        if isinstance(value, str) and value not in known:
            d(section, entry_id, rest, f"unknown {kind} '{value}'{_hint(value, known)}")

    for cat in merged.get("categories", []):
        ref("category", cat.get("parent"), categories, "categories", cat.get("id"), ("parent",))
    # category parent cycles: each loop once, at its first member (a category leading into a loop is not in it)
    parents = {c.get("id"): c.get("parent") for c in merged.get("categories", [])}
    in_loop: set = set()
    for cid in parents:
        chain, cur = [cid], parents[cid]
        while cur in parents and cur not in chain:
            chain.append(cur)
            cur = parents[cur]
        if cur == cid and cid not in in_loop:
            in_loop.update(chain)
            d("categories", cid, ("parent",), f"categories form a loop: {' → '.join(chain + [cid])}; "
                                              "a category cannot be its own ancestor")

    for iid, item in items.items():
        ref("category", item.get("category"), categories, "items", iid, ("category",))
        ref("workflow", item.get("workflow"), workflows, "items", iid, ("workflow",))
        ref("timeline entry", item.get("deadline"), timeline, "items", iid, ("deadline",))
        for j, r in enumerate(item.get("roles") or []):
            ref("role", r, roles, "items", iid, ("roles", j))
        rule = item.get("rule") or {}
        rtype, inp = rule.get("type"), item.get("input")
        mismatch = rtype in RULE_INPUTS and inp not in RULE_INPUTS[rtype]
        if mismatch:
            fits = ", ".join(sorted(RULE_INPUTS[rtype]))
            d("items", iid, ("input",), f"input '{inp}' does not fit rule type '{rtype}' (it needs input: {fits})")
        level_ids = _ids(item.get("levels"))
        if inp == "level" and not level_ids and not mismatch:
            d("items", iid, ("input",), "an item with input 'level' needs a 'levels' list naming the choices, "
                                        "e.g. levels: [{id: level-1, name: 一级}]")
        if level_ids and inp != "level" and not mismatch:
            d("items", iid, ("levels",), "'levels' is only used with input: level")
        if rtype == "lookup":
            table_levels = [row.get("level") for row in rule.get("table", [])]
            for j, lv in enumerate(table_levels if level_ids else []):
                ref("level", lv, level_ids, "items", iid, ("rule", "table", j, "level"))
            for j, lv in enumerate(level_ids):
                if lv not in table_levels:
                    d("items", iid, ("levels", j, "id"), f"level '{lv}' has no row in rule.table; add {{level: {lv}, value: …}}")
        if rtype == "rate":
            try:
                if _q(rule.get("per")) == 0:
                    d("items", iid, ("rule", "per"), "'per' must be greater than 0")
            except ValueError:
                pass
        if inp == "count" and not item.get("count_unit"):
            d("items", iid, ("input",), "a count input needs 'count_unit' (篇, 个, 次 …) so the calculator can label it")
        smallest = _smallest(rule)
        for j, cap in enumerate(item.get("caps") or []):
            try:
                cap_max = _q(cap.get("max"))
            except ValueError:
                continue
            if smallest is not None and 0 < cap_max < smallest:
                d("items", iid, ("caps", j, "max"), f"cap {format_rational(cap_max)} is below what a single unit of "
                                                    f"this item earns ({format_rational(smallest)}); nothing could be counted")
            if cap_max == 0:
                d("items", iid, ("caps", j, "max"), "a cap of 0 means the item never counts; remove the item instead")

    for cap in merged.get("caps", []):
        cid = cap.get("id")
        for j, it in enumerate(cap.get("items") or []):
            ref("item", it, sorted(items), "caps", cid, ("items", j))
        try:
            cap_max = _q(cap.get("max"))
            smallest = [s for s in (_smallest((items.get(i) or {}).get("rule") or {}) for i in cap.get("items") or [])
                        if s is not None]
            if smallest and cap_max < min(smallest):
                d("caps", cid, ("max",), f"shared cap {format_rational(cap_max)} is below what a single unit of any "
                                         f"of its items earns ({format_rational(min(smallest))}); nothing could be counted")
        except ValueError:
            pass

    def check_measure(of: Any, section: str, entry_id: str | None, rest: tuple) -> None:
        if isinstance(of, dict):
            ref("category", of.get("category"), categories, section, entry_id, rest + ("of", "category"))
            for j, it in enumerate(of.get("items") or []):
                ref("item", it, sorted(items), section, entry_id, rest + ("of", "items", j))

    for req in merged.get("requirements", []):
        check_measure(req.get("of"), "requirements", req.get("id"), ())
        for j, r in enumerate(req.get("roles") or []):
            ref("role", r, roles, "requirements", req.get("id"), ("roles", j))
    for chk in merged.get("checks", []):
        for j, r in enumerate(chk.get("roles") or []):
            ref("role", r, roles, "checks", chk.get("id"), ("roles", j))
        seen_r: set[str] = set()
        for j, req in enumerate(chk.get("requirements") or []):
            check_measure(req.get("of"), "checks", chk.get("id"), ("requirements", j))
            if req.get("id") in seen_r:
                d("checks", chk.get("id"), ("requirements", j, "id"), f"duplicate requirement id '{req.get('id')}' in this check")
            seen_r.add(req.get("id"))
            between = req.get("periods_between")
            if isinstance(between, dict) and isinstance(between.get("from"), int) and isinstance(between.get("to"), int):
                if between["from"] > between["to"]:
                    d("checks", chk.get("id"), ("requirements", j, "periods_between"),
                      f"periods_between goes backwards ({between['from']} > {between['to']})")

    for t in merged.get("timeline", []):
        for j, a in enumerate(t.get("actors") or []):
            ref("actor", a, actors, "timeline", t.get("id"), ("actors", j))
        if isinstance(t.get("start"), str) and isinstance(t.get("end"), str) and t["start"] > t["end"]:
            d("timeline", t.get("id"), ("end",), f"window ends ({t['end']}) before it starts ({t['start']})")
        if t.get("kind") == "window" and t.get("date"):
            d("timeline", t.get("id"), ("date",), "a window has start and end, not date")
    for wf in merged.get("workflows", []):
        for j, step in enumerate(wf.get("steps") or []):
            ref("actor", step.get("actor"), actors, "workflows", wf.get("id"), ("steps", j, "actor"))
            ref("timeline entry", step.get("deadline"), timeline, "workflows", wf.get("id"), ("steps", j, "deadline"))
    for sch in merged.get("schedules", []):
        rows = sch.get("rows") or []
        for j in range(1, len(rows)):
            a, b = rows[j - 1], rows[j]
            if isinstance(a.get("date"), str) and isinstance(b.get("date"), str) and b["date"] < a["date"]:
                d("schedules", sch.get("id"), ("rows", j, "date"),
                  f"rows out of date order: {b['date']} comes after {a['date']}; sort the rows by date")
            if isinstance(a.get("seq"), int) and isinstance(b.get("seq"), int) and b["seq"] <= a["seq"]:
                d("schedules", sch.get("id"), ("rows", j, "seq"),
                  f"seq {b['seq']} comes after seq {a['seq']}; number the rows 1, 2, 3 … in order")
    for form in merged.get("forms", []):
        for s, section in enumerate(form.get("sections") or []):
            ref("item", section.get("item"), sorted(items), "forms", form.get("id"), ("sections", s, "item"))
            flat = list(_flatten_columns(section.get("columns") or [], ("sections", s, "columns")))
            col_ids = [c.get("id") for c, _ in flat]
            for col, cpath in flat:
                comp = col.get("computed")
                if isinstance(comp, dict):
                    ref("item", comp.get("item"), sorted(items), "forms", form.get("id"), cpath + ("computed", "item"))
                    ref("column", comp.get("from"), col_ids, "forms", form.get("id"), cpath + ("computed", "from"))
    period = merged.get("period") or {}
    if period.get("start") == "02-29":
        d("period", None, ("start",), "a period cannot start on 02-29: most years have no such day; use \"03-01\"")
    if period.get("kind") == "school_year" and not period.get("start"):
        d("period", None, (), "a school_year period needs 'start' (e.g. \"08-01\")", key=None)
    if period.get("kind") == "calendar_year" and period.get("start") not in (None, "01-01"):
        d("period", None, ("start",), "a calendar year starts on \"01-01\"; use kind: school_year for another start")
    if isinstance(period.get("first"), str) and isinstance(period.get("last"), str) and period["first"] > period["last"]:
        d("period", None, ("last",), f"period range ends ({period['last']}) before it starts ({period['first']})")
    if period.get("carry_over") is True:
        d("period", None, ("carry_over",), "carry_over: true is not supported: no source yet says into which category an "
                                           "excess carries; encode what the source says as a note")
    if "carry_over" in period and not period.get("carry_over_source"):
        d("period", None, ("carry_over",), "carry_over needs carry_over_source: the clause that says so")
    if isinstance(period.get("verdict"), dict) and not merged.get("requirements"):
        d("period", None, ("verdict",), "a verdict passes when every requirement is met, but this policy has no requirements")
    for t in merged.get("timeline", []):
        if t.get("kind") == "relative":
            for key in ("date", "start", "end", "month"):
                if key in t:
                    d("timeline", t.get("id"), (key,), f"a relative deadline counts days from its anchor; remove '{key}'")
    doc = merged.get("document") or {}
    if isinstance(doc.get("effective_from"), str) and isinstance(doc.get("effective_to"), str) \
            and doc["effective_from"] > doc["effective_to"]:
        d("document", None, ("effective_to",), "effective_to is before effective_from")
    # dates and month-days that are not on the calendar (2018-02-30, "04-31") are schema errors: schema_check
    return diags


def _is_real_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _merged_before(layers: list[_Layer], layer: _Layer, section: str) -> list:
    out: list = []
    for other in layers:
        if other is layer:
            break
        out.extend(other.doc.data.get(section) or [])
    return out


def _flatten_columns(columns: list, path: tuple):
    for i, col in enumerate(columns):
        if isinstance(col, dict):
            yield col, path + (i,)
            yield from _flatten_columns(col.get("children") or [], path + (i, "children"))


def _smallest(rule: dict) -> Fraction | None:
    try:
        return parse_rule(rule).smallest_award()
    except (ValueError, TypeError, KeyError):
        return None


def load_policy(path: str | Path) -> Policy:
    """Load one edition with its layers; raise InputError listing every problem."""
    path = Path(path)
    layers, diags = _read_layers(path)
    if diags:
        raise InputError(diags)
    origins = _Origins()
    merged = _merge(layers, origins)
    diags = _semantic(layers, merged, origins)
    if diags:
        raise InputError(diags)
    return build_model(merged, tuple(_display(layer.path) for layer in layers), layers[-1].path)


def validate_paths(paths: list[str | Path]) -> tuple[list[Policy], list[Diagnostic]]:
    """Validate every policy file under paths; return the good ones and all diagnostics."""
    policies, diags = [], []
    for f in policy_files(paths):
        try:
            policies.append(load_policy(f))
        except InputError as exc:
            diags.extend(exc.diagnostics)
    return policies, sorted(set(diags))


def merged_document(path: str | Path) -> dict:
    """An edition's validated document with its layers merged: what `build_model` reads. For tools and
    tests that vary a policy in memory (change a key, then `build_model(data, files, path)`)."""
    path = Path(path)
    load_policy(path)  # raises InputError unless the edition is valid
    layers, _ = _read_layers(path)
    return _merge(layers, _Origins())
