"""`jxjy audit run`: compile an edition into the audit database and keep its results as tables.

The edition's steps are computed once each, as tables (`<prefix>roles`, `<prefix>as_of`, …), and its
readable views (`<prefix>requirements`, `<prefix>requirement_states`, …) stay in the database over
them for staff to query (docs/audit.md). Two result tables are what the reports read:

- `audit_requirements`: every requirement that applies to a person at the as-of date (the as-of
  period's and each check's), with its name, required/actual/met/shortfall and deadline — the
  edition's `requirement_states` view with names;
- `audit_people`: one row per person: name, school, district (the latest import that gave them), as-of
  date and period, the period's total, whether every requirement is met, how many are not, entries,
  entries with errors, entries not exact, import problems, and `incomplete`.

One edition's results at a time: `audit_runs` records which (and the as-of date); a new run replaces them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from generator.audit.schema import create_tables
from generator.audit.sql.compiler import CompiledEdition, compile_policy
from generator.audit.sql.entries import lit
from generator.policy.model import Policy


def run_edition(con, policy: Policy, as_of: dt.date | None, progress: Callable = lambda it, **kw: it) -> CompiledEdition:
    create_tables(con)
    compiled = compile_policy(policy, as_of_date=as_of,
                              as_of="SELECT person_id, CAST(NULL AS DATE) AS as_of "
                                    "FROM (SELECT DISTINCT person_id FROM people) p")
    drop_edition(con, compiled.prefix)
    steps = [*compiled.statements(materialize=True), *_result_tables(compiled)]
    for statement in progress(steps, desc="run", unit="step"):
        con.execute(statement)
    con.execute("CREATE TABLE IF NOT EXISTS audit_runs (policy VARCHAR, edition VARCHAR, prefix VARCHAR, as_of DATE, "
                "ran_at TIMESTAMP, digits INTEGER)")
    con.execute("DELETE FROM audit_runs")
    con.execute("INSERT INTO audit_runs VALUES (?, ?, ?, ?, ?, ?)",
                [policy.id, policy.edition, compiled.prefix, as_of, dt.datetime.now().replace(microsecond=0),
                 compiled.digits])
    return compiled


def drop_edition(con, prefix: str) -> None:
    """Whatever an earlier run (or `jxjy sql` piped into the database) left under the edition's prefix,
    views first (they may read the tables)."""
    pattern = prefix.replace("_", "\\_") + "%"
    for name, in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE ? ESCAPE '\\'",
                             [pattern]).fetchall():
        con.execute(f'DROP VIEW IF EXISTS "{name}"')
    for name, in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE ? ESCAPE '\\'",
                             [pattern]).fetchall():
        con.execute(f'DROP TABLE IF EXISTS "{name}"')


def _result_tables(c: CompiledEdition) -> list[str]:
    n, policy = c.name, c.policy
    names = [(f"period:{r.id}", r.name) for r in policy.requirements]
    names += [(f"check:{k.id}", k.name) for k in policy.checks]
    names += [(f"check:{k.id}:{r.id}", r.name) for k in policy.checks for r in k.requirements]
    name_of = " ".join(f"WHEN {lit(key)} THEN {lit(text)}" for key, text in names) or "WHEN '' THEN ''"
    return [
        f"""CREATE OR REPLACE TABLE audit_requirements AS
SELECT s.person_id, s.kind, s.scope,
  CASE WHEN s.kind = 'period' THEN s.scope ELSE CASE 'check:' || s.scope {name_of} END END AS scope_name,
  s.position, s.requirement,
  CASE CASE WHEN s.kind = 'period' THEN 'period:' || s.requirement ELSE 'check:' || s.scope || ':' || s.requirement END
    {name_of} END AS requirement_name,
  s.required, s.actual, s.met, s.shortfall, s.deadline
FROM {n('requirement_states')} s""",
        f"""CREATE OR REPLACE TABLE audit_people AS
SELECT s.person_id, p.name, p.school, p.district, s.as_of, t.period, COALESCE(t.total, 0) AS total,
  COALESCE(q.unmet, 0) = 0 AND COALESCE(q.n, 0) > 0 AS all_met, COALESCE(q.unmet, 0) AS unmet,
  s.entries, s.entries_with_errors, s.entries_not_exact, COALESCE(x.problems, 0) AS problems,
  s.incomplete OR COALESCE(x.problems, 0) > 0 AS incomplete
FROM {n('people_status')} s
LEFT JOIN (SELECT person_id, arg_max(name, import_id) FILTER (WHERE name IS NOT NULL) AS name,
             arg_max(school, import_id) FILTER (WHERE school IS NOT NULL) AS school,
             arg_max(district, import_id) FILTER (WHERE district IS NOT NULL) AS district
           FROM people GROUP BY person_id) p ON p.person_id = s.person_id
LEFT JOIN {n('as_of')} a ON a.person_id = s.person_id
LEFT JOIN {n('totals')} t ON t.person_id = s.person_id AND t.py = a.as_year
LEFT JOIN (SELECT person_id, COUNT(*) AS n, SUM(CASE WHEN met THEN 0 ELSE 1 END) AS unmet FROM audit_requirements
           GROUP BY person_id) q ON q.person_id = s.person_id
LEFT JOIN (SELECT person_id, COUNT(*) AS problems FROM problems GROUP BY person_id) x ON x.person_id = s.person_id""",
    ]
