"""Registration-database exports (CSV or Parquet) into the audit tables, set-based in DuckDB.

Two kinds of file, told apart by their columns (docs/audit.md, "Import"):

- people: ``person_id, name, school, district, roles`` (role ids separated by , ; or 、) and one
  ``date_<name>`` column per key date (``date_title``);
- entries: ``person_id, item, date`` and any of ``hours, count, half_days, days, years, credits, passed,
  failed, level, course, exam_passed, counts_for``.

Plain decimals (what real exports hold) are read in SQL; anything else — a fraction, an exponent, too many
decimals, a course name outside ASCII and CJK — is read by the same Python the reference engine uses
(rules.inputs.amount, ledgers.course_key), for those rows only, so millions of rows stay fast and odd
ones stay exact.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import duckdb

from generator.audit.imports_base import ImportCounts
from generator.audit.ledgers import course_key, exact_decimal
from generator.audit.schema import AMOUNT_TYPE, ENTRY_COLUMNS, create_tables
from generator.base.diagnostics import Diagnostic, InputError
from generator.base.rational import parse_json_number
from generator.rules.inputs import AMOUNT_FIELDS, amount

PLAIN = r"^[0-9]{1,18}(\.[0-9]{1,12})?$"
SIMPLE_COURSE = r"^[\x21-\x7e\x{4e00}-\x{9fff}]*$"


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', all_varchar = true, header = true)"


def columns(path: Path) -> dict[str, str]:
    try:
        rows = duckdb.sql(f"DESCRIBE SELECT * FROM {_reader(path)}").fetchall()
    except duckdb.Error:
        raise InputError([Diagnostic.of(str(path), 1, 1, "diagnostics.audit.unreadable_export")]) from None
    return {str(r[0]).strip().lower(): str(r[1]) for r in rows}


def is_people_file(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".parquet"):
        return False
    try:
        cols = columns(path)
    except InputError:
        return False
    return "item" not in cols and "person_id" in cols


def import_export(con, path: Path, begin, replace, finish, record_problems) -> ImportCounts:
    cols = columns(path)
    if "person_id" not in cols:
        raise InputError([Diagnostic.of(str(path), 1, 1, "diagnostics.audit.export_columns", columns=sorted(cols))])
    create_tables(con)
    source = begin(con, path, "export", "export")
    if "item" in cols:
        return _entries(con, path, cols, source, replace, finish)
    return _people(con, path, cols, source, replace, finish)


def _text(col: str, cols: dict[str, str]) -> str:
    if col not in cols:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(TRIM(CAST(s.\"{col}\" AS VARCHAR)), '')"


def _people(con, path: Path, cols: dict[str, str], source, replace, finish) -> ImportCounts:
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_people AS SELECT * FROM {_reader(path)}")
    ids = "person_id IN (SELECT CAST(person_id AS VARCHAR) FROM staged_people) AND source_key = 'export'"
    replaced = 0
    for table in ("people", "person_roles", "person_dates"):
        con.execute(f"DELETE FROM {table} WHERE {ids}")
    con.execute(f"""INSERT INTO people (person_id, name, school, district, roles, source_key, import_id)
SELECT CAST(s.person_id AS VARCHAR), {_text('name', cols)}, {_text('school', cols)}, {_text('district', cols)},
  {_text('roles', cols)}, 'export', {source.import_id} FROM staged_people s""")
    if "roles" in cols:
        con.execute("""INSERT INTO person_roles
SELECT DISTINCT person_id, TRIM(r), 'export' FROM (
  SELECT CAST(person_id AS VARCHAR) AS person_id, UNNEST(regexp_split_to_array(CAST(roles AS VARCHAR), '[,;、]')) AS r
  FROM staged_people) WHERE TRIM(r) <> ''""")
    for col in cols:
        if col.startswith("date_"):
            con.execute(f"""INSERT INTO person_dates
