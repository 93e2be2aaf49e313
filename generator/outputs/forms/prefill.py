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
from generator.base.rational import format_rational, parse_rational
from generator.outputs.forms.view import cell_name, column_entry_fields, header_name, total_name
from generator.policy.model import Form, FormField, Item, Policy
from generator.rules.engine import check_entry, entry_credit, entry_period, evaluate
from generator.rules.inputs import AMOUNT_FIELDS, QUANTITY_INPUTS, amount
from generator.rules.periods import PeriodSpan, span_of

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


def _entry_value(item: Item, entry: dict, entry_field: str) -> str:
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


def prefill(policy: Policy, form: Form, ledger: dict, period: str | None = None, result: dict | None = None) -> Prefill:
    """The values of this form's fields from a ledger.

    Entries of each section's item in the chosen period (default: the latest period with an
    entry for one of the form's items) fill that section's rows in date order; rows are added
    when there are more entries than blank rows. Header and total fields with `prefill:` take
    person.name / person.school / person.subject, period.label / period.id, today,
    sum.<column-id> (sum of that column over the form), result.total,
    result.category.<id>, result.item.<id> (credited, after caps, from the engine).
    """
    found = ledger.get("person")
    person: dict = found if isinstance(found, dict) else {}
    roles = {r for r in person.get("roles") or [] if isinstance(r, str)} if isinstance(person.get("roles"), list) else set()
    raw_entries = [e for e in ledger.get("entries") or [] if isinstance(e, dict)]
    entries = [e for e in raw_entries if not check_entry(policy, e, roles)]
    section_items = {s.item for s in form.sections if s.item}
    mine = [e for e in entries if e["item"] in section_items]
    span: PeriodSpan | None = None
    if period:
        span = _period_named(policy, period)
    elif mine:
        span = max(entry_period(policy, e) for e in mine)
    else:
        days = [d for d in (parse_date(e.get("date")) for e in raw_entries if isinstance(e.get("date"), str)) if d]
        span = span_of(policy.period, max(days)) if days else None
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    for s in form.sections:
        item = policy.item(s.item)
        if item is None:
            continue
        picked = [e for e in entries if e["item"] == s.item and span is not None and entry_period(policy, e).id == span.id]
        picked.sort(key=lambda e: e["date"])  # stable: same-day entries keep ledger order
        rows[s.id] = max(s.rows if s.rows is not None else 1, len(picked))
        leaves = s.leaves()
        for r, e in enumerate(picked, 1):
            row: dict[str, str] = {}
            for c in leaves:
                ef = column_entry_fields().get(c.id)
                if c.computed or not ef:
                    continue
                v = _entry_value(item, e, ef)
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
    sums: dict[str, Fraction] = {}
    for name, v in values.items():
        col_id = name.rsplit(":", 1)[1]
        try:
            sums[col_id] = sums.get(col_id, Fraction(0)) + parse_rational(v)
        except ValueError:
            pass
    fields: list[tuple[FormField, str]] = [(f, header_name(f.id)) for f in form.header]
    fields += [(f, total_name(f.id)) for f in form.totals]
    res_period = None
    if span is not None and any(f.prefill.startswith("result.") for f, _ in fields):
        if result is None:
            result = evaluate(policy, ledger, as_of=span.end)
        res_period = result.get("periods", {}).get(span.id)
    for f, name in fields:
        v = _prefill_path(f.prefill, person, span, sums, res_period)
        if v:
            values[name] = v
    return Prefill(values, rows, span)


def _prefill_path(path: str, person: dict, span: PeriodSpan | None, sums: dict, res: dict | None) -> str:
    if not path:
        return ""
    head, _, rest = path.partition(".")
    if head == "person":
        return str(person.get(rest) or "")
    if head == "period" and span is not None:
        return {"label": span.label, "id": span.id}.get(rest, "")
    if head == "today":
        return dt.date.today().isoformat()
    if head == "sum":
        return format_rational(sums[rest]) if rest in sums else ""
    if head == "result" and res is not None:
        if rest == "total":
            return res["total"]
        kind, _, rid = rest.partition(".")
        if kind == "category":
            return res["categories"].get(rid, "")
        if kind == "item":
            return (res["items"].get(rid) or {}).get("credited", "")
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
