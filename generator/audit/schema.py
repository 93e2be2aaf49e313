"""The audit database's tables (DuckDB by default; the same columns as Parquet for Spark).

Documented for the staff who query them (docs/audit.md, "Tables"). Amounts are exact DECIMAL(38, 12);
an amount the import could not hold exactly, or a value that was not a number, a date, a level or a
period, is NULL with its field named in `inexact` or `bad` (`,hours,level,`; `,*,` when the entry was
not a record at all) and its original text in `raw`, so the SQL refuses it as the reference engine
would and `jxjy audit show` can hand the original to the engine.
"""

from __future__ import annotations

AMOUNT_TYPE = "DECIMAL(38,12)"

TABLES: dict[str, str] = {
    "imports": """CREATE TABLE IF NOT EXISTS imports (
  import_id INTEGER PRIMARY KEY, kind VARCHAR, file VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP, imported_by VARCHAR,
  source_key VARCHAR, people INTEGER, entries INTEGER, problems INTEGER, replaced INTEGER)""",
    "people": """CREATE TABLE IF NOT EXISTS people (
  person_id VARCHAR, name VARCHAR, school VARCHAR, district VARCHAR, roles VARCHAR,
  source_key VARCHAR, import_id INTEGER)""",
    "person_roles": "CREATE TABLE IF NOT EXISTS person_roles (person_id VARCHAR, role VARCHAR, source_key VARCHAR)",
    "person_dates": "CREATE TABLE IF NOT EXISTS person_dates (person_id VARCHAR, name VARCHAR, date DATE, source_key VARCHAR)",
    "entries": f"""CREATE TABLE IF NOT EXISTS entries (
  person_id VARCHAR, entry_no INTEGER, item VARCHAR, date DATE,
  hours {AMOUNT_TYPE}, count {AMOUNT_TYPE}, half_days {AMOUNT_TYPE}, days {AMOUNT_TYPE}, years {AMOUNT_TYPE},
  credits {AMOUNT_TYPE}, passed {AMOUNT_TYPE}, failed {AMOUNT_TYPE},
  level VARCHAR, course VARCHAR, course_key VARCHAR, exam_passed BOOLEAN, counts_for VARCHAR,
  bad VARCHAR, inexact VARCHAR, raw VARCHAR,
  source_file VARCHAR, source_row INTEGER, source_key VARCHAR, import_id INTEGER)""",
    "problems": """CREATE TABLE IF NOT EXISTS problems (
  import_id INTEGER, source_key VARCHAR, file VARCHAR, line INTEGER, col INTEGER, person_id VARCHAR,
  code VARCHAR, params VARCHAR, path VARCHAR)""",
}

ENTRY_COLUMNS = ("person_id", "entry_no", "item", "date", "hours", "count", "half_days", "days", "years", "credits",
                 "passed", "failed", "level", "course", "course_key", "exam_passed", "counts_for", "bad", "inexact", "raw",
                 "source_file", "source_row", "source_key", "import_id")
PEOPLE_COLUMNS = ("person_id", "name", "school", "district", "roles", "source_key", "import_id")


def create_tables(con) -> None:
    for ddl in TABLES.values():
        con.execute(ddl)
