"""Registration-database exports (CSV or Parquet) into the audit tables, set-based in DuckDB.

Two kinds of file, told apart by their columns (docs/audit.md, "Exports"):

- people: ``person_id, name, school, district, roles`` (role ids separated by , ; or 、) and one
  ``date_<name>`` column per key date (``date_title``);
- entries: ``person_id, item, date`` and any of ``hours, count, half_days, days, years, credits, passed,
  failed, level, course, exam_passed, counts_for`` (the Chinese headings of CSV ledgers — 项目, 日期,
  学时 … — are read too).

Typed columns are read as they are: DATE, integers and DECIMALs with at most 12 decimals are exact and
go straight into the tables, so a large Parquet export is one pass in SQL. Text (CSV, or VARCHAR and
DOUBLE columns) is read in SQL when it is a plain decimal; any other value — a fraction, an exponent, too
many decimals, a negative number, not a number or not a date — is read by the same Python the reference
engine uses (rules.inputs.amount, base.dates.parse_date), for those rows only. Every value that cannot be
used is reported with its file, row and column (`problems`, through the message catalog) and its entry
keeps it flagged (`bad`, `inexact`, the original text in `raw`), so the compiled SQL refuses the entry
exactly as the reference engine would and the person's result is marked incomplete.

Rows are numbered as a reader finds them: in a CSV the heading is row 1 and the first record row 2 (as a
spreadsheet shows it); in Parquet the first record is row 1. Within one import, a person's entries keep
the file's order (`entry_no` is the row).

Re-importing replaces per person: a people export replaces the people rows (roles, dates) that earlier
people exports gave the persons it lists; an entries export replaces the entries earlier entries exports
gave the persons it lists. Rosters and ledgers are other sources and are never touched.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import duckdb
import pyarrow as pa

from generator.audit.imports_base import ImportCounts
from generator.audit.ledgers import course_key, exact_decimal
from generator.audit.schema import AMOUNT_TYPE, ENTRY_COLUMNS, create_tables
from generator.audit.store import begin, finish, record_problems
from generator.base.diagnostics import Diagnostic, InputError
from generator.base.messages import catalog
from generator.base.rational import parse_json_number
from generator.rules.inputs import AMOUNT_FIELDS, amount

PEOPLE_KEY = "export-people"
ENTRIES_KEY = "export-entries"
PLAIN = r"^[0-9]{1,18}(\.[0-9]{1,12})?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SIMPLE_COURSE = r"^[\x21-\x7e\x{4e00}-\x{9fff}]*$"
ENTRY_TEXT = ("item", "level", "course", "counts_for")
PEOPLE_TEXT = ("name", "school", "district", "roles")
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
                 "UHUGEINT")


@dataclass
class Column:
    name: str  # the audit's name for it (hours, date_title …)
    heading: str  # as the file writes it
    position: int  # 1-based
    type: str  # DuckDB's type of the column

    @property
    def ref(self) -> str:
        return 's."' + self.heading.replace('"', '""') + '"'

    def exact_number(self) -> bool:
        """Integers, and DECIMALs DECIMAL(38, 12) holds exactly: read without any text."""
        t = self.type.upper()
        if t in INTEGER_TYPES:
            return True
        if t.startswith("DECIMAL(") and t.endswith(")"):
            width, scale = (int(x) for x in t[8:-1].split(","))
            return scale <= 12 and width - scale <= 26
        return False


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _reader(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return f"(SELECT *, file_row_number + 1 AS _row FROM read_parquet({_quoted(path)}, file_row_number = true))"
    return (f"(SELECT *, ROW_NUMBER() OVER () + 1 AS _row FROM read_csv({_quoted(path)}, all_varchar = true, header = true, "
            "auto_detect = true))")


def readable(path: Path) -> Path:
    """The file itself, or a UTF-8 copy of a GBK CSV (what Chinese spreadsheet software saves), as `jxjy check` reads it."""
    if path.suffix.lower() != ".csv":
        return path
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        return path
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return path  # DuckDB says it cannot read it
    copy = Path(tempfile.mkdtemp(prefix="jxjy-audit-")) / path.name
    copy.write_text(text, encoding="utf-8")
    return copy


def columns(path: Path) -> dict[str, Column]:
    """The file's columns by their audit name (headings trimmed, lower case, Chinese ledger headings mapped)."""
    try:
        described = duckdb.sql(f"DESCRIBE SELECT * FROM {_reader(readable(path))}")
        rows = described.fetchall() if described is not None else []
    except duckdb.Error:
        raise InputError([Diagnostic.of(str(path), 1, 1, "diagnostics.audit.unreadable_export")]) from None
    aliases = catalog()["csv_headers"]
    out: dict[str, Column] = {}
    for n, row in enumerate(rows, 1):
        heading = str(row[0])
        if heading in ("_row", "file_row_number"):
            continue
        name = heading.strip()
        name = aliases.get(name, name).lower()
        out.setdefault(name, Column(name, heading, n, str(row[1])))
    return out