SELECT CAST(person_id AS VARCHAR), '{col[5:]}', TRY_CAST(CAST("{col}" AS VARCHAR) AS DATE), 'export' FROM staged_people
WHERE TRY_CAST(CAST("{col}" AS VARCHAR) AS DATE) IS NOT NULL""")
    people = con.execute("SELECT COUNT(*) FROM staged_people").fetchall()[0][0]
    con.execute("DROP TABLE staged_people")
    finish(con, source, people, 0, 0, replaced)
    return ImportCounts(people=people)


def _entries(con, path: Path, cols: dict[str, str], source, replace, finish) -> ImportCounts:
    header = 1 if path.suffix.lower() == ".csv" else 0
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS SELECT *, ROW_NUMBER() OVER () + {header} AS source_row "
                f"FROM {_reader(path)}")
    amounts, flags_bad, flags_inexact = [], [], []
    for f in AMOUNT_FIELDS:
        t = _text(f, cols)
        plain = f"regexp_matches({t}, '{PLAIN}')"
        amounts.append(f"CASE WHEN {plain} THEN CAST({t} AS {AMOUNT_TYPE}) END AS {f}")
        flags_bad.append(f"CASE WHEN {t} IS NOT NULL AND NOT {plain} THEN '{f}' END")
    date_t = _text("date", cols)
    date = f"CASE WHEN regexp_matches({date_t}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') THEN TRY_CAST({date_t} AS DATE) END"
    if cols.get("date", "").upper() == "DATE":
        date = "s.date"
    flags_bad.append(f"CASE WHEN {date_t} IS NOT NULL AND ({date}) IS NULL THEN 'date' END")
    course = _text("course", cols)
    exam = (f"COALESCE(lower({_text('exam_passed', cols)}) IN ('true', '1', 'yes', '是', 'y'), FALSE)"
            if "exam_passed" in cols else "FALSE")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE staged_entries AS
SELECT CAST(s.person_id AS VARCHAR) AS person_id, s.source_row, {_text('item', cols)} AS item, {date} AS date,
  {', '.join(amounts)},
  {_text('level', cols)} AS level, {course} AS course,
  CASE WHEN {course} IS NULL THEN '' WHEN regexp_matches({course}, '{SIMPLE_COURSE}') THEN lower({course}) END AS course_key,
  {exam} AS exam_passed, {_text('counts_for', cols)} AS counts_for,
  concat_ws(',', {', '.join(flags_bad)}) AS odd
FROM staged s""")
    _fix_odd_rows(con, cols)
    replaced = replace(con, "source_key = 'export' AND person_id IN (SELECT DISTINCT person_id FROM staged_entries)", [])
    select = {c: c for c in ENTRY_COLUMNS}
    select.update(entry_no="CAST(ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY source_row) - 1 + "
                           "COALESCE((SELECT MAX(entry_no) + 1 FROM entries x WHERE x.person_id = t.person_id), 0) AS INTEGER)",
                  bad="NULLIF(bad, '')", inexact="NULLIF(inexact, '')", raw="raw",
                  source_file=f"'{str(path).replace(chr(39), chr(39) * 2)}'", source_key="'export'",
                  import_id=str(source.import_id))
    con.execute(f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) SELECT {', '.join(select[c] for c in ENTRY_COLUMNS)} "
                "FROM staged_entries t")
    con.execute("""INSERT INTO people (person_id, source_key, import_id)
SELECT DISTINCT person_id, 'export', ? FROM staged_entries WHERE person_id NOT IN (SELECT person_id FROM people)""",
                [source.import_id])
    n = con.execute("SELECT COUNT(*), COUNT(DISTINCT person_id) FROM staged_entries").fetchall()[0]
    con.execute("DROP TABLE staged_entries")
    con.execute("DROP TABLE staged")
    finish(con, source, n[1], n[0], 0, replaced)
    return ImportCounts(people=n[1], entries=n[0], replaced=replaced)


def _fix_odd_rows(con, cols: dict[str, str]) -> None:
    """Rows SQL did not read plainly: each odd value read as the engine reads it (bad, inexact or exact)."""
    con.execute("ALTER TABLE staged_entries ADD COLUMN bad VARCHAR DEFAULT ''")
    con.execute("ALTER TABLE staged_entries ADD COLUMN inexact VARCHAR DEFAULT ''")
    con.execute("ALTER TABLE staged_entries ADD COLUMN raw VARCHAR")
    picks = ", ".join(f"CAST(s.\"{f}\" AS VARCHAR)" if f in cols else "NULL" for f in (*AMOUNT_FIELDS, "date", "course"))
    odd = con.execute(f"""SELECT t.source_row, t.odd, {picks} FROM staged_entries t JOIN staged s ON s.source_row = t.source_row
WHERE t.odd <> '' OR t.course_key IS NULL""").fetchall()
    doubles = {f for f in AMOUNT_FIELDS if cols.get(f, "").upper() in ("DOUBLE", "FLOAT", "REAL")}
    for row in odd:
        source_row, names = row[0], [n for n in row[1].split(",") if n]
        values = dict(zip((*AMOUNT_FIELDS, "date", "course"), row[2:], strict=True))
        bad, inexact, sets = [], [], {}
        for name in names:
            if name == "date":
                bad.append("date")
                continue
            text = values[name]
            value = _engine_amount(text, name in doubles)
            exact = exact_decimal(value) if value is not None else None
            if value is None:
                bad.append(name)
            elif exact is None:
                inexact.append(name)
            else:
                sets[name] = str(exact)
        key = course_key(values["course"]) if values["course"] is not None else ""
        raw = {n: values[n] for n in names}
        assignments = ", ".join([f"{n} = CAST(? AS {AMOUNT_TYPE})" for n in sets] + ["bad = ?", "inexact = ?", "course_key = ?",
                                                                                     "raw = ?"])
        con.execute(f"UPDATE staged_entries SET {assignments} WHERE source_row = ?",
                    [*sets.values(), "," + ",".join(bad) + "," if bad else "", "," + ",".join(inexact) + "," if inexact else "",
                     key, json.dumps(raw, ensure_ascii=False) if raw else None, source_row])


def _engine_amount(text: str | None, was_double: bool) -> Fraction | None:
    """The amount the reference engine would read: a number column's value as the JSON number it was, text as text."""
    if text is None:
        return None
    if was_double:
        try:
            return parse_json_number(float(text))
        except ValueError:
            return None
    return amount(text)
