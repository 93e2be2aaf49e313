"""Per-period totals, categories, requirements and verdicts, then the multi-period checks, as SQL.

One wide row per person and period (`total`, one column per category, one per item a requirement
names) feeds every measure; a check's window sums those rows (categories and totals are sums, so
the window's are the sums of its periods'). Requirement states come from one view per level
(`requirements`, `check_requirements`) with `required`, `actual`, `met` and `shortfall`: the place to
add a state or a deadline when the engine grows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.audit.sql.dialect import Dialect
from generator.audit.sql.entries import in_list, lit, role_condition, start_year
from generator.audit.sql.scope import Scope
from generator.base.dates import parse_date
from generator.policy.model import Check, Policy, Requirement


def columns(policy: Policy) -> tuple[dict[str, str], dict[str, str]]:
    """Column names of the wide per-period row: categories c0…, and i0… for the items a requirement measures
    (ids may be any text; other items are in the total and their categories only)."""
    measured = {i for r in (*policy.requirements, *(q for c in policy.checks for q in c.requirements))
                if r.measure.kind == "items" for i in r.measure.ids}
    return ({c.id: f"c{n}" for n, c in enumerate(policy.categories)},
            {i.id: f"i{n}" for n, i in enumerate(policy.items) if i.id in measured})


def periods_view(as_of: str, credits: str) -> str:
    """Output periods: every period with an entry, plus the as-of date's period."""
    return f"""SELECT DISTINCT person_id, py FROM {credits}
UNION
SELECT person_id, as_year AS py FROM {as_of} WHERE as_of IS NOT NULL"""


def wide_view(policy: Policy, d: Dialect, periods: str, credits: str) -> str:
    cats, items = columns(policy)
    zero = d.integer("0")
    cols = [f"COALESCE(SUM(k.credited), {zero}) AS total"]
    for cat in policy.categories:
        members = [i.id for i in policy.items if cat.id in policy.category_ancestors(i.category)]
        cols.append(f"COALESCE(SUM(CASE WHEN {in_list('k.item', members)} THEN k.credited END), {zero}) AS {cats[cat.id]}")
    for item in policy.items:
        if item.id in items:
            cols.append(f"COALESCE(SUM(CASE WHEN k.item = {lit(item.id)} THEN k.credited END), {zero}) AS {items[item.id]}")
    return f"""SELECT p.person_id, p.py, {', '.join(cols)}
FROM {periods} p LEFT JOIN {credits} k ON k.person_id = p.person_id AND k.py = p.py
GROUP BY p.person_id, p.py"""


def measure(policy: Policy, req: Requirement, d: Dialect, table: str = "w") -> str:
    cats, items = columns(policy)
    m = req.measure
    if m.kind == "total":
        return f"{table}.total"
    if m.kind == "category":
        return f"{table}.{cats[m.ids[0]]}" if m.ids[0] in cats else d.integer("0")
    parts = [f"{table}.{items[i]}" for i in m.ids if i in items]
    return "(" + " + ".join(parts) + ")" if parts else d.integer("0")


def _state(required: str, actual: str, zero: str) -> str:
    return (f"{required} AS required, {actual} AS actual, {actual} >= {required} AS met, "
            f"GREATEST({required} - {actual}, {zero}) AS shortfall")


def values_table(rows: list[tuple], names: str) -> str:
    """An inline table: (VALUES (0, 'a'), …) AS names (both dialects)."""
    body = ", ".join("(" + ", ".join(lit(v) if isinstance(v, str) else str(v) for v in row) + ")" for row in rows)
    return f"(VALUES {body}) AS {names}"


def case(key: str, branches: Sequence[tuple[object, str]], default: str = "NULL") -> str:
    """CASE key WHEN k THEN expr … END, or the one expression when every branch is the same."""
    exprs = {e for _, e in branches}
    if len(exprs) == 1 and default == "NULL":
        return exprs.pop()
    whens = " ".join(f"WHEN {lit(k) if isinstance(k, str) else k} THEN {e}" for k, e in branches)
    return f"CASE {key} {whens} ELSE {default} END"


