"""From a merged, validated policy document to the typed model (generator/policy/model.py).

The loader calls :func:`build_model` only when every validation pass is clean, so the document
here has exactly the shape schemas/policy.schema.json describes; nothing is checked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from generator.base.rational import parse_rational
from generator.policy import layers
from generator.policy.model import (
    Actor,
    Cap,
    Category,
    Check,
    Clause,
    Computed,
    Conversion,
    Cycle,
    Dedupe,
    Document,
    Extends,
    Form,
    FormColumn,
    FormField,
    FormSection,
    Gate,
    InForce,
    Item,
    Level,
    Makeup,
    Measure,
    Note,
    Offset,
    PeriodScheme,
    Policy,
    Region,
    RelatedDocument,
    Requirement,
    Revision,
    Role,
    Schedule,
    ScheduleRow,
    SchoolSlots,
    Signature,
    Successor,
    TimelineEntry,
    Verdict,
    Window,
    Workflow,
    WorkflowStep,
)
from generator.rules.types import parse_rule

Raw = Mapping[str, Any]


def _q(value: Any) -> Fraction:
    return parse_rational(value)


def _opt_q(raw: Raw, key: str) -> Fraction | None:
    return _q(raw[key]) if raw.get(key) is not None else None


def _s(raw: Raw, key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value)


def _strs(raw: Raw, key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in raw.get(key) or ())


def _list(raw: Raw, key: str) -> list[Raw]:
    return [e for e in raw.get(key) or () if isinstance(e, Mapping)]


def _measure(of: Any) -> Measure:
    if of == "total":
        return Measure("total")
    if "category" in of:
        return Measure("category", (of["category"],))
    return Measure("items", tuple(of["items"]))


def _requirement(r: Raw) -> Requirement:
    between = r.get("periods_between")
    return Requirement(
        id=r["id"], name=r["name"], measure=_measure(r["of"]), source=r["source"],
        min=_opt_q(r, "min"), min_per_period=_opt_q(r, "min_per_period"),
        periods_between=(int(between["from"]), int(between["to"])) if between else None,
        roles=_strs(r, "roles"), deadline=_s(r, "deadline"),
    )


def _period(period: Raw) -> PeriodScheme:
    start = (period.get("start") or "01-01").split("-")
    makeup, verdict = period.get("makeup"), period.get("verdict")
    return PeriodScheme(
        kind=period["kind"], start_month=int(start[0]), start_day=int(start[1]), source=_s(period, "source"),
        first=period.get("first"), last=period.get("last"), carry_over=period.get("carry_over"),
        carry_over_source=_s(period, "carry_over_source"),
        makeup=Makeup(counts=bool(makeup["counts"]), source=makeup["source"]) if makeup else None,
        verdict=Verdict(name=verdict["name"], source=verdict["source"]) if verdict else None,
    )


def _window(w: Raw) -> Window:
    return Window(kind=w["kind"], count=int(w.get("count") or 0), end=_s(w, "end") or "current",
                  max_periods=int(w.get("max_periods") or 0), cutoff=_s(w, "cutoff"), date=_s(w, "date"),
                  count_current_before_as_of=bool(w.get("count_current_before_as_of", False)))


def _cap(c: Raw) -> Cap:
    return Cap(per=c["per"], max=_q(c["max"]), source=c["source"], id=_s(c, "id"), name=_s(c, "name"),
               items=_strs(c, "items"))


def _item(it: Raw) -> Item:
    gate, dedupe = it.get("gate"), it.get("dedupe")
    return Item(
        id=it["id"], name=it["name"], category=it["category"], input=it["input"], rule=parse_rule(it["rule"]),
        source=it["source"], caps=tuple(_cap(c) for c in _list(it, "caps")), roles=_strs(it, "roles"),
        gate=Gate(flag=gate["flag"], source=gate["source"]) if gate else None,
        dedupe=Dedupe(by=dedupe["by"], scope=dedupe["scope"], source=dedupe["source"]) if dedupe else None,
        count_unit=_s(it, "count_unit"), levels=tuple(Level(lv["id"], lv["name"]) for lv in _list(it, "levels")),
        description=_s(it, "description"), help=_s(it, "help"), registration=_s(it, "registration"),
        evidence=_strs(it, "evidence"), workflow=_s(it, "workflow"), deadline=_s(it, "deadline"),
        auto=bool(it.get("auto", False)),
    )


def _timeline_entry(t: Raw) -> TimelineEntry:
    off = t.get("offset")
    return TimelineEntry(
        id=t["id"], kind=t["kind"], title=t["title"], source=_s(t, "source"), date=_s(t, "date"),
        start=_s(t, "start"), end=_s(t, "end"), month=_s(t, "month"),
        offset=Offset(days=int(off["days"]), relation=off["relation"], anchor=off["anchor"]) if off else None,
        actors=_strs(t, "actors"), description=_s(t, "description"),
    )


def _field(f: Raw) -> FormField:
    return FormField(id=f["id"], label=f["label"], type=_s(f, "type") or "text", options=_strs(f, "options"),
                     prefill=_s(f, "prefill"))


def _column(c: Raw) -> FormColumn:
    comp = c.get("computed")
    return FormColumn(id=c["id"], label=c["label"], type=_s(c, "type") or "text", options=_strs(c, "options"),
                      computed=Computed(item=comp["item"], source_column=comp["from"]) if comp else None,
                      children=tuple(_column(k) for k in _list(c, "children")), prefill=_s(c, "prefill"),
                      sum_of=_strs(c, "sum_of"))


def _form(f: Raw) -> Form:
    return Form(
        id=f["id"], title=f["title"], source=_s(f, "source"), attachment=_s(f, "attachment"),
        purpose=_s(f, "purpose"), filled_by=_s(f, "filled_by"), orientation=_s(f, "orientation"),
        header=tuple(_field(x) for x in _list(f, "header")),
        sections=tuple(FormSection(id=s["id"], columns=tuple(_column(c) for c in _list(s, "columns")),
                                   title=_s(s, "title"), item=_s(s, "item"), method=_s(s, "method"),
                                   evidence=_s(s, "evidence"), rows=s.get("rows"))
                       for s in _list(f, "sections")),
        totals=tuple(_field(x) for x in _list(f, "totals")),
        signatures=tuple(Signature(label=s["label"], stamp=bool(s.get("stamp", False)), date=bool(s.get("date", False)))
                         for s in _list(f, "signatures")),
        notes=_strs(f, "notes"), undefined_in_source=_s(f, "undefined_in_source"), statement=bool(f.get("statement")),
        period_label=_s(f, "period_label"),
    )


def _clause(c: Raw) -> Clause:
    """A clause; its document is the one it names, else its layer's (`_document`, set when layers merge)."""
    return Clause(c["id"], c["quote"], _s(c, "title"), _s(c, "_text"), number=_s(c, "number"), label=_s(c, "label"),
                  document=_s(c, "document") or _s(c, "_document"), explicit_document="document" in c)