def is_people_file(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".parquet"):
        return False
    try:
        cols = columns(path)
    except InputError:
        return False
    return "item" not in cols and "person_id" in cols


def import_export(con, path: Path) -> ImportCounts:
    cols = columns(path)
    if "person_id" not in cols:
        raise InputError([Diagnostic.of(str(path), 1, 1, "diagnostics.audit.export_columns",
                                        columns=sorted(c.heading for c in cols.values()))])
    create_tables(con)
    entries = "item" in cols
    source = begin(con, path, "export", ENTRIES_KEY if entries else PEOPLE_KEY)
    # what an earlier import of this file said about no one in particular (unknown columns, rows without a person)
    con.execute("DELETE FROM problems WHERE source_key = ? AND person_id = '' AND file = ?", [source.key, str(path)])
    known = (("person_id", "item", "date", "exam_passed", *ENTRY_TEXT, *AMOUNT_FIELDS) if entries
             else ("person_id", *PEOPLE_TEXT))
    problems: list[tuple[Diagnostic, str]] = [
        (Diagnostic.of(str(path), 1, c.position, "diagnostics.audit.export_unknown_column", heading=c.heading,
                       known=", ".join(known) + ("" if entries else ", date_…")), "")
        for c in cols.values() if c.name not in known and not (not entries and c.name.startswith("date_"))]
    reader = _reader(readable(path))
    pid = _text(cols.get("person_id"))
    missing = con.execute(f"SELECT _row FROM {reader} s WHERE {pid} IS NULL ORDER BY _row").fetchall()
    problems += [(Diagnostic.of(str(path), row, cols["person_id"].position, "diagnostics.audit.export_no_person"), "")
                 for row, in missing]
    if entries:
        counts = _entries(con, path, reader, cols, source, problems)
    else:
        counts = _people(con, path, reader, cols, source, problems)
    record_problems(con, source, problems)
    finish(con, source, counts.people, counts.entries, len(problems), counts.replaced)
    counts.problems = [d for d, _ in problems]
    return counts


def _text(col: Column | None) -> str:
    if col is None:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(TRIM(CAST({col.ref} AS VARCHAR)), '')"


# ---------------------------------------------------------------------------------------------
# people


def _people(con, path: Path, reader: str, cols: dict[str, Column], source,
            problems: list[tuple[Diagnostic, str]]) -> ImportCounts:
    pid = _text(cols["person_id"])
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_people AS SELECT {pid} AS person_id, _row, "
                + ", ".join(f"{_text(cols.get(c))} AS {c}" for c in PEOPLE_TEXT)
                + "".join(f", {_date(c)} AS \"{c.name}\", {_text(c)} AS \"raw_{c.name}\"" for c in cols.values()
                          if c.name.startswith("date_"))
                + f" FROM {reader} s WHERE {pid} IS NOT NULL")
    listed = "person_id IN (SELECT person_id FROM staged_people)"
    for table in ("people", "person_roles", "person_dates", "problems"):
        con.execute(f"DELETE FROM {table} WHERE source_key = '{PEOPLE_KEY}' AND {listed}")
    con.execute(f"DELETE FROM people WHERE source_key = '{ENTRIES_KEY}' AND {listed}")  # stand-ins until now
    con.execute(f"""INSERT INTO people (person_id, name, school, district, roles, source_key, import_id)
SELECT person_id, name, school, district, roles, '{PEOPLE_KEY}', {source.import_id} FROM staged_people""")
    con.execute(f"""INSERT INTO person_roles
SELECT DISTINCT person_id, TRIM(r), '{PEOPLE_KEY}' FROM (
  SELECT person_id, UNNEST(regexp_split_to_array(roles, '[,;、，；]')) AS r FROM staged_people WHERE roles IS NOT NULL)
WHERE TRIM(r) <> ''""")
    for c in cols.values():
        if not c.name.startswith("date_"):
            continue
        con.execute(f"""INSERT INTO person_dates SELECT person_id, '{c.name[5:]}', "{c.name}", '{PEOPLE_KEY}'
FROM staged_people WHERE "{c.name}" IS NOT NULL""")
        for row, person, value in con.execute(f"""SELECT _row, person_id, "raw_{c.name}" FROM staged_people
WHERE "{c.name}" IS NULL AND "raw_{c.name}" IS NOT NULL ORDER BY _row""").fetchall():
            problems.append((Diagnostic.of(str(path), row, c.position, "diagnostics.audit.bad_person_date", name=c.name[5:],
                                           value=value), person))
    people = con.execute("SELECT COUNT(DISTINCT person_id) FROM staged_people").fetchall()[0][0]
    con.execute("DROP TABLE staged_people")
    return ImportCounts(people=people)


