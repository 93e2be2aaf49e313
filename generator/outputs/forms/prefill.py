"""A teacher's ledger → the values of a form's fields (the form page's script, form.js, does the same
with calculator/engine.js; tests/test_differential.py holds the two to the same values).

Every number comes from the engine: which entries count (engine.check_entry), which period an
entry belongs to (engine.entry_period), what one entry or one row is worth (engine.entry_credit,
the rule type's entry_credit), and the credited totals (engine.evaluate).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.base.dates import parse_date
from generator.base.messages import message
from generator.base.rational import format_rational, parse_rational
from generator.outputs.forms.view import cell_name, column_entry_fields, header_name, labels, total_name
from generator.policy.model import Form, FormField, Item, Policy
from generator.rules.engine import check_entry, entry_credit, entry_period, evaluate
from generator.rules.inputs import AMOUNT_FIELDS, QUANTITY_INPUTS, amount, input_conversions
from generator.rules.periods import PeriodSpan, period_starting, span_of

PREFILL_FORMAT = "jxjy-form-prefill/1"


def _level_id(item: Item, text: str) -> str | None:
    return next((lv.id for lv in item.levels if text in (lv.id, lv.name)), None)


def computed_credit(policy: Policy, item_id: str, source_value: str) -> Fraction | None:
    """What the item's rule gives one row whose `from` column holds `source_value`: the rule type's
    credit of one entry with that amount, before caps (caps apply to a year's total, not to a row),
    the exam gate counted as passed. None when the cell cannot be computed (blank, not a number,
    unknown level, or a rule that needs more than one column)."""
    item = policy.item(item_id)
    text = (source_value or "").strip()
    if item is None or not text:
        return None
    entry: dict[str, Any] = {"item": item.id}
    if item.input in QUANTITY_INPUTS:
        try:
            entry[item.input] = format_rational(parse_rational(text))
        except ValueError:
            return None
    elif item.input == "level":
        level = _level_id(item, text)
        if level is None:
            return None
        entry["level"] = level
    elif item.input != "none":
        return None
    return item.rule.entry_credit(item, entry)[0]


def _amount_text(policy: Policy, item: Item, entry: dict) -> str:
    """What was done, in words: 8 学时, 2 篇, 二级乙等, 及格 2 科，不及格 1 科 (statement_form's 数量 column)."""
    words = labels()["statement"]["amount"]
    if item.input == "level":
        return item.level_name(str(entry.get("level", "")))
    if item.input == "subjects":
        return words["subjects"].format(passed=_entry_value(policy, item, entry, "passed") or "0",
                                        failed=_entry_value(policy, item, entry, "failed") or "0")
    if item.input in QUANTITY_INPUTS:
        for conv in input_conversions(policy.conversions, item.input).values():  # recorded in a unit the policy converts
            if entry.get(conv.field) is not None:
                return words["quantity"].format(amount=_entry_value(policy, item, entry, conv.field), unit=conv.from_unit)
        unit = item.count_unit if item.input == "count" else message(f"input_units.{item.input}")
        return words["quantity"].format(amount=_entry_value(policy, item, entry, item.input), unit=unit).strip()
    return ""


def _entry_value(policy: Policy, item: Item, entry: dict, entry_field: str) -> str:
    """A cell from one ledger entry; besides the entry's own fields: `item` (its name), `category` (the
    item's category name) and `amount` (what was done, in words)."""
    if entry_field == "item":
        return item.name
    if entry_field == "category":
        category = policy.category(item.category)
        return category.name if category else ""
    if entry_field == "amount":
        return _amount_text(policy, item, entry)
    value = entry.get(entry_field)
    if value is None:
        return ""
    if entry_field == "level":
        return item.level_name(str(value))
    if entry_field in AMOUNT_FIELDS:
        exact = amount(value)  # a JSON float as the decimal its writer meant, as the engine reads it
        return format_rational(exact) if exact is not None else str(value)
    return str(value)


@dataclass
class Prefill:
    values: dict[str, str]
    rows: dict[str, int]
    period: PeriodSpan | None


def _period_named(policy: Policy, period_id: str) -> PeriodSpan | None:
    """The period whose id starts with the year in `period_id` ("2017-2018" → the school year 2017—2018)."""
    day = parse_date(f"{str(period_id).split('-')[0]}-{policy.period.start}")
    return span_of(policy.period, day) if day else None


def form_period_label(form: Form, span: PeriodSpan) -> str:
    """The period as this form writes it: its `period_label` (2017～2018学年度, the notice's wording), else the
    engine's label (2017—2018学年). form.js does the same (periodLabel)."""
    if not form.period_label:
        return span.label
    return form.period_label.format(start_year=span.start.year, end_year=span.end.year, year=span.start.year)


def window_spans(policy: Policy, check_id: str, span: PeriodSpan | None) -> list[PeriodSpan]:
    """The periods of a check's window when the chosen period is the last (or, for `end: previous`, the next)
    one, earliest first: what `window.<check>.<n>` names. Only `last_periods` windows have such a list."""
    check = next((c for c in policy.checks if c.id == check_id), None)
    if check is None or span is None or check.window.kind != "last_periods" or not check.window.count:
        return []
    end_year = span.start.year - (1 if check.window.end == "previous" else 0)
    out = []
    for year in range(end_year - check.window.count + 1, end_year + 1):
        try:
            out.append(period_starting(policy.period, year))
        except ValueError:  # before year 1
            continue
    return out


def _sum_cells(values: dict[str, str], names: list[str]) -> str:
    """The sum of these cells (a blank or unreadable one counts 0), or "" when all are blank."""
    total, seen = Fraction(0), False
    for name in names:
        text = values.get(name, "")
        if not text:
            continue
        seen = True
        try:
            total += parse_rational(text)
        except ValueError:
            pass
    return format_rational(total) if seen else ""


def prefill(policy: Policy, form: Form, ledger: dict, period: str | None = None, result: dict | None = None) -> Prefill:
    """The values of this form's fields from a ledger.

    Entries of each section's item in the chosen period (default: the latest period with an
    entry for one of the form's items) fill that section's rows in date order; rows are added
    when there are more entries than blank rows. A statement's section (`all_items`) takes every
    countable entry of the period. In a section without an item, columns with `prefill:` fill the
    first row (one row a person: 附件3). Columns with `sum_of` hold the sum of their row. Header
    and total fields (and those columns) with `prefill:` take person.name / person.school /
    person.subject, period.label / period.id, today, sum.<column-id> (sum of that column over the
    form), result.total, result.category.<id>, result.item.<id> (credited, after caps, from the
    engine), window.<check-id>.<n>.category.<id> / .total (what was credited in the n-th period of
    the check's window, earliest first, the chosen period being its last).
    """
    person = ledger.get("person") if isinstance(ledger.get("person"), dict) else {}
    person = person if isinstance(person, dict) else {}
    raw_roles = person.get("roles")
    roles = {r for r in raw_roles if isinstance(r, str)} if isinstance(raw_roles, list) else set()
    raw_entries = [e for e in ledger.get("entries") or [] if isinstance(e, dict)]
    entries = [e for e in raw_entries if not check_entry(policy, e, roles)]
    every_item = any(s.all_items for s in form.sections)
    section_items = {s.item for s in form.sections if s.item}
    mine = [e for e in entries if every_item or e["item"] in section_items]
    span: PeriodSpan | None = None
    span_label = ""
    if period:
        span = _period_named(policy, period)
    elif mine:
        span = max(entry_period(policy, e) for e in mine)
    else:
        days = [d for d in (parse_date(e.get("date")) for e in raw_entries if isinstance(e.get("date"), str)) if d]
        span = span_of(policy.period, max(days)) if days else None
    if span is not None:  # period.label as the form writes it (2017～2018学年度), else as the engine does
        span_label = form_period_label(form, span)
    paths = [c.prefill for s in form.sections for c in s.leaves()] + [f.prefill for f in form.header + form.totals]
    if span is not None and result is None and any(p.startswith(("result.", "window.")) for p in paths):
        result = evaluate(policy, ledger, as_of=span.end)
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    for s in form.sections:
        leaves = s.leaves()
        item = policy.item(s.item)
        if item is None and not s.all_items:
            person_row = {c.id: _prefill_path(c.prefill, person, span, {}, result, policy, span_label)
                          for c in leaves if c.prefill}
            for col_id, v in person_row.items():
                if v:
                    values[cell_name(s.id, 1, col_id)] = v
            rows[s.id] = s.rows if s.rows is not None else 1
        else:
            picked = [e for e in entries if (s.all_items or e["item"] == s.item)
                      and span is not None and entry_period(policy, e).id == span.id]
            picked.sort(key=lambda e: e["date"])  # stable: same-day entries keep ledger order
            rows[s.id] = max(s.rows if s.rows is not None else 1, len(picked))
            for r, e in enumerate(picked, 1):
                row_item = policy.get_item(e["item"])
                row: dict[str, str] = {}
                for c in leaves:
                    ef = column_entry_fields().get(c.id)
                    if c.computed or not ef:
                        continue
                    v = _entry_value(policy, row_item, e, ef)
                    if ef == "credits" and not v:
                        v = format_rational(entry_credit(policy, e))
                    if v:
                        row[c.id] = v
                for c in leaves:
                    if c.computed:
                        credit = computed_credit(policy, c.computed.item, row.get(c.computed.source_column, ""))
                        if credit is not None:
                            row[c.id] = format_rational(credit)
                for col_id, v in row.items():
                    values[cell_name(s.id, r, col_id)] = v
        for r in range(1, rows[s.id] + 1):  # 小计 and 合计: sums of their row, in column order (合计 after 小计)
            for c in leaves:
                if c.sum_of:
                    v = _sum_cells(values, [cell_name(s.id, r, x) for x in c.sum_of])
                    if v:
                        values[cell_name(s.id, r, c.id)] = v
    sums: dict[str, Fraction] = {}
    for name, v in values.items():
        col_id = name.rsplit(":", 1)[1]
        try:
            sums[col_id] = sums.get(col_id, Fraction(0)) + parse_rational(v)
        except ValueError:
            pass
    fields: list[tuple[FormField, str]] = [(f, header_name(f.id)) for f in form.header]
    fields += [(f, total_name(f.id)) for f in form.totals]
    for f, name in fields:
        v = _prefill_path(f.prefill, person, span, sums, result, policy, span_label)
        if v:
            values[name] = v
    return Prefill(values, rows, span)


def _prefill_path(path: str, person: dict, span: PeriodSpan | None, sums: dict, result: dict | None,
                  policy: Policy | None = None, span_label: str = "") -> str:
    if not path:
        return ""
    head, _, rest = path.partition(".")
    if head == "person":
        return str(person.get(rest) or "")
    if head == "period" and span is not None:
        return {"label": span_label or span.label, "id": span.id}.get(rest, "")
    if head == "today":
        return dt.date.today().isoformat()
    if head == "sum":
        return format_rational(sums[rest]) if rest in sums else ""
    periods = (result or {}).get("periods") or {}
    if head == "result" and span is not None and result is not None:
        res = periods.get(span.id)
        if res is None:
            return ""
        if rest == "total":
            return str(res["total"])
        kind, _, rid = rest.partition(".")
        if kind == "category":
            return str(res["categories"].get(rid, ""))
        if kind == "item":
            return str((res["items"].get(rid) or {}).get("credited", ""))
    if head == "window" and span is not None and result is not None and policy is not None:
        check_id, n, what = (rest.split(".", 2) + ["", ""])[:3]
        spans = window_spans(policy, check_id, span)
        if not n.isdigit() or not 1 <= int(n) <= len(spans):
            return ""
        res = periods.get(spans[int(n) - 1].id) or {}
        if what == "total":
            return str(res.get("total", "0"))
        kind, _, cid = what.partition(".")
        return str((res.get("categories") or {}).get(cid, "0")) if kind == "category" else ""
    return ""


def prefill_fragment(ledger: dict, policy: Policy | None = None, period: str | None = None,
                     result: dict | None = None) -> str:
    """The URL fragment that prefills a form page: '#prefill=' + base64url(UTF-8 JSON)."""
    payload: dict[str, Any] = {"format": PREFILL_FORMAT, "ledger": ledger}
    if policy is not None:
        payload["policy"] = {"id": policy.id, "edition": policy.edition}
    if period:
        payload["period"] = period
    if result is not None:
        payload["result"] = result
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return "#prefill=" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