def requirements_view(policy: Policy, d: Dialect, wide: str, roles: str, role_cols: dict[str, str], scope: Scope) -> str:
    """One row per person, period and applicable requirement (the wide rows read once, crossed with the
    edition's requirements). The one place a requirement's state is decided: `met` and `shortfall`
    (and, when the engine grows them, states and deadlines) are added here and nowhere else."""
    zero = d.integer("0")
    if not policy.requirements:
        return (f"SELECT person_id, py, 0 AS position, '' AS requirement, {zero} AS required, {zero} AS actual, "
                f"TRUE AS met, {zero} AS shortfall FROM {wide} WHERE FALSE")
    required, actual, applies = [], [], []
    for n, req in enumerate(policy.requirements):
        scope.owner = f"{req.name}（{req.id}）"
        required.append((n, scope.units(req.minimum)))
        actual.append((n, measure(policy, req, d)))
        applies.append((n, role_condition(req.roles, role_cols)))
    table = values_table([(n, r.id) for n, r in enumerate(policy.requirements)], "q(position, requirement)")
    return f"""SELECT person_id, py, position, requirement, {_state('required', 'actual', zero)}
FROM (
SELECT w.person_id, w.py, q.position, q.requirement, {case('q.position', required)} AS required,
  {case('q.position', actual)} AS actual
FROM {wide} w LEFT JOIN {roles} r ON r.person_id = w.person_id CROSS JOIN {table}
WHERE {case('q.position', applies)}
) x"""


def verdicts_view(periods: str, requirements: str) -> str:
    """Passed when at least one requirement applied and all are met (engine._verdict)."""
    return f"""SELECT p.person_id, p.py,
  COALESCE(COUNT(q.requirement) > 0 AND MIN(CASE WHEN q.met THEN 1 ELSE 0 END) = 1, FALSE) AS passed
FROM {periods} p LEFT JOIN {requirements} q ON q.person_id = p.person_id AND q.py = p.py
GROUP BY p.person_id, p.py"""


def _offsets(count: int) -> str:
    return "(VALUES " + ", ".join(f"({i})" for i in range(max(count, 1))) + ") AS o(i)"


def _window_size(check: Check) -> int:
    return check.window.count if check.window.kind == "last_periods" else check.window.max_periods


def check_heads_view(policy: Policy, d: Dialect, as_of: str, roles: str, role_cols: dict[str, str],
                     person_dates: str) -> str:
    """One row per person and applicable check: the window's first and last start year, whether the
    title date is missing, and the as-of period when its credits so far are added (title cycles).
    Everyone's as-of row is read once, crossed with the edition's checks."""
    if not policy.checks:
        return ("SELECT person_id, 0 AS position, '' AS check_id, FALSE AS missing, CAST(NULL AS INT) AS first_year, "
                f"CAST(NULL AS INT) AS last_year, CAST(NULL AS INT) AS extra_year FROM {as_of} WHERE FALSE")
    null = "CAST(NULL AS INT)"
    missing, first, last, extra, applies, dates = [], [], [], [], [], []
    for n, check in enumerate(policy.checks):
        w = check.window
        applies.append((n, role_condition(check.roles, role_cols)))
        if w.kind == "all":
            missing.append((n, "FALSE"))
            first.append((n, null))
            last.append((n, null))
            extra.append((n, null))
        elif w.kind == "last_periods":
            end = "a.as_year" if w.end == "current" else "(a.as_year - 1)"
            missing.append((n, "FALSE"))
            first.append((n, f"{end} - {w.count - 1}"))
            last.append((n, end))
            extra.append((n, null))
        else:  # title_cycle
            cm, cd = (int(x) for x in w.cutoff.split("-"))
            after = f"(month(a.as_of) > {cm} OR (month(a.as_of) = {cm} AND day(a.as_of) > {cd}))"
            end = f"CASE WHEN {after} THEN a.as_year ELSE a.as_year - 1 END"
            gone = "(t.date IS NULL OR a.as_of IS NULL)"
            dates.append((n, lit(w.date)))
            missing.append((n, gone))
            first.append((n, f"CASE WHEN NOT {gone} THEN "
                             f"GREATEST({start_year(policy, 't.date')}, {end} - {w.max_periods - 1}) END"))
            last.append((n, f"CASE WHEN NOT {gone} THEN {end} END"))
            extra.append((n, f"CASE WHEN NOT {gone} AND NOT {after} THEN a.as_year END"
                             if w.count_current_before_as_of else null))
    table = values_table([(n, c.id) for n, c in enumerate(policy.checks)], "k(position, check_id)")
    joins = ""
    if dates:  # one date per person and name (when two sources disagree: the later date, as audit show)
        joins = (f"\nLEFT JOIN (SELECT person_id, name, MAX(date) AS date FROM {person_dates} GROUP BY person_id, name) t "
                 f"ON t.person_id = a.person_id AND t.name = {case('k.position', dates)}")
    return f"""SELECT a.person_id, k.position, k.check_id, {case('k.position', missing)} AS missing,
  {case('k.position', first)} AS first_year, {case('k.position', last)} AS last_year,
  {case('k.position', extra)} AS extra_year
FROM {as_of} a LEFT JOIN {roles} r ON r.person_id = a.person_id CROSS JOIN {table}{joins}
WHERE {case('k.position', applies)}"""


