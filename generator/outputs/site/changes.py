"""What changed between two editions: the previous edition of the same policy, or the parent a layer
extends. Compares the resolved models, so a district layer's diff shows exactly what it adds,
removes or overrides on top of its city's notice — in the same generated prose as the item pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.base.messages import message
from generator.policy.model import Form, Policy, Schedule, TimelineEntry, Workflow
from generator.rules import prose as rt

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


def _t(key: str, **params: object) -> str:
    return message(f"rule_text.changes.{key}", **params)


@dataclass(frozen=True)
class Change:
    kind: str      # added | removed | changed
    id: str
    name: str
    before: str = ""
    after: str = ""


@dataclass
class Section:
    key: str       # items | requirements | checks | timeline | workflows | forms | categories | basics
    changes: list[Change] = field(default_factory=list)


@dataclass
class PolicyDiff:
    base: Policy
    target: Policy
    relation: str  # previous | parent
    sections: list[Section]

    @property
    def empty(self) -> bool:
        return not any(s.changes for s in self.sections)

    def counts(self) -> dict[str, int]:
        out = {ADDED: 0, REMOVED: 0, CHANGED: 0}
        for s in self.sections:
            for c in s.changes:
                out[c.kind] += 1
        return out


def base_of(policy: Policy) -> tuple[str, tuple[str, str]] | None:
    """(relation, key) of what this edition is compared with: its previous edition, else its parent."""
    if policy.previous:
        return "previous", (policy.id, policy.previous)
    if policy.extends is not None:
        return "parent", (policy.extends.policy, policy.extends.edition)
    return None


def _item_summary(policy: Policy, item_id: str) -> str:
    item = policy.get_item(item_id)
    cats = {c.id: c.name for c in policy.categories}
    return _t("item", category=cats.get(item.category, item.category), rule=rt.rule_sentence(policy, item))


def _keyed(entries: tuple[Any, ...]) -> dict[str, Any]:
    return {e.id: e for e in entries}


def _diff_map(key: str, old: dict, new: dict, describe_old, describe_new, name_of) -> Section:
    section = Section(key)
    for eid, entry in new.items():
        if eid not in old:
            section.changes.append(Change(ADDED, eid, name_of(entry), after=describe_new(eid)))
    for eid, entry in new.items():
        if eid in old:
            before, after = describe_old(eid), describe_new(eid)
            if before != after:
                section.changes.append(Change(CHANGED, eid, name_of(entry), before=before, after=after))
    for eid, entry in old.items():
        if eid not in new:
            section.changes.append(Change(REMOVED, eid, name_of(entry), before=describe_old(eid)))
    return section


def _requirement_text(policy: Policy, rid: str) -> str:
    req = next(r for r in policy.requirements if r.id == rid)
    text = rt.requirement_sentence(policy, req)
    if req.roles:
        text = _t("with_roles", text=text, roles=rt.roles_phrase(policy, req.roles))
    return text


def _check_text(policy: Policy, cid: str) -> str:
    chk = next(c for c in policy.checks if c.id == cid)
    parts = [rt.check_window_phrase(policy, chk.window)]
    parts += [rt.check_requirement_sentence(policy, r) for r in chk.requirements]
    if chk.roles:
        parts.append(rt.roles_phrase(policy, chk.roles))
    return message("rule_text.joiner").join(parts)


def _timeline_text(entry: TimelineEntry) -> str:
    """When it is, in words (the 名称 column already shows the entry's title)."""
    if entry.start and entry.end:
        when = rt.date_range(entry.start, entry.end)
    elif entry.date or entry.month:
        when = rt.format_date(entry.date or entry.month)
    elif entry.offset is not None:
        when = rt.offset_phrase(entry.offset)
    else:
        return entry.description or "—"
    return _t("timeline", when=when)


def _workflow_text(policy: Policy, wf: Workflow) -> str:
    actors = {a.id: a.name for a in policy.actors}
    return _t("arrow").join(_t("workflow_step", actor=actors.get(s.actor, s.actor), action=s.action) for s in wf.steps)


def _schedule_text(schedule: Schedule) -> str:
    """How many rows (units) the schedule lists and the days it spans, as a sentence."""
    dates = sorted({r.date for r in schedule.rows})
    span = rt.date_range(dates[0], dates[-1]) if len(dates) > 1 else rt.format_date(dates[0]) if dates else ""
    return _t("schedule_rows", count=len(schedule.rows), span=span)


def _form_text(form: Form) -> str:
    columns = sum(len(s.columns) for s in form.sections)
    return _t("form", title=form.title, sections=len(form.sections), columns=columns)


def _basics(base: Policy, target: Policy) -> Section:
    section = Section("basics")
    pairs = [
        ("unit", base.unit, target.unit),
        ("period", rt.period_phrase(base), rt.period_phrase(target)),
        ("cycle", rt.cycle_phrase(base), rt.cycle_phrase(target)),
    ]
    for key, before, after in pairs:
        if before != after:  # the template names the row by its key
            section.changes.append(Change(CHANGED, key, key, before=before or "—", after=after or "—"))
    return section


def diff_policies(base: Policy, target: Policy, relation: str) -> PolicyDiff:
    """Added, removed and changed entries from `base` to `target`, section by section."""
    old_items, new_items = {i.id: i for i in base.items}, {i.id: i for i in target.items}
    sections = [
        _basics(base, target),
        _diff_map("categories", _keyed(base.categories), _keyed(target.categories),
                  lambda i: _keyed(base.categories)[i].name, lambda i: _keyed(target.categories)[i].name,
                  lambda e: e.name),
        _diff_map("items", old_items, new_items, lambda i: _item_summary(base, i), lambda i: _item_summary(target, i),
                  lambda e: e.name),
        _diff_map("requirements", {r.id: r for r in base.requirements}, {r.id: r for r in target.requirements},
                  lambda i: _requirement_text(base, i), lambda i: _requirement_text(target, i), lambda e: e.name),
        _diff_map("checks", {c.id: c for c in base.checks}, {c.id: c for c in target.checks},
                  lambda i: _check_text(base, i), lambda i: _check_text(target, i), lambda e: e.name),
        _diff_map("timeline", _keyed(base.timeline), _keyed(target.timeline),
                  lambda i: _timeline_text(_keyed(base.timeline)[i]),
                  lambda i: _timeline_text(_keyed(target.timeline)[i]), lambda e: e.title),
        _diff_map("schedules", _keyed(base.schedules), _keyed(target.schedules),
                  lambda i: _schedule_text(_keyed(base.schedules)[i]),
                  lambda i: _schedule_text(_keyed(target.schedules)[i]), lambda e: e.title),
        _diff_map("workflows", _keyed(base.workflows), _keyed(target.workflows),
                  lambda i: _workflow_text(base, _keyed(base.workflows)[i]),
                  lambda i: _workflow_text(target, _keyed(target.workflows)[i]), lambda e: e.name),
        _diff_map("forms", _keyed(base.forms), _keyed(target.forms),
                  lambda i: _form_text(_keyed(base.forms)[i]),
                  lambda i: _form_text(_keyed(target.forms)[i]), lambda e: e.title),
    ]
    return PolicyDiff(base, target, relation, sections)

