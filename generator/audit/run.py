"""`jxjy audit run`: compile an edition into the audit database and keep its results as tables.

`audit_people` (one row per person: as-of period, total, all requirements met, incomplete) and
`audit_requirements` (one row per person and requirement of the as-of period, and per check
requirement) are what the reports read; the edition's views stay in the database for staff to query.
"""

from __future__ import annotations

import datetime as dt

from generator.audit.schema import create_tables
from generator.audit.sql.compiler import CompiledEdition, compile_policy
from generator.audit.sql.entries import lit
from generator.policy.model import Policy


def run_edition(con, policy: Policy, as_of: dt.date | None, progress=lambda it, **kw: it) -> CompiledEdition:
    create_tables(con)
    given = f"DATE '{as_of.isoformat()}'" if as_of else "CAST(NULL AS DATE)"
    compiled = compile_policy(policy, as_of=f"SELECT person_id, {given} AS as_of FROM (SELECT DISTINCT person_id FROM people) p")
    n = compiled.name
    steps = [*compiled.statements(), *_result_tables(compiled)]
    for statement in progress(steps, desc="run", unit="step"):
        con.execute(statement)
    con.execute("CREATE TABLE IF NOT EXISTS audit_runs (policy VARCHAR, edition VARCHAR, prefix VARCHAR, as_of DATE, "
                "ran_at TIMESTAMP, digits INTEGER)")
    con.execute("DELETE FROM audit_runs")
    con.execute("INSERT INTO audit_runs VALUES (?, ?, ?, ?, ?, ?)",
                [policy.id, policy.edition, compiled.prefix, as_of, dt.datetime.now().replace(microsecond=0),
                 compiled.digits])
    del n
    return compiled


def _result_tables(c: CompiledEdition) -> list[str]:
    n, policy = c.name, c.policy
    req_names = " ".join(f"WHEN {lit(r.id)} THEN {lit(r.name)}" for r in policy.requirements) or "WHEN '' THEN ''"
    check_names = " ".join(f"WHEN {lit(k.id)} THEN {lit(k.name)}" for k in policy.checks) or "WHEN '' THEN ''"
    creq_names = " ".join(f"WHEN {lit(k.id + ':' + r.id)} THEN {lit(r.name)}" for k in policy.checks
                          for r in k.requirements) or "WHEN '' THEN ''"
    return [
        f"""CREATE OR REPLACE TABLE audit_requirements AS
SELECT q.person_id, 'period' AS kind, q.period AS scope, q.period AS scope_name, q.position, q.requirement,
  CASE q.requirement {req_names} END AS requirement_name, q.required, q.actual, q.met, q.shortfall
FROM {n('requirements')} q JOIN {n('as_of')} a ON a.person_id = q.person_id AND a.as_year = q.py
UNION ALL
SELECT q.person_id, 'check', q.check_id, CASE q.check_id {check_names} END, 100 + q.position, q.requirement,
  CASE q.check_id || ':' || q.requirement {creq_names} END, q.required, q.actual, q.met, q.shortfall
FROM {n('check_requirements')} q""",
        f"""CREATE OR REPLACE TABLE audit_people AS
SELECT s.person_id, p.name, p.school, p.district, s.as_of, t.period, COALESCE(t.total, 0) AS total,
  COALESCE(q.unmet, 0) = 0 AND COALESCE(q.n, 0) > 0 AS all_met, COALESCE(q.unmet, 0) AS unmet,
  s.entries, s.entries_with_errors, s.entries_not_exact, COALESCE(x.problems, 0) AS problems,
  s.incomplete OR COALESCE(x.problems, 0) > 0 AS incomplete
FROM {n('people_status')} s
LEFT JOIN (SELECT person_id, ANY_VALUE(name) AS name, ANY_VALUE(school) AS school, ANY_VALUE(district) AS district
           FROM people GROUP BY person_id) p ON p.person_id = s.person_id
LEFT JOIN {n('as_of')} a ON a.person_id = s.person_id
LEFT JOIN {n('totals')} t ON t.person_id = s.person_id AND t.py = a.as_year
LEFT JOIN (SELECT person_id, COUNT(*) AS n, SUM(CASE WHEN met THEN 0 ELSE 1 END) AS unmet FROM audit_requirements
           GROUP BY person_id) q ON q.person_id = s.person_id
LEFT JOIN (SELECT person_id, COUNT(*) AS problems FROM problems GROUP BY person_id) x ON x.person_id = s.person_id""",
    ]
