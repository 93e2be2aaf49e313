"""Writing people and entries into the audit database in bulk (Arrow tables, one INSERT per table)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from generator.audit.ledgers import PersonRows
from generator.audit.schema import AMOUNT_TYPE, ENTRY_COLUMNS, PEOPLE_COLUMNS, create_tables
from generator.rules.inputs import AMOUNT_FIELDS


@dataclass
class Source:
    """Where rows came from: the import, a replacement key (a school's roster, a person's ledger …) and the file."""

    import_id: int
    key: str
    file: str


def _insert(con, table: str, columns: tuple[str, ...], rows: list[dict], casts: dict[str, str] | None = None) -> None:
    if not rows:
        return
    data = pa.table({c: [r.get(c) for r in rows] for c in columns}) if columns else None
    con.register("_rows", data)
    try:
        select = ", ".join(f"CAST({c} AS {casts[c]}) AS {c}" if casts and c in casts else c for c in columns)
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM _rows")
    finally:
        con.unregister("_rows")


def _next_entry_numbers(con, person_ids: list[str]) -> dict[str, int]:
    """A person's entries from another source keep their numbers; new ones follow them."""
    if not person_ids or not con.execute("SELECT COUNT(*) FROM entries").fetchall()[0][0]:
        return {}
    con.register("_ids", pa.table({"person_id": person_ids}))
    try:
        return dict(con.execute("SELECT person_id, MAX(entry_no) + 1 FROM entries WHERE person_id IN "
                                "(SELECT person_id FROM _ids) GROUP BY person_id").fetchall())
    finally:
        con.unregister("_ids")


def insert_people(con, people: Iterable[tuple[str, PersonRows, dict, list[int]]], source: Source) -> tuple[int, int]:
    """Rows for each (person_id, rows, person fields, source row per entry); returns (people, entries) written."""
    create_tables(con)
    people = list(people)
    p_rows, r_rows, d_rows, e_rows, problems = [], [], [], [], []
    after = _next_entry_numbers(con, [pid for pid, *_ in people])
    for person_id, rows, fields, lines in people:
        p_rows.append({"person_id": person_id, "name": fields.get("name"), "school": fields.get("school"),
                       "district": fields.get("district"), "roles": ",".join(rows.roles), "source_key": source.key,
                       "import_id": source.import_id})
        r_rows += [{"person_id": person_id, "role": role, "source_key": source.key} for role in rows.roles]
        d_rows += [{"person_id": person_id, "name": name, "date": day, "source_key": source.key} for name, day in rows.dates]
        for n, entry in enumerate(rows.entries):
            e_rows.append({**entry, "person_id": person_id, "entry_no": after.get(person_id, 0) + n, "source_file": source.file,
                           "source_row": lines[n] if n < len(lines) else None, "source_key": source.key,
                           "import_id": source.import_id,
                           **{f: str(entry[f]) if entry.get(f) is not None else None for f in AMOUNT_FIELDS}})
        problems += [{"import_id": source.import_id, "source_key": source.key, "file": source.file, "line": 1, "col": 1,
                      "person_id": person_id, "code": code, "params": json.dumps(params, ensure_ascii=False), "path": ""}
                     for code, params in rows.problems]
    _insert(con, "people", PEOPLE_COLUMNS, p_rows)
    _insert(con, "person_roles", ("person_id", "role", "source_key"), r_rows)
    _insert(con, "person_dates", ("person_id", "name", "date", "source_key"), d_rows, {"date": "DATE"})
    _insert(con, "entries", ENTRY_COLUMNS, e_rows, {**{f: AMOUNT_TYPE for f in AMOUNT_FIELDS}, "date": "DATE"})
    _insert(con, "problems", ("import_id", "source_key", "file", "line", "col", "person_id", "code", "params", "path"),
            problems)
    return len(p_rows), len(e_rows)
