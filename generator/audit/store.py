"""Writing into the audit database: the import history (`imports`), replacing what a source brought
before, people and entries in bulk (Arrow tables, one INSERT per table) and the problems found."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from generator.audit.ledgers import PersonRows
from generator.audit.schema import AMOUNT_TYPE, ENTRY_COLUMNS, PEOPLE_COLUMNS, create_tables
from generator.base.diagnostics import Diagnostic
from generator.rules.inputs import AMOUNT_FIELDS

REPLACED_TABLES = ("entries", "people", "person_roles", "person_dates", "problems")


@dataclass
class Source:
    """Where rows came from: the import, a replacement key (a school's roster, a person's ledger …) and the file."""

    import_id: int
    key: str
    file: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def begin(con, path: Path, kind: str, key: str) -> Source:
    """A new import in the history: its id, the file, its sha256, when and by whom."""
    create_tables(con)
    import_id = con.execute("SELECT COALESCE(MAX(import_id), 0) + 1 FROM imports").fetchall()[0][0]
    con.execute("INSERT INTO imports (import_id, kind, file, sha256, imported_at, imported_by, source_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [import_id, kind, str(path), _sha256(path), dt.datetime.now().replace(microsecond=0), _user(), key])
    return Source(import_id, key, str(path))


def replace(con, key: str) -> int:
    """Delete every row the source `key` brought before (a re-imported roster, ledger); the number of entries removed."""
    gone = con.execute("SELECT COUNT(*) FROM entries WHERE source_key = ?", [key]).fetchall()[0][0]
    for table in REPLACED_TABLES:
        con.execute(f"DELETE FROM {table} WHERE source_key = ?", [key])
    return int(gone)


def finish(con, source: Source, people: int, entries: int, problems: int, replaced: int) -> None:
    con.execute("UPDATE imports SET people = ?, entries = ?, problems = ?, replaced = ? WHERE import_id = ?",
                [people, entries, problems, replaced, source.import_id])


def record_problems(con, source: Source, problems: list[tuple[Diagnostic, str]]) -> None:
    """Problems found while reading (a bad roster row …), each under the person it names ('' when none)."""
    rows = [{"import_id": source.import_id, "source_key": source.key, "file": d.file, "line": d.line, "col": d.column,
             "person_id": pid, "code": d.code, "params": json.dumps(dict(d.params), ensure_ascii=False), "path": d.path}
            for d, pid in problems]
    if rows:
        con.register("_problems", pa.Table.from_pylist(rows))
        try:
            con.execute("INSERT INTO problems BY NAME SELECT * FROM _problems")
        finally:
            con.unregister("_problems")


def _insert(con, table: str, columns: tuple[str, ...], rows: list[dict], casts: dict[str, str] | None = None) -> None:
    if not rows:
        return
    con.register("_rows", pa.table({c: [r.get(c) for r in rows] for c in columns}))
    try:
        select = ", ".join(f"CAST({c} AS {casts[c]}) AS {c}" if casts and c in casts else c for c in columns)
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM _rows")
    finally:
        con.unregister("_rows")


def insert_people(con, people: Iterable[tuple[str, PersonRows, dict, list[int]]], source: Source) -> tuple[int, int]:
    """Rows for each (person_id, rows, person fields, source row per entry); returns (people, entries) written.
    A person's entries are numbered 0, 1, … in their ledger's order (`entry_no`, within this import)."""
    create_tables(con)
    p_rows, r_rows, d_rows, e_rows, problems = [], [], [], [], []
    for person_id, rows, fields, lines in people:
        p_rows.append({"person_id": person_id, "name": fields.get("name"), "school": fields.get("school"),
                       "district": fields.get("district"), "roles": ",".join(rows.roles), "source_key": source.key,
                       "import_id": source.import_id})
        r_rows += [{"person_id": person_id, "role": role, "source_key": source.key} for role in rows.roles]
        d_rows += [{"person_id": person_id, "name": name, "date": day, "source_key": source.key} for name, day in rows.dates]
        for n, entry in enumerate(rows.entries):
            e_rows.append({**entry, "person_id": person_id, "entry_no": n, "source_file": source.file,
                           "source_row": lines[n] if n < len(lines) else None, "source_key": source.key,
                           "import_id": source.import_id,
                           **{f: str(entry[f]) if entry.get(f) is not None else None for f in AMOUNT_FIELDS}})
        problems += [(Diagnostic.of(source.file, 1, 1, code, **params), person_id) for code, params in rows.problems]
    _insert(con, "people", PEOPLE_COLUMNS, p_rows)
    _insert(con, "person_roles", ("person_id", "role", "source_key"), r_rows)
    _insert(con, "person_dates", ("person_id", "name", "date", "source_key"), d_rows, {"date": "DATE"})
    _insert(con, "entries", ENTRY_COLUMNS, e_rows, {**{f: AMOUNT_TYPE for f in AMOUNT_FIELDS}, "date": "DATE"})
    record_problems(con, source, problems)
    return len(p_rows), len(e_rows)
