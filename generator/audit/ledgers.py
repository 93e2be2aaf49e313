"""A person's ledger (schemas/ledger.schema.json) as rows of the audit tables, read as the reference
engine reads it: the same strict dates, exact amounts (JSON floats as their shortest decimal), course
keys and role strings, so the SQL sees exactly what engine.evaluate would."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from generator.audit.sql.scope import AMOUNT_LIMIT
from generator.base.dates import parse_date
from generator.base.rational import decimal_digits
from generator.rules.inputs import AMOUNT_FIELDS, amount

MAX_DIGITS = 12


def course_key(value: Any) -> str:
    """The engine's de-duplication key (docs/bundle-spec.md §6.7): text with whitespace out, lower case; "" for
    anything else (a course that is not text is an entry error: `bad` names it)."""
    return "".join(value.split()).lower() if isinstance(value, str) else ""


def exact_decimal(value: Fraction) -> Decimal | None:
    """The amount as a DECIMAL(38, 12) the database holds exactly, or None."""
    digits = decimal_digits(value)
    if digits is None or digits > MAX_DIGITS or value >= AMOUNT_LIMIT:
        return None
    return Decimal(value.numerator) / Decimal(value.denominator)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass
class PersonRows:
    person: dict
    roles: list[str] = field(default_factory=list)
    dates: list[tuple[str, dt.date]] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    problems: list[tuple[str, dict]] = field(default_factory=list)  # (catalog code, params)


def entry_row(entry: Any) -> dict:
    """One ledger entry as an `entries` row (without person and source columns)."""
    row: dict[str, Any] = {f: None for f in ("item", "date", "level", "course", "counts_for", *AMOUNT_FIELDS)}
    row.update(course_key="", exam_passed=False, bad=None, inexact=None, raw=None)
    if not isinstance(entry, dict):
        row["bad"], row["raw"] = ",*,", json.dumps(entry, ensure_ascii=False)
        return row
    bad: list[str] = []
    inexact: list[str] = []
    item = entry.get("item")
    row["item"] = item if isinstance(item, str) else None
    if entry.get("date") is not None:
        day = parse_date(entry["date"]) if isinstance(entry["date"], str) else None
        row["date"] = day
        if day is None:
            bad.append("date")
    for name in AMOUNT_FIELDS:
        value = entry.get(name)
        if value is None:
            continue
        exact = amount(value)
        if exact is None:
            bad.append(name)
            continue
        row[name] = exact_decimal(exact)
        if row[name] is None:
            inexact.append(name)
    for name in ("level", "counts_for"):  # text fields: kept as given, anything else flagged
        value = entry.get(name)
        if value is not None:
            if isinstance(value, str):
                row[name] = value
            else:
                bad.append(name)
    if entry.get("course") is not None:
        row["course"] = _text(entry["course"])
        if not isinstance(entry["course"], str):
            bad.append("course")
    row["course_key"] = course_key(entry.get("course"))
    row["exam_passed"] = entry.get("exam_passed") is True
    row["bad"] = "," + ",".join(bad) + "," if bad else None
    row["inexact"] = "," + ",".join(inexact) + "," if inexact else None
    if bad or inexact:
        row["raw"] = json.dumps(entry, ensure_ascii=False, default=str)
    return row


def person_rows(ledger: Any) -> PersonRows:
    """A ledger's person (roles, dates) and entries; what the engine would report as input errors is kept
    as problems (the person's result is then marked incomplete)."""
    out = PersonRows(person={})
    if not isinstance(ledger, dict):
        out.problems.append(("diagnostics.audit.ledger_not_object", {}))
        return out
    person = ledger.get("person")
    if isinstance(person, dict):
        out.person = person
        roles = person.get("roles")
        if isinstance(roles, list):
            for role in roles:
                if isinstance(role, str):
                    if role not in out.roles:
                        out.roles.append(role)
                else:
                    out.problems.append(("diagnostics.audit.bad_role", {"value": _text(role)}))
        elif roles is not None:
            out.problems.append(("diagnostics.audit.bad_roles", {"value": _text(roles)}))
        dates = person.get("dates")
        if isinstance(dates, dict):
            for name in sorted(k for k in dates if isinstance(k, str)):
                day = parse_date(dates[name]) if isinstance(dates[name], str) else None
                if day is not None:
                    out.dates.append((name, day))
                elif dates[name] is not None:
                    out.problems.append(("diagnostics.audit.bad_person_date", {"name": name, "value": _text(dates[name])}))
        elif dates is not None:
            out.problems.append(("diagnostics.audit.bad_person_dates", {"value": _text(dates)}))
    elif person is not None:
        out.problems.append(("diagnostics.audit.bad_person", {"value": _text(person)}))
    raw_entries = ledger.get("entries")
    if isinstance(raw_entries, list):
        out.entries = [entry_row(e) for e in raw_entries]
    elif raw_entries is not None:
        out.problems.append(("diagnostics.audit.bad_entries", {"value": _text(raw_entries)}))
    return out
