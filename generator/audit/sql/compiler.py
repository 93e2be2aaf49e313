"""Compile one policy edition into SQL views over the audit tables (`jxjy sql`, `jxjy audit run`).

The views, in data-flow order (each name takes the edition's prefix, e.g. ``chengdu_teachers_2018__``):

    roles               person_id, one boolean per role the edition names (r0, r1 …)
    entry_checks        every entry: its period (own_year), errors as `field:code;…`, refused_inexact
    as_of               person_id, as_of, as_year (the as-of period's start year)
    counted             entries that count: period (py), refused / gated / duplicate, credit (units)
    item_credits_units  person_id, py, item, raw, credited (units of 1/D)
    periods             the output periods (py)
    period_units        one wide row per person and period: total, c0… (categories), i0… (items)
    requirements_units  person_id, py, requirement, required, actual, met, shortfall (units)
    verdicts            person_id, py, passed
    check_heads / check_windows / check_sums / check_requirements_units / checks_units
and the readable ones, the results (amounts as exact DECIMAL(38, digits)):
    item_credits, categories, totals, requirements, verdicts, checks, check_periods, check_requirements,
    requirement_states, people_status, entry_errors

`jxjy sql` prints them all as views. Materialized (`jxjy audit run`, the Spark job), every step is
computed once — in DuckDB a temporary table (or, for `counted`, which one step reads once, a temporary
view), in Spark a cached view cut from its lineage (examples/spark_audit.py) — and the results are kept:
tables in the DuckDB file. `entry_checks` is a table although it has a row an entry: three steps read it
(counting, entry errors, people's status), and computing it once halved `audit run` on 2 M entries.

Every number is exact: integers counting 1/D (generator/audit/sql/scope.py); each rule's arithmetic
is its registry class's ``sql_entry``/``sql_period`` (generator/rules/types.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from generator.audit.sql import credits, entries, measures
from generator.audit.sql.dialect import DIALECTS, Dialect
from generator.audit.sql.entries import lit
from generator.audit.sql.scope import Scope, choose_digits
from generator.policy.model import Policy

TABLES = {"entries": "entries", "people": "people", "person_roles": "person_roles", "person_dates": "person_dates"}
# The readable results (exact DECIMAL amounts) over the computing steps.
RESULTS = ("item_credits", "categories", "totals", "requirements", "verdicts", "checks", "check_periods",
           "check_requirements", "requirement_states", "people_status", "entry_errors")
# A step over every entry that only the next step reads: left a view when materializing (no copy of the entries).
STREAMED = ("counted",)


@dataclass
class CompiledEdition:
    policy: Policy
    dialect: Dialect
    prefix: str
    digits: int  # credits are DECIMAL(38, digits) in the readable views
    views: list[tuple[str, str]] = field(default_factory=list)  # (name, body) in creation order

    def name(self, view: str) -> str:
        return self.prefix + view

    def kind(self, name: str) -> str:
        """result (readable), stream (a step over every entry) or step."""
        short = name[len(self.prefix):]
        return "result" if short in RESULTS else "stream" if short in STREAMED else "step"

    def statements(self, materialize: bool = False) -> list[str]:
        """Every view in order, or materialized (see the module's docstring). The numbers are the same either way."""
        out = []
        for name, body in self.views:
            out += self.dialect.materialized(name, body, self.kind(name)) if materialize else [self.dialect.view(name, body)]
        return out

    def results(self) -> list[str]:
        """The result views' full names (what the reports and the Spark job read)."""
        return [self.name(r) for r in RESULTS]

    def script(self, materialize: bool = False) -> str:
        """Every statement, each ending ';' and a blank line, after a `-- results:` line naming the results."""
        head = f"-- jxjy sql {self.policy.key} --dialect {self.dialect.name}\n-- results: {' '.join(self.results())}\n\n"
        return head + "".join(s + ";\n\n" for s in self.statements(materialize))


def default_prefix(policy: Policy) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", f"{policy.id}_{policy.edition}").strip("_").lower() + "__"


def role_columns(policy: Policy) -> dict[str, str]:
    """Every role the edition names anywhere, each a boolean column r<n> of the roles view."""
    names: list[str] = []
    for group in ([r.id for r in policy.roles], *[i.roles for i in policy.items], *[r.roles for r in policy.requirements],
                  *[c.roles for c in policy.checks]):
        for role in group:
            if role not in names:
                names.append(role)
    return {role: f"r{n}" for n, role in enumerate(names)}


def _roles_view(d: Dialect, cols: dict[str, str], tables: dict[str, str]) -> str:
    flags = "".join(f",\n  COALESCE(MAX(CASE WHEN r.role = {lit(role)} THEN 1 ELSE 0 END), 0) = 1 AS {col}"
                    for role, col in cols.items())
    return (f"SELECT p.person_id{flags}\nFROM {tables['people']} p "
            f"LEFT JOIN {tables['person_roles']} r ON r.person_id = p.person_id\nGROUP BY p.person_id")


def compile_policy(policy: Policy, dialect: str = "duckdb", prefix: str | None = None,
                   as_of: str = "SELECT person_id, CAST(NULL AS DATE) AS as_of FROM people",
                   tables: dict[str, str] | None = None, as_of_date: dt.date | None = None) -> CompiledEdition:
    """The edition's views. `as_of` is a query giving (person_id, as_of) — NULL: the person's latest entry;
    `as_of_date` one date for everyone instead (what `jxjy audit run --as-of` gives).
    InputError (catalog: diagnostics.audit.sql_not_exact) when a parameter has no finite decimal form."""
    d = DIALECTS[dialect]
    names = {**TABLES, **(tables or {})}
    pre = default_prefix(policy) if prefix is None else prefix
    file = policy.files[-1] if policy.files else policy.key
    recorder = Scope(d)
    _build(policy, d, pre, names, as_of, recorder, as_of_date)
    digits = choose_digits(recorder.needs, file)
    out = CompiledEdition(policy, d, pre, digits)
    out.views = _build(policy, d, pre, names, as_of, Scope(d, digits), as_of_date)
    return out


def _build(policy: Policy, d: Dialect, pre: str, tables: dict[str, str], as_of: str, scope: Scope,
           as_of_date: dt.date | None = None) -> list[tuple[str, str]]:
    v: list[tuple[str, str]] = []

    def add(name: str, body: str) -> str:
        v.append((pre + name, body))
        return pre + name

    cols = role_columns(policy)
    roles = add("roles", _roles_view(d, cols, tables))
    ids = add("people_ids", f"SELECT DISTINCT person_id FROM {tables['people']}")
    checks = add("entry_checks", entries.entry_checks_view(policy, d, {**tables, "roles_view": roles}, cols))
    as_of_body = credits.as_of_view(policy, d, checks, as_of, as_of_date).replace("people_ids", ids)
    a = add("as_of", as_of_body)
    counted = add("counted", credits.counted_view(policy, d, checks, a, scope))
    units = add("item_credits_units", credits.item_credit_view(policy, d, counted, scope))
    periods = add("periods", measures.periods_view(a, units))
    wide = add("period_units", measures.wide_view(policy, d, periods, units))
    reqs = add("requirements_units", measures.requirements_view(policy, d, wide, roles, cols, scope))
    verdicts = add("verdict_steps", measures.verdicts_view(periods, reqs))
    heads = add("check_heads", measures.check_heads_view(policy, d, a, roles, cols, tables["person_dates"]))
    windows = add("check_windows", measures.check_windows_view(policy, heads, periods))
    sums = add("check_sums", measures.check_sums_view(policy, d, heads, windows, wide, measures.between_ranges(policy)))
    creqs = add("check_requirements_units", measures.check_requirements_view(policy, d, sums, scope))
    checks_units = add("checks_units", measures.checks_view(sums, creqs))
    k = scope.digits or 0

    def dec(col: str) -> str:
        return f"{d.decimal(col, k)} AS {col.split('.')[-1]}"

    pid = entries.period_id(policy, "py")
    add("item_credits", f"SELECT person_id, py, {pid} AS period, item, {dec('raw')}, {dec('credited')} FROM {units}")
    cats, _ = measures.columns(policy)
    if policy.categories:
        table = measures.values_table([(n, c.id) for n, c in enumerate(policy.categories)], "c(position, category)")
        credits_of = measures.case("c.position", [(n, cats[c.id]) for n, c in enumerate(policy.categories)])
        add("categories", f"SELECT w.person_id, w.py, {pid.replace('py', 'w.py')} AS period, c.position, c.category, "
                          f"{d.decimal(credits_of, k)} AS credits FROM {wide} w CROSS JOIN {table}")
    else:
        add("categories", f"SELECT person_id, py, {pid} AS period, 0 AS position, '' AS category, "
                          f"{d.decimal('total', k)} AS credits FROM {wide} WHERE FALSE")
    add("verdicts", f"SELECT person_id, py, {pid} AS period, passed FROM {verdicts}")
    add("checks", f"SELECT person_id, position, check_id, missing, n_periods, extra_year, met FROM {checks_units}")
    add("check_periods", f"SELECT person_id, check_id, py, {pid} AS period FROM {windows}")
    add("totals", f"SELECT person_id, py, {pid} AS period, {d.decimal('total', k)} AS total FROM {wide}")
    preqs = add("requirements", f"SELECT person_id, py, {pid} AS period, position, requirement, {dec('required')}, "
                                f"{dec('actual')}, met, {dec('shortfall')} FROM {reqs}")
    creqs_readable = add("check_requirements", f"SELECT person_id, check_id, position, requirement, {dec('required')}, "
                                               f"{dec('actual')}, "
                              f"met, {dec('shortfall')} FROM {creqs}")
    add("requirement_states", measures.requirement_states_view(policy, d, preqs, creqs_readable, a,
                                                               tables["people"]))
    add("entry_errors", f"""SELECT person_id, import_id, entry_no, source_file, source_row, errors, refused_inexact
FROM {checks} WHERE errors <> '' OR refused_inexact <> ''""")
    add("people_status", f"""SELECT a.person_id, a.as_of,
  COALESCE(x.entries, 0) AS entries, COALESCE(x.with_errors, 0) AS entries_with_errors,
  COALESCE(x.inexact, 0) AS entries_not_exact,
  (COALESCE(x.with_errors, 0) + COALESCE(x.inexact, 0)) > 0 AS incomplete
FROM {a} a LEFT JOIN (
  SELECT person_id, COUNT(*) AS entries, SUM(CASE WHEN errors <> '' THEN 1 ELSE 0 END) AS with_errors,
    SUM(CASE WHEN errors = '' AND refused_inexact <> '' THEN 1 ELSE 0 END) AS inexact
  FROM {checks} GROUP BY person_id) x ON x.person_id = a.person_id""")
    return v
