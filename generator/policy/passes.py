"""The validator's checks as named passes, run in order, every one of them on every run.

    schema → files → ids → references → quotes → rules → dates → period → forms → deadlines → revision → prose_numbers

A pass is a function of a Context that adds diagnostics. Every pass runs even when an earlier one
found errors, so one run reports every error; what a pass cannot check because an earlier problem
broke it (a list that is not a list, a cap that is not a number, a layer that could not be read) it
skips. So each pass reads the merged document defensively: it looks at a value only after checking
its type, and never assumes that the schema pass found nothing.

`schema`, `files` and `ids` look at each layer on its own and run even when the chain of layers is
incomplete; the others need the merged document. A pass that `blocks_model` finds problems that
make the typed model unsound (a reference to nothing, a rule that does not fit its input); the
errors of the others (`files`, `quotes`, `revision`, `prose_numbers`) leave it sound, so `jxjy build`
can still run the policy's own test cases and report their failures in the same run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic
from generator.base.messages import phrase
from generator.policy.context import (
    NO_HINT,
    Context,
    dicts,
    did_you_mean,
    mapping,
    quantity,
    rule_facts,
    smallest_award,
)
from generator.policy.layers import ID_LISTS, display, merged_before, source_text
from generator.policy.prose_numbers import prose_numbers_pass
from generator.policy.revision import rules_fingerprint
from generator.policy.schema import schema_diagnostics
from generator.rules.inputs import INPUT_KINDS

POLICY_SCHEMA = "policy.schema.json"
_SPACE = re.compile(r"\s+")


# ---- the passes -------------------------------------------------------------------------------

def schema_pass(ctx: Context) -> None:
    """Each layer against schemas/policy.schema.json (types, required keys, formats, did-you-mean)."""
    for layer in ctx.layers:
        ctx.diagnostics.extend(schema_diagnostics(layer.doc, POLICY_SCHEMA))


def files_pass(ctx: Context) -> None:
    """Each file sits where its id and edition say (policies/<id>/<edition>.yaml); `remove` names
    ids its parent has."""
    for layer in ctx.layers:
        data = mapping(layer.doc.data)
        if isinstance(data.get("id"), str) and layer.path.parent.name != data["id"]:
            ctx.diagnostics.append(layer.doc.diagnostic(("id",), "diagnostics.policy.id_not_folder", id=data["id"],
                                                        folder=layer.path.parent.name))
        if isinstance(data.get("edition"), str) and layer.path.stem != data["edition"]:
            ctx.diagnostics.append(layer.doc.diagnostic(("edition",), "diagnostics.policy.edition_not_file",
                                                        edition=data["edition"], file_name=layer.path.name))
        _, problem = source_text(layer)
        if problem is not None:
            ctx.diagnostics.append(layer.doc.diagnostic(("document", "text"), problem[0], **problem[1]))
        removed = mapping(data.get("extends")).get("remove")
        if not isinstance(removed, list) or ctx.merged is None:
            continue
        parent_ids = {e["id"] for section in ID_LISTS for e in dicts(merged_before(ctx.layers, layer, section))
                      if isinstance(e.get("id"), str)}
        for i, rid in enumerate(removed):
            if isinstance(rid, str) and rid not in parent_ids:
                ctx.diagnostics.append(layer.doc.diagnostic(("extends", "remove", i), "diagnostics.policy.remove_unknown",
                                                            id=rid, hint=did_you_mean(rid, sorted(parent_ids))))


def ids_pass(ctx: Context) -> None:
    """Ids are unique within their list, in each file (a layer may reuse its parent's ids on purpose)."""
    for layer in ctx.layers:
        data = mapping(layer.doc.data)
        for section in ID_LISTS:
            seen: dict[str, int] = {}
            entries = data.get(section)
            for idx, entry in enumerate(entries if isinstance(entries, list) else []):
                eid = entry.get("id") if isinstance(entry, dict) else None
                if not isinstance(eid, str):
                    continue
                if eid in seen:
                    first = layer.doc.locate((section, seen[eid], "id"))[0]
                    ctx.diagnostics.append(layer.doc.diagnostic((section, idx, "id"), "diagnostics.policy.duplicate_id",
                                                                id=eid, section=section, index=seen[eid], first_line=first))
                else:
                    seen[eid] = idx
    for chk in ctx.entries("checks"):
        seen_r: set[str] = set()
        for j, req in enumerate(dicts(chk.get("requirements"))):
            rid = req.get("id")
            if not isinstance(rid, str):
                continue
            if rid in seen_r:
                ctx.at("checks", chk.get("id"), ("requirements", j, "id"), "diagnostics.policy.duplicate_requirement", id=rid)
            seen_r.add(rid)


_SOURCE_KEYS = ("source", "carry_over_source", "unit_source")


def _walk_sources(node: Any, rest: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every clause citation under a node: (path below the node, clause id)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in _SOURCE_KEYS and isinstance(v, str):
                yield rest + (k,), v
            else:
                yield from _walk_sources(v, rest + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_sources(v, rest + (i,))


_UNKNOWN = {
    "category": "diagnostics.policy.unknown.category", "item": "diagnostics.policy.unknown.item",
    "role": "diagnostics.policy.unknown.role", "actor": "diagnostics.policy.unknown.actor",
    "workflow": "diagnostics.policy.unknown.workflow", "timeline": "diagnostics.policy.unknown.timeline",
    "column": "diagnostics.policy.unknown.column",
}


class _Refs:
    """Reports a reference to an id that does not exist, with the closest id as a suggestion."""

    SECTIONS = {"category": "categories", "item": "items", "role": "roles", "actor": "actors",
                "workflow": "workflows", "timeline": "timeline"}

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.known = {kind: sorted(ctx.ids(section)) if kind == "item" else ctx.ids(section)
                      for kind, section in self.SECTIONS.items()}
        self.unsure = {kind for kind, section in self.SECTIONS.items() if ctx.ids_unsure(section)}

    def __call__(self, kind: str, value: Any, section: str, entry_id: Any, rest: tuple,
                 known: list[str] | None = None) -> None:
        choices = self.known[kind] if known is None else known
        if kind in self.unsure and known is None:
            return  # an entry of that list has a broken id: the reference may well be to it
        if isinstance(value, str) and value not in choices:
            self.ctx.at(section, entry_id, rest, _UNKNOWN[kind], value=value, hint=did_you_mean(value, choices))


def references_pass(ctx: Context) -> None:
    """Every id a policy refers to exists: clauses cited as `source`, categories, items, roles,
    actors, workflows, timeline entries; categories do not form a loop."""
    clauses = ctx.ids("clauses")
    clause_set = set(clauses)

    def unknown_source(section: str, entry_id: Any, rest: tuple, value: str) -> None:
        hint = did_you_mean(value, clauses)
        ctx.at(section, entry_id, rest, "diagnostics.policy.unknown_source", source=value,
               hint=hint if hint != NO_HINT else phrase("diagnostics.policy.hint.add_clause"))

    for key, value in ctx.doc.items():
        if key == "clauses":
            continue
        if key in ID_LISTS and isinstance(value, list):
            for entry in dicts(value):
                for rest, cited in _walk_sources(entry):
                    if cited not in clause_set:
                        unknown_source(key, entry.get("id"), rest, cited)
        elif isinstance(value, (dict, list)):
            for rest, cited in _walk_sources(value):
                if cited not in clause_set:
                    unknown_source(key, None, rest, cited)
        elif key == "unit_source" and isinstance(value, str) and value not in clause_set:
            unknown_source(key, None, (), value)

    ref = _Refs(ctx)
    for cat in ctx.entries("categories"):
        ref("category", cat.get("parent"), "categories", cat.get("id"), ("parent",))
    _category_loops(ctx)
    for item in ctx.entries("items"):
        iid = item.get("id")
        ref("category", item.get("category"), "items", iid, ("category",))
        ref("workflow", item.get("workflow"), "items", iid, ("workflow",))
        ref("timeline", item.get("deadline"), "items", iid, ("deadline",))
        for j, r in enumerate(_list(item.get("roles"))):
            ref("role", r, "items", iid, ("roles", j))
    for cap in ctx.entries("caps"):
        for j, it in enumerate(_list(cap.get("items"))):
            ref("item", it, "caps", cap.get("id"), ("items", j))
    for req in ctx.entries("requirements"):
        _measure_refs(ref, req.get("of"), "requirements", req.get("id"), ())
        for j, r in enumerate(_list(req.get("roles"))):
            ref("role", r, "requirements", req.get("id"), ("roles", j))
    for chk in ctx.entries("checks"):
        for j, r in enumerate(_list(chk.get("roles"))):
            ref("role", r, "checks", chk.get("id"), ("roles", j))
        for j, req in enumerate(dicts(chk.get("requirements"))):
            _measure_refs(ref, req.get("of"), "checks", chk.get("id"), ("requirements", j))
    for t in ctx.entries("timeline"):
        for j, a in enumerate(_list(t.get("actors"))):
            ref("actor", a, "timeline", t.get("id"), ("actors", j))
    for wf in ctx.entries("workflows"):
        for j, step in enumerate(dicts(wf.get("steps"))):
            ref("actor", step.get("actor"), "workflows", wf.get("id"), ("steps", j, "actor"))
            ref("timeline", step.get("deadline"), "workflows", wf.get("id"), ("steps", j, "deadline"))


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _measure_refs(ref: _Refs, of: Any, section: str, entry_id: Any, rest: tuple) -> None:
    if isinstance(of, dict):
        ref("category", of.get("category"), section, entry_id, rest + ("of", "category"))
        for j, it in enumerate(_list(of.get("items"))):
            ref("item", it, section, entry_id, rest + ("of", "items", j))


def _category_loops(ctx: Context) -> None:
    """Each loop of category parents once, at its first member (a category leading into a loop is not in it)."""
    parents = {c["id"]: c.get("parent") if isinstance(c.get("parent"), str) else None
               for c in ctx.entries("categories") if isinstance(c.get("id"), str)}
    in_loop: set = set()
    for cid in parents:
        chain, cur = [cid], parents[cid]
        while cur in parents and cur not in chain:
            chain.append(cur)
            cur = parents[cur]
        if cur == cid and cid not in in_loop:
            in_loop.update(chain)
            ctx.at("categories", cid, ("parent",), "diagnostics.policy.category_loop", chain=" → ".join(chain + [cid]))


def quotes_pass(ctx: Context) -> None:
    """Every clause quote occurs verbatim (whitespace aside) in the source text it cites."""
    texts: dict[str, str] = {}
    for clause in ctx.entries("clauses"):
        text_path = clause.get("_text", "")
        if not text_path:
            continue
        if text_path not in texts:
            texts[text_path] = _read_source_text(ctx, text_path)
        quote = _SPACE.sub("", str(clause.get("quote", ""))) if isinstance(clause.get("quote"), str) else ""
        if texts[text_path] and quote and quote not in texts[text_path]:
            code, params = _quote_mismatch(quote, texts[text_path])
            ctx.at("clauses", clause.get("id"), ("quote",), code, **params)


def _read_source_text(ctx: Context, text_path: str) -> str:
    try:
        return _SPACE.sub("", Path(text_path).read_text(encoding="utf-8"))
    except OSError:
        ctx.at("document", None, ("text",), "diagnostics.policy.source_text_missing", text_file=display(Path(text_path)))
    except UnicodeDecodeError:
        ctx.at("document", None, ("text",), "diagnostics.policy.source_text_not_utf8", text_file=display(Path(text_path)))
    return ""


def _quote_mismatch(quote: str, text: str) -> tuple[str, dict]:
    """Where a quote stops matching its source text (both without whitespace)."""
    lo, hi = 0, len(quote)  # the longest prefix of the quote that occurs in the text
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo < 2:
        return "diagnostics.policy.quote_not_found", {"start": quote[:8]}
    tail = quote[lo:lo + 8] + ("…" if len(quote) > lo + 8 else "")
    return "diagnostics.policy.quote_differs", {"matched": quote[max(0, lo - 8):lo], "differs": tail}


def rules_pass(ctx: Context) -> None:
    """Each item's rule fits its input, its levels and lookup table agree, and no cap is below what
    one unit earns (nothing could ever be counted)."""
    for item in ctx.entries("items"):
        iid, rule, inp = item.get("id"), mapping(item.get("rule")), item.get("input")
        facts = rule_facts(rule)
        mismatch = facts is not None and isinstance(inp, str) and inp in INPUT_KINDS and inp not in facts.inputs
        if facts is not None and mismatch:
            ctx.at("items", iid, ("input",), "diagnostics.policy.rule.input_mismatch", input=inp, rule=rule["type"],
                   fits=sorted(facts.inputs))
        levels = dicts(item.get("levels"))
        level_ids = [lv["id"] for lv in levels if isinstance(lv.get("id"), str)]
        if inp == "level" and not levels and not mismatch:
            ctx.at("items", iid, ("input",), "diagnostics.policy.rule.levels_needed")
        if levels and inp != "level" and not mismatch:
            ctx.at("items", iid, ("levels",), "diagnostics.policy.rule.levels_unused")
        if rule.get("type") == "lookup":
            table_levels = [row.get("level") for row in dicts(rule.get("table"))]
            for j, lv in enumerate(table_levels if level_ids else []):
                if isinstance(lv, str) and lv not in level_ids:
                    ctx.at("items", iid, ("rule", "table", j, "level"), "diagnostics.policy.unknown.level", value=lv,
                           hint=did_you_mean(lv, level_ids))
            for j, lv in enumerate(level_ids):
                if lv not in table_levels:
                    ctx.at("items", iid, ("levels", j, "id"), "diagnostics.policy.rule.level_without_row", level=lv)
        if rule.get("type") == "rate" and quantity(rule.get("per")) == 0:
            ctx.at("items", iid, ("rule", "per"), "diagnostics.policy.rule.per_zero")
        if inp == "count" and not item.get("count_unit"):
            ctx.at("items", iid, ("input",), "diagnostics.policy.rule.count_unit")
        smallest = smallest_award(rule)
        for j, cap in enumerate(dicts(item.get("caps"))):
            cap_max = quantity(cap.get("max"))
            if cap_max is None:
                continue
            if smallest is not None and 0 < cap_max < smallest:
                ctx.at("items", iid, ("caps", j, "max"), "diagnostics.policy.rule.cap_below_unit", cap=cap_max,
                       smallest=smallest)
            if cap_max == 0:
                ctx.at("items", iid, ("caps", j, "max"), "diagnostics.policy.rule.cap_zero")
    items = {i["id"]: i for i in ctx.entries("items") if isinstance(i.get("id"), str)}
    for cap in ctx.entries("caps"):
        cap_max = quantity(cap.get("max"))
        awards = [s for s in (smallest_award(mapping(items.get(i)).get("rule")) for i in _list(cap.get("items"))
                              if isinstance(i, str)) if s is not None]
        if cap_max is not None and awards and cap_max < min(awards):
            ctx.at("caps", cap.get("id"), ("max",), "diagnostics.policy.rule.shared_cap_below_unit", cap=cap_max,
                   smallest=min(awards))


def dates_pass(ctx: Context) -> None:
    """Dates run forwards: timeline windows, schedule rows, a check's periods, the policy's own range.
    (A date that is not on the calendar, 2018-02-30, is the schema pass's.)"""
    for t in ctx.entries("timeline"):
        start, end = _date(t.get("start")), _date(t.get("end"))
        if start and end and start > end:
            ctx.at("timeline", t.get("id"), ("end",), "diagnostics.policy.dates.window_backwards", start=start, end=end)
        if t.get("kind") == "window" and t.get("date"):
            ctx.at("timeline", t.get("id"), ("date",), "diagnostics.policy.dates.window_has_date")
        if t.get("kind") == "relative":
            for key in ("date", "start", "end", "month"):
                if key in t:
                    ctx.at("timeline", t.get("id"), (key,), "diagnostics.policy.dates.relative_has_date", name=key)
    for sch in ctx.entries("schedules"):
        rows = _list(sch.get("rows"))
        for j in range(1, len(rows)):
            a, b = mapping(rows[j - 1]), mapping(rows[j])
            if _date(a.get("date")) and _date(b.get("date")) and b["date"] < a["date"]:
                ctx.at("schedules", sch.get("id"), ("rows", j, "date"), "diagnostics.policy.dates.rows_out_of_order",
                       date=b["date"], previous=a["date"])
            if _is_int(a.get("seq")) and _is_int(b.get("seq")) and b["seq"] <= a["seq"]:
                ctx.at("schedules", sch.get("id"), ("rows", j, "seq"), "diagnostics.policy.dates.seq_out_of_order",
                       seq=b["seq"], previous=a["seq"])
    for chk in ctx.entries("checks"):
        for j, req in enumerate(dicts(chk.get("requirements"))):
            between = mapping(req.get("periods_between"))
            if _is_int(between.get("from")) and _is_int(between.get("to")) and between["from"] > between["to"]:
                ctx.at("checks", chk.get("id"), ("requirements", j, "periods_between"),
                       "diagnostics.policy.dates.periods_between_backwards", first=between["from"], last=between["to"])
    period = ctx.section("period")
    if _date(period.get("first")) and _date(period.get("last")) and period["first"] > period["last"]:
        ctx.at("period", None, ("last",), "diagnostics.policy.dates.periods_backwards", first=period["first"],
               last=period["last"])
    document = ctx.section("document")
    if _date(document.get("effective_from")) and _date(document.get("effective_to")) \
            and document["effective_from"] > document["effective_to"]:
        ctx.at("document", None, ("effective_to",), "diagnostics.policy.dates.effective_backwards")


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date(value: Any) -> str | None:
    """A date written YYYY-MM-DD, which compares as text; anything else the schema pass reports."""
    return value if isinstance(value, str) and _ISO_DATE.match(value) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def period_pass(ctx: Context) -> None:
    """The registration period can be computed: where it starts, and the period-level rules
    (carry-over, verdict) the engine supports."""
    period = ctx.section("period")
    if period.get("start") == "02-29":
        ctx.at("period", None, ("start",), "diagnostics.policy.period.starts_feb_29")
    if period.get("kind") == "school_year" and not period.get("start"):
        ctx.at("period", None, (), "diagnostics.policy.period.school_year_start")
    if period.get("kind") == "calendar_year" and period.get("start") not in (None, "01-01"):
        ctx.at("period", None, ("start",), "diagnostics.policy.period.calendar_year_start")
    if period.get("carry_over") is True:
        ctx.at("period", None, ("carry_over",), "diagnostics.policy.period.carry_over_true")
    if "carry_over" in period and not period.get("carry_over_source"):
        ctx.at("period", None, ("carry_over",), "diagnostics.policy.period.carry_over_source")
    if isinstance(period.get("verdict"), dict) and not ctx.doc.get("requirements"):
        ctx.at("period", None, ("verdict",), "diagnostics.policy.period.verdict_without_requirements")


def forms_pass(ctx: Context) -> None:
    """Forms name items and columns that exist (a computed column reads another column of its section)."""
    ref = _Refs(ctx)
    for form in ctx.entries("forms"):
        for s, section in enumerate(dicts(form.get("sections"))):
            ref("item", section.get("item"), "forms", form.get("id"), ("sections", s, "item"))
            flat = list(_flatten_columns(section.get("columns"), ("sections", s, "columns")))
            col_ids = [str(c["id"]) for c, _ in flat if isinstance(c.get("id"), str)]
            for col, cpath in flat:
                comp = col.get("computed")
                if isinstance(comp, dict):
                    ref("item", comp.get("item"), "forms", form.get("id"), cpath + ("computed", "item"))
                    ref("column", comp.get("from"), "forms", form.get("id"), cpath + ("computed", "from"), known=col_ids)


def _flatten_columns(columns: Any, path: tuple) -> Iterator[tuple[dict, tuple]]:
    for i, col in enumerate(_list(columns)):
        if isinstance(col, dict):
            yield col, path + (i,)
            yield from _flatten_columns(col.get("children"), path + (i, "children"))


@dataclass(frozen=True)
class Pass:
    name: str
    run: Callable[[Context], None]
    needs_merged: bool  # False: looks at each layer on its own, runs even when the chain is incomplete
    blocks_model: bool  # True: its errors make the typed model unsound, so it is not built


def revision_pass(ctx: Context) -> None:
    """A revision stands for the rules it was written for: when the rules' fingerprint no longer matches,
    the rules changed and the revision must be bumped (results and bundles carry it)."""
    revision = mapping(ctx.doc.get("revision"))
    recorded = revision.get("rules_sha256")
    if not isinstance(recorded, str) or not isinstance(revision.get("number"), int):
        return
    actual = rules_fingerprint(ctx.doc)
    if actual != recorded:
        ctx.at("revision", None, ("rules_sha256",), "diagnostics.policy.revision_stale", number=revision["number"],
               next=revision["number"] + 1)


def deadlines_pass(ctx: Context) -> None:
    """A requirement's or check's deadline names a dated timeline entry inside the edition's window (it decides,
    for the periods the edition governs, whether a shortfall is still in progress); `school_slots` names a
    schedule."""
    timeline = {e["id"]: e for e in ctx.entries("timeline") if isinstance(e.get("id"), str)}
    window = mapping(ctx.doc.get("in_force"))
    start, end = window.get("from"), window.get("review_until") or window.get("to")
    for section in ("requirements", "checks"):
        for entry in ctx.entries(section):
            tid = entry.get("deadline")
            here = (section, entry.get("id"))
            if not isinstance(tid, str):
                continue
            if tid not in timeline:
                if not ctx.ids_unsure("timeline"):
                    ctx.at(*here, ("deadline",), "diagnostics.policy.unknown.timeline", value=tid,
                           hint=did_you_mean(tid, sorted(timeline)))
                continue
            day = timeline[tid].get("date") or timeline[tid].get("end")
            if not isinstance(day, str):
                ctx.at(*here, ("deadline",), "diagnostics.policy.deadline_undated", id=tid)
            elif isinstance(start, str) and isinstance(end, str) and not start <= day <= end:
                ctx.at(*here, ("deadline",), "diagnostics.policy.deadline_outside_window", id=tid, date=day,
                       start=start, end=end)
    schedule = mapping(ctx.doc.get("school_slots")).get("schedule")
    schedules = [e["id"] for e in ctx.entries("schedules") if isinstance(e.get("id"), str)]
    if isinstance(schedule, str) and schedule not in schedules and not ctx.ids_unsure("schedules"):
        ctx.at("school_slots", None, ("schedule",), "diagnostics.policy.unknown.schedule", value=schedule,
               hint=did_you_mean(schedule, sorted(schedules)))


PASSES: tuple[Pass, ...] = (
    Pass("schema", schema_pass, needs_merged=False, blocks_model=True),
    Pass("files", files_pass, needs_merged=False, blocks_model=False),
    Pass("ids", ids_pass, needs_merged=False, blocks_model=True),
    Pass("references", references_pass, needs_merged=True, blocks_model=True),
    Pass("quotes", quotes_pass, needs_merged=True, blocks_model=False),
    Pass("rules", rules_pass, needs_merged=True, blocks_model=True),
    Pass("dates", dates_pass, needs_merged=True, blocks_model=True),
    Pass("period", period_pass, needs_merged=True, blocks_model=True),
    Pass("forms", forms_pass, needs_merged=True, blocks_model=True),
    Pass("deadlines", deadlines_pass, needs_merged=True, blocks_model=True),
    Pass("revision", revision_pass, needs_merged=True, blocks_model=False),
    Pass("prose_numbers", prose_numbers_pass, needs_merged=True, blocks_model=False),
)


@dataclass
class PassResult:
    """What each pass found, by pass name, in the order the passes ran."""

    found: dict[str, list[Diagnostic]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # passes that did not run (incomplete chain) or gave up

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for found in self.found.values() for d in found]

    @property
    def model_is_sound(self) -> bool:
        blocking = {p.name for p in PASSES if p.blocks_model}
        return not self.skipped and not any(self.found.get(name) for name in blocking)


def run_passes(ctx: Context, *, strict: bool = False) -> PassResult:
    """Every pass, in order, each on its own.

    `ctx.broken` starts with the (file, json path) of values the YAML reader refused, and the schema
    pass adds the ones it refused: what a later pass says about exactly such a value (or, for the
    reader's, anything under it) is a consequence, not news, and is left out. A pass that raises on a
    malformed document (a case it should have skipped) gives up quietly unless `strict` — but a pass
    that raises on a document without other errors is a bug, and that is never hidden."""
    result = PassResult()
    read_broken = set(ctx.broken)
    for p in PASSES:
        if p.needs_merged and ctx.merged is None:
            result.skipped.append(p.name)
            continue
        before = len(ctx.diagnostics)
        try:
            p.run(ctx)
        except Exception:
            if strict or not (read_broken or result.diagnostics or len(ctx.diagnostics) > before):
                raise
            result.skipped.append(p.name)
        found = [d for d in ctx.diagnostics[before:] if not _consequence(d, read_broken, ctx.broken)]
        result.found[p.name] = found
        if p.name == "schema":
            ctx.broken.update((d.file, d.path) for d in found)
    return result


def _consequence(d: Diagnostic, read_broken: set[tuple[str, str]], broken: set[tuple[str, str]]) -> bool:
    if (d.file, d.path) in broken:
        return True
    return any(d.file == file and d.path.startswith((f"{path}.", f"{path}[")) for file, path in read_broken)