def check_windows_view(policy: Policy, heads: str, periods: str) -> str:
    """The periods (start years) each check sums over; unrepresentable years are left out."""
    parts = []
    everything = [n for n, c in enumerate(policy.checks) if c.window.kind == "all"]
    windowed = [(n, c) for n, c in enumerate(policy.checks) if c.window.kind != "all"]
    if everything:
        parts.append(f"""SELECT h.person_id, h.check_id, p.py FROM {heads} h JOIN {periods} p ON p.person_id = h.person_id
WHERE h.position IN ({', '.join(str(n) for n in everything)})""")
    if windowed:
        size = case("h.position", [(n, str(_window_size(c))) for n, c in windowed], "0")
        parts.append(f"""SELECT h.person_id, h.check_id, h.last_year - o.i AS py
FROM {heads} h CROSS JOIN {_offsets(max(_window_size(c) for _, c in windowed))}
WHERE h.position IN ({', '.join(str(n) for n, _ in windowed)}) AND o.i < {size}
  AND h.last_year - o.i >= h.first_year AND h.last_year - o.i BETWEEN 1 AND 9998""")
    if not parts:
        return f"SELECT person_id, check_id, CAST(NULL AS INT) AS py FROM {heads} WHERE FALSE"
    return "\nUNION ALL\n".join(parts)


def check_sums_view(policy: Policy, d: Dialect, heads: str, windows: str, wide: str, between: list[tuple[int, int]]) -> str:
    """Per person and check: the window's summed wide row (plus the as-of period's when added) and how
    many window periods it has, in all and within each `periods_between` range."""
    cats, items = columns(policy)
    names = ["total", *cats.values(), *items.values()]
    zero = d.integer("0")
    sums = ", ".join(f"COALESCE(SUM(w.{c}), {zero}) AS {c}" for c in names)
    counts = ", ".join(f"SUM(CASE WHEN s.py BETWEEN {a} AND {b} THEN 1 ELSE 0 END) AS n_between_{k}"
                       for k, (a, b) in enumerate(between))
    win = f"""SELECT s.person_id, s.check_id, COUNT(*) AS n_periods{', ' + counts if counts else ''}, {sums}
FROM {windows} s LEFT JOIN {wide} w ON w.person_id = s.person_id AND w.py = s.py
GROUP BY s.person_id, s.check_id"""
    added = ", ".join(f"COALESCE(g.{c}, {zero}) + COALESCE(x.{c}, {zero}) AS {c}" for c in names)
    between_cols = "".join(f", COALESCE(g.n_between_{k}, 0) AS n_between_{k}" for k in range(len(between)))
    return f"""SELECT h.person_id, h.position, h.check_id, h.missing, h.extra_year,
  COALESCE(g.n_periods, 0) AS n_periods{between_cols},
  {added}
FROM {heads} h
LEFT JOIN ({win}) g ON g.person_id = h.person_id AND g.check_id = h.check_id
LEFT JOIN {wide} x ON x.person_id = h.person_id AND x.py = h.extra_year"""


def between_ranges(policy: Policy) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for check in policy.checks:
        for req in check.requirements:
            if req.min is None and req.periods_between and req.periods_between not in out:
                out.append(req.periods_between)
    return out