def _document(doc: Raw, policy_file: Path | None) -> Document:
    text = _s(doc, "text")
    safe = layers.text_file(policy_file, text)[0] if policy_file else None  # only a file under policies/sources/
    text_file = str(safe) if safe is not None else ""
    return Document(
        issuer=_s(doc, "issuer"), text=text, number=_s(doc, "number"), title=_s(doc, "title"), issued=_s(doc, "issued"),
        effective_from=_s(doc, "effective_from"), effective_to=_s(doc, "effective_to"),
        related=tuple(RelatedDocument(title=r["title"], issuer=_s(r, "issuer"), number=_s(r, "number"),
                                      issued=_s(r, "issued")) for r in _list(doc, "related")),
        text_file=text_file,
    )


def _in_force(w: Any) -> InForce | None:
    if not isinstance(w, Mapping):
        return None
    return InForce(start=w["from"], end=w["to"], source=_s(w, "source"), note=_s(w, "note"),
                   review_until=_s(w, "review_until"))


def _revision(r: Any) -> Revision | None:
    if not isinstance(r, Mapping):
        return None
    return Revision(number=int(r["number"]), date=r["date"], rules_sha256=r["rules_sha256"], note=_s(r, "note"))


def build_model(merged: Raw, files: tuple[str, ...], policy_file: Path | None = None) -> Policy:
    """The typed model of a merged, validated document. `policy_file`: the edition's own (top-layer)
    file, against which `document.text` is resolved."""
    region, ext, prev, succ, cycle, slots = (merged.get(k) for k in ("region", "extends", "previous", "successor", "cycle",
                                                                    "school_slots"))
    return Policy(
        id=merged["id"], edition=merged["edition"], title=merged["title"], unit=_s(merged, "unit") or "学分",
        period=_period(merged.get("period") or {"kind": "calendar_year", "source": ""}),
        cycle=Cycle(periods=int(cycle["periods"]), source=_s(cycle, "source")) if cycle else None,
        categories=tuple(Category(c["id"], c["name"], c.get("parent"), _s(c, "source"), _s(c, "description"))
                         for c in _list(merged, "categories")),
        items=tuple(_item(it) for it in _list(merged, "items")),
        shared_caps=tuple(_cap(c) for c in _list(merged, "caps")),
        requirements=tuple(_requirement(r) for r in _list(merged, "requirements")),
        checks=tuple(Check(id=c["id"], name=c["name"], window=_window(c["window"]), source=c["source"],
                           roles=_strs(c, "roles"), description=_s(c, "description"), deadline=_s(c, "deadline"),
                           requirements=tuple(_requirement(r) for r in _list(c, "requirements")))
                     for c in _list(merged, "checks")),
        clauses=tuple(_clause(c) for c in _list(merged, "clauses")),
        roles=tuple(Role(r["id"], r["name"], _s(r, "description"), _s(r, "source")) for r in _list(merged, "roles")),
        document=_document(merged.get("document") or {}, policy_file),
        short_name=_s(merged, "short_name"),
        region=Region(province=region["province"], city=_s(region, "city"), district=_s(region, "district"),
                      sector=_s(region, "sector")) if region else None,
        applies_to=_s(merged, "applies_to"),
        extends=Extends(policy=ext["policy"], edition=str(ext["edition"]), remove=_strs(ext, "remove")) if ext else None,
        previous=str(prev["edition"]) if prev else "",
        successor=Successor(from_date=succ["from"], description=succ["description"], source=succ["source"],
                            policy=_s(succ, "policy")) if succ else None,
        unit_source=_s(merged, "unit_source"),
        in_force=_in_force(merged.get("in_force")),
        revision=_revision(merged.get("revision")),
        school_slots=SchoolSlots(schedule=slots["schedule"], source=slots["source"]) if slots else None,
        conversions=tuple(Conversion(from_unit=c["from"], to_unit=c["to"], factor=_q(c["factor"]), source=c["source"])
                          for c in _list(merged, "conversions")),
        actors=tuple(Actor(a["id"], a["name"]) for a in _list(merged, "actors")),
        timeline=tuple(_timeline_entry(t) for t in _list(merged, "timeline")),
        schedules=tuple(Schedule(id=s["id"], title=s["title"], source=_s(s, "source"),
                                 rows=tuple(ScheduleRow(int(r["seq"]), r["group"], r["organization"], r["date"])
                                            for r in _list(s, "rows")))
                        for s in _list(merged, "schedules")),
        workflows=tuple(Workflow(id=w["id"], name=w["name"], source=_s(w, "source"), applies_to=_s(w, "applies_to"),
                                 steps=tuple(WorkflowStep(actor=s["actor"], action=s["action"], detail=_s(s, "detail"),
                                                          deadline=_s(s, "deadline")) for s in _list(w, "steps")))
                        for w in _list(merged, "workflows")),
        forms=tuple(_form(f) for f in _list(merged, "forms")),
        notes=tuple(Note(id=n["id"], text=n["text"], source=n["source"], title=_s(n, "title")) for n in _list(merged, "notes")),
        files=files,
    )