def _date(col: Column) -> str:
    """A DATE column as it is; text only when written YYYY-MM-DD (a day the engine's parse_date accepts)."""
    if col.type.upper() == "DATE":
        return f"CASE WHEN year({col.ref}) BETWEEN 1 AND 9999 THEN {col.ref} END"
    t = _text(col)
    return f"CASE WHEN regexp_matches({t}, '{ISO_DATE}') AND {t} >= '0001' THEN TRY_CAST({t} AS DATE) END"


# ---------------------------------------------------------------------------------------------
# entries


def _entries(con, path: Path, reader: str, cols: dict[str, Column], source,
             problems: list[tuple[Diagnostic, str]]) -> ImportCounts:
    pid = _text(cols["person_id"])
    replaced = 0
    if con.execute(f"SELECT COUNT(*) FROM entries WHERE source_key = '{ENTRIES_KEY}'").fetchall()[0][0]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE listed AS SELECT DISTINCT {pid} AS person_id FROM {reader} s")
        where = f"source_key = '{ENTRIES_KEY}' AND person_id IN (SELECT person_id FROM listed)"
        replaced = con.execute(f"SELECT COUNT(*) FROM entries WHERE {where}").fetchall()[0][0]
        for table in ("entries", "problems", "people"):
            con.execute(f"DELETE FROM {table} WHERE {where}")
        con.execute("DROP TABLE listed")

    select, odd = _entry_select(cols)
    values = {**select, "person_id": pid, "entry_no": "s._row", "bad": f"NULLIF(concat_ws(',', {', '.join(odd)}), '')",
              "inexact": "CAST(NULL AS VARCHAR)",
              "raw": "CAST(NULL AS VARCHAR)", "source_file": _sql_text(str(path)), "source_row": "s._row",
              "source_key": f"'{ENTRIES_KEY}'", "import_id": str(source.import_id)}
    # `bad` holds the names of the values SQL did not read plainly, until _read_odd_rows has read them
    con.execute(f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) SELECT {', '.join(values[c] for c in ENTRY_COLUMNS)} "
                f"FROM {reader} s WHERE {pid} IS NOT NULL")
    _read_odd_rows(con, path, reader, cols, source, problems)
    con.execute(f"""INSERT INTO people (person_id, source_key, import_id)
SELECT person_id, '{ENTRIES_KEY}', {source.import_id} FROM (
  SELECT DISTINCT person_id FROM entries WHERE import_id = {source.import_id}
  EXCEPT SELECT person_id FROM people)""")
    n = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT person_id) FROM entries WHERE import_id = {source.import_id}").fetchall()[0]
    return ImportCounts(people=n[1], entries=n[0], replaced=replaced)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _entry_select(cols: dict[str, Column]) -> tuple[dict[str, str], list[str]]:
    """Each entries column's SQL, and the expressions naming a value SQL does not read plainly."""
    select: dict[str, str] = {}
    odd: list[str] = []
    for f in AMOUNT_FIELDS:
        col = cols.get(f)
        if col is None:
            select[f] = f"CAST(NULL AS {AMOUNT_TYPE})"
        elif col.exact_number():
            fine = f"({col.ref} >= 0 AND {col.ref} < 1000000000000000000)"
            select[f] = f"CASE WHEN {fine} THEN CAST({col.ref} AS {AMOUNT_TYPE}) END"
            odd.append(f"CASE WHEN {col.ref} IS NOT NULL AND NOT {fine} THEN '{f}' END")
        else:
            t = _text(col)
            plain = f"regexp_matches({t}, '{PLAIN}')"
            select[f] = f"CASE WHEN {plain} THEN CAST({t} AS {AMOUNT_TYPE}) END"
            odd.append(f"CASE WHEN {t} IS NOT NULL AND NOT {plain} THEN '{f}' END")
    date = cols.get("date")
    select["date"] = _date(date) if date else "CAST(NULL AS DATE)"
    if date is not None:
        odd.append(f"CASE WHEN {_text(date)} IS NOT NULL AND ({select['date']}) IS NULL THEN 'date' END")
    for f in ENTRY_TEXT:
        select[f] = _text(cols.get(f))
    course = select["course"]
    select["course_key"] = (f"CASE WHEN {course} IS NULL THEN '' WHEN regexp_matches({course}, '{SIMPLE_COURSE}') "
                            f"THEN lower({course}) END")
    odd.append(f"CASE WHEN ({select['course_key']}) IS NULL THEN 'course' END")
    exam = cols.get("exam_passed")
    if exam is None:
        select["exam_passed"] = "FALSE"
    elif exam.type.upper() == "BOOLEAN":
        select["exam_passed"] = f"COALESCE({exam.ref}, FALSE)"
    else:
        words = catalog()
        yes = ", ".join(_sql_text(w) for w in words["csv_true"])
        no = ", ".join(_sql_text(w) for w in words["csv_false"])
        t = f"lower({_text(exam)})"
        select["exam_passed"] = f"COALESCE({t} IN ({yes}), FALSE)"
        odd.append(f"CASE WHEN {t} IS NOT NULL AND {t} NOT IN ({yes}, {no}) THEN 'exam_passed' END")
    return select, odd


