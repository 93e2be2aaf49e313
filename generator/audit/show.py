"""`jxjy audit show PERSON`: one person's ledger rebuilt from the database and explained by the reference
engine (the Chinese report of `jxjy check`), so every number of a summary can be traced to its clauses."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from generator.audit.schema import ENTRY_COLUMNS
from generator.base.rational import format_rational
from generator.rules.inputs import AMOUNT_FIELDS


def ledger_of(con, person_id: str) -> dict | None:
    """The person's ledger as the engine reads it: values as imported, odd ones restored from `raw`."""
    found = con.execute("SELECT name, school FROM people WHERE person_id = ? LIMIT 1", [person_id]).fetchall()
    if not found:
        return None
    person = found[0]
    roles = [r[0] for r in con.execute("SELECT DISTINCT role FROM person_roles WHERE person_id = ? ORDER BY role",
                                       [person_id]).fetchall()]
    dates = {n: d.isoformat() for n, d in con.execute("SELECT name, date FROM person_dates WHERE person_id = ?",
                                                       [person_id]).fetchall()}
    entries = []
    for row in con.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries WHERE person_id = ? ORDER BY import_id, entry_no",
                           [person_id]).fetchall():
        entries.append(_entry(dict(zip(ENTRY_COLUMNS, row, strict=True))))
    head: dict[str, Any] = {"name": person[0] or person_id, "roles": roles}
    if person[1]:
        head["school"] = person[1]
    if dates:
        head["dates"] = dates
    return {"format": "jxjy-ledger/1", "person": head, "entries": entries}


def _entry(row: dict) -> Any:
    raw = json.loads(row["raw"]) if row.get("raw") else None
    if (row.get("bad") or "") == ",*,":
        return raw
    entry: dict[str, Any] = {}
    for name in ("item", "date", *AMOUNT_FIELDS, "level", "course", "counts_for"):
        value = row.get(name)
        if value is None:
            continue
        if name == "date":
            value = value.isoformat()
        elif name in AMOUNT_FIELDS:
            value = format_rational(Fraction(value))
        entry[name] = value
    if row.get("exam_passed"):
        entry["exam_passed"] = True
    if isinstance(raw, dict):
        entry.update(raw)  # what could not be held as typed: the original values
    return entry