def check_requirements_view(policy: Policy, d: Dialect, sums: str, scope: Scope) -> str:
    """One row per person, check and check requirement (each check's summed row read once, crossed with
    its requirements): the check-level twin of `requirements`, the one place their state is decided."""
    zero = d.integer("0")
    between = between_ranges(policy)
    rows: list[tuple] = []
    required: list[tuple[int, str]] = []
    actual: list[tuple[int, str]] = []
    for check in policy.checks:
        for n, req in enumerate(check.requirements):
            k = len(rows)
            rows.append((k, check.id, n, req.id))
            scope.owner = f"{check.name} {req.name}（{check.id}:{req.id}）"
            if req.min is not None:
                required.append((k, scope.units(req.min)))
            else:
                assert req.min_per_period is not None
                count = f"s.n_between_{between.index(req.periods_between)}" if req.periods_between else "s.n_periods"
                required.append((k, f"({scope.units(req.min_per_period)} * {count})"))
            actual.append((k, measure(policy, req, d, "s")))
    if not rows:
        return (f"SELECT person_id, check_id, 0 AS position, '' AS requirement, {zero} AS required, {zero} AS actual, "
                f"TRUE AS met, {zero} AS shortfall FROM {sums} WHERE FALSE")
    table = values_table(rows, "q(k, check_id, position, requirement)")
    return f"""SELECT person_id, check_id, position, requirement, {_state('required', 'actual', zero)}
FROM (
SELECT s.person_id, s.check_id, q.position, q.requirement, {case('q.k', required)} AS required,
  {case('q.k', actual)} AS actual
FROM {sums} s JOIN {table} ON q.check_id = s.check_id
) x"""


def checks_view(sums: str, requirements: str) -> str:
    """A check is met when its window has periods, its title date is known, and every requirement is met."""
    return f"""SELECT s.person_id, s.position, s.check_id, s.missing, s.n_periods, s.extra_year,
  (s.n_periods > 0 AND NOT s.missing AND COALESCE(MIN(CASE WHEN q.met THEN 1 ELSE 0 END), 1) = 1) AS met
FROM {sums} s LEFT JOIN {requirements} q ON q.person_id = s.person_id AND q.check_id = s.check_id
GROUP BY s.person_id, s.position, s.check_id, s.missing, s.n_periods, s.extra_year"""


def requirement_states_view(policy: Policy, d: Dialect, requirements: str, check_requirements: str, as_of: str,
                            people: str) -> str:
    """Every requirement that applies to a person at their as-of date — the as-of period's and each check's —
    with its state and deadline, in one place (what `jxjy audit run` keeps and the reports read).

    The deadline is the person's school's slot in the notice's schedule (Shuangliu: 附件2, each school's
    登记审证 date) when the school is listed there, else the last day of the as-of period. A requirement
    state richer than met/not met, or deadlines of their own, belong here."""
    sm, sd = policy.period.start_month, policy.period.start_day
    slots = [(row.organization, row.date) for s in policy.schedules for row in s.rows if parse_date(row.date)]
    school = ""
    deadline = d.day_before(f"make_date(a.as_year + 1, {sm}, {sd})")
    if slots:
        table = values_table(slots, "sd(school, day)")
        school = (f"\nLEFT JOIN (SELECT p.person_id, MIN(CAST(sd.day AS DATE)) AS day FROM {people} p JOIN {table} "
                  "ON sd.school = p.school GROUP BY p.person_id) slot ON slot.person_id = q.person_id")
        deadline = f"COALESCE(slot.day, {deadline})"
    return f"""SELECT q.person_id, 'period' AS kind, q.period AS scope, q.position, q.requirement,
  q.required, q.actual, q.met, q.shortfall, {deadline} AS deadline
FROM {requirements} q JOIN {as_of} a ON a.person_id = q.person_id AND a.as_year = q.py{school}
UNION ALL
SELECT q.person_id, 'check' AS kind, q.check_id AS scope, 1000 * (c.position + 1) + q.position AS position, q.requirement,
  q.required, q.actual, q.met, q.shortfall, {deadline} AS deadline
FROM {check_requirements} q JOIN {as_of} a ON a.person_id = q.person_id
JOIN (SELECT DISTINCT check_id, position FROM {values_table([(n, c.id) for n, c in enumerate(policy.checks)] or [(0, '')],
                                                           'k(position, check_id)')}) c ON c.check_id = q.check_id{school}"""


def check_of(policy: Policy, check_id: str) -> Check:
    return next(c for c in policy.checks if c.id == check_id)