def _read_odd_rows(con, path: Path, reader: str, cols: dict[str, Column], source, problems: list[tuple[Diagnostic, str]]) -> None:
    """Values SQL did not read plainly, each read as the engine reads it: exact, not exact, or bad (reported)."""
    odd = con.execute(f"SELECT entry_no, person_id, bad FROM entries WHERE import_id = {source.import_id} AND bad IS NOT NULL "
                      "ORDER BY entry_no").fetchall()
    if not odd:
        return
    fields = sorted({f for *_, names in odd for f in names.split(",")})
    con.register("_odd_rows", pa.table({"_row": [r[0] for r in odd]}))
    try:
        picks = ", ".join(f"CAST({cols[f].ref} AS VARCHAR) AS \"{f}\"" for f in fields)
        texts = {row[0]: dict(zip(fields, row[1:], strict=True)) for row in con.execute(
            f"SELECT s._row, {picks} FROM {reader} s WHERE s._row IN (SELECT _row FROM _odd_rows)").fetchall()}
    finally:
        con.unregister("_odd_rows")
    fixes = []
    for row, person, names in odd:
        values = texts[row]
        fix: dict = {"entry_no": row, **{f: None for f in AMOUNT_FIELDS}}
        bad, inexact, raw = [], [], {}
        for name in names.split(","):
            col = cols[name]
            text = values[name]
            if name == "course":
                fix["course_key"] = course_key(text)
                continue
            if name == "exam_passed":
                problems.append((Diagnostic.of(str(path), row, col.position, "diagnostics.audit.export_bad_exam",
                                               heading=col.heading, value=text.strip()), person))
                continue
            raw[name] = text.strip()
            if name == "date":
                bad.append("date")
                problems.append((Diagnostic.of(str(path), row, col.position, "diagnostics.audit.export_bad_date",
                                               heading=col.heading, value=text.strip()), person))
                continue
            value = _engine_amount(text.strip(), col.type.upper() in ("DOUBLE", "FLOAT", "REAL"))
            exact = exact_decimal(value) if value is not None else None
            if value is None:
                bad.append(name)
                code = "diagnostics.audit.export_bad_amount"
            elif exact is None:
                inexact.append(name)
                code = "diagnostics.audit.export_not_exact"
            else:
                fix[name] = str(exact)
                continue
            problems.append((Diagnostic.of(str(path), row, col.position, code, heading=col.heading, value=text.strip()),
                             person))
        fix["bad"] = "," + ",".join(bad) + "," if bad else None
        fix["inexact"] = "," + ",".join(inexact) + "," if inexact else None
        fix["raw"] = json.dumps(raw, ensure_ascii=False) if (bad or inexact) else None
        fix.setdefault("course_key", None)
        fixes.append(fix)
    con.register("_fixes", pa.Table.from_pylist(fixes))
    try:
        sets = ", ".join(f"{f} = COALESCE(CAST(f.{f} AS {AMOUNT_TYPE}), e.{f})" for f in AMOUNT_FIELDS)
        con.execute(f"""UPDATE entries e SET {sets}, bad = f.bad, inexact = f.inexact, raw = f.raw,
  course_key = COALESCE(f.course_key, e.course_key)
FROM _fixes f WHERE e.import_id = {source.import_id} AND e.entry_no = f.entry_no""")
    finally:
        con.unregister("_fixes")


def _engine_amount(text: str, was_double: bool) -> Fraction | None:
    """The amount the reference engine would read: a number column's value as the JSON number it was, text as text."""
    if was_double:
        try:
            return parse_json_number(float(text))
        except ValueError:
            return None
    return amount(text)

