"""Per-entry SQL: the reference engine's entry check (engine.check_entry) and period assignment, as views.

Every condition here mirrors one line of check_entry, in its order, and yields the same field
names; each failing condition adds a `field:code` token to the entry's `errors` text (joined by
`;`), so a person's errors are the engine's (entry, field) pairs. An amount the database could not
hold exactly (`inexact`, set at import) is refused on top, as `field:inexact`, when the item takes it.
"""

from __future__ import annotations

from generator.audit.sql.dialect import Dialect
from generator.policy.model import Policy
from generator.rules.inputs import ALL_INPUT_FIELDS, AMOUNT_FIELDS, input_fields

WANTED_ORDER = ("hours", "count", "half_days", "days", "years", "level", "passed", "failed", "credits")


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def in_list(expr: str, values: list[str] | tuple[str, ...]) -> str:
    return f"{expr} IN ({', '.join(lit(v) for v in values)})" if values else "FALSE"


def start_year(policy: Policy, day: str) -> str:
    """The year the period containing the date `day` starts in (arithmetic, as engine._start_year)."""
    sm, sd = policy.period.start_month, policy.period.start_day
    if (sm, sd) == (1, 1):
        return f"year({day})"
    return f"(year({day}) - CASE WHEN month({day}) < {sm} OR (month({day}) = {sm} AND day({day}) < {sd}) THEN 1 ELSE 0 END)"


def period_id(policy: Policy, year: str) -> str:
    if policy.period.kind == "calendar_year":
        return f"CAST({year} AS STRING)"
    return f"(CAST({year} AS STRING) || '-' || CAST({year} + 1 AS STRING))"


def start_year_of(policy: Policy, iso: str) -> int:
    y, m, d = (int(x) for x in iso.split("-"))
    return y - 1 if (m, d) < (policy.period.start_month, policy.period.start_day) else y


def present(name: str) -> str:
    """An entry field given at all (a value, or one that was not a number/level/period, or one not exact)."""
    return f"(c.{name} IS NOT NULL OR c.bad LIKE '%,{name},%' OR c.inexact LIKE '%,{name},%')"


def role_condition(roles: tuple[str, ...], role_columns: dict[str, str], table: str = "r") -> str:
    """Whether the person holds one of `roles` (TRUE when the list is empty: for everyone)."""
    if not roles:
        return "TRUE"
    return "(" + " OR ".join(f"COALESCE({table}.{role_columns[r]}, FALSE)" for r in roles) + ")"


def entry_checks_view(policy: Policy, d: Dialect, tables: dict[str, str], role_columns: dict[str, str]) -> str:
    """One row per entry: its own period, its errors as the engine would list them, and its exact amounts."""
    items = policy.items
    ids = tuple(i.id for i in items)
    first, last = policy.period.first, policy.period.last
    sy = start_year(policy, "e.date")
    date_err = ["e.date IS NULL", f"{sy} < 1", f"{sy} > 9998"]
    if first:
        date_err.append(f"e.date < DATE '{first}'")
    if last:
        date_err.append(f"e.date > DATE '{last}'")
    # engine.declared_span: the first four characters (or fewer, when that is all) are digits
    cf_year = (f"CASE WHEN {d.matches('e.counts_for', '^([0-9]{4}|[0-9]{1,3}$)')} "
               "THEN CAST(substr(e.counts_for, 1, 4) AS INT) END")
    tokens: list[str] = [
        "CASE WHEN c.rec_bad THEN ':record' END",
        "CASE WHEN NOT c.rec_bad AND NOT c.item_ok THEN 'item:unknown_item' END",
        "CASE WHEN NOT c.rec_bad AND c.date_err THEN 'date:' || CASE WHEN c.date IS NULL AND c.bad LIKE '%,date,%' "
        "THEN 'bad_date' WHEN c.date IS NULL THEN 'missing_date' ELSE 'date_range' END END",
    ]
    makeup = policy.period.makeup
    earlier_bad = "TRUE" if makeup is None else "(c.cf_year < c.sy_first OR c.cf_year > c.sy_last)"
    tokens.append(
        "CASE WHEN NOT c.rec_bad AND c.item_ok AND NOT c.date_err AND c.cf_present AND ("
        f"NOT COALESCE(c.cf_year BETWEEN 1 AND 9998 AND c.counts_for = {period_id(policy, 'c.cf_year')}, FALSE) "
        f"OR c.cf_year > c.own_year OR (c.cf_year < c.own_year AND {earlier_bad})) THEN 'counts_for:counts_for' END")
    restricted = [i for i in items if i.roles]
    if restricted:
        cases = " ".join(f"WHEN {lit(i.id)} THEN NOT {role_condition(i.roles, role_columns, 'c')}" for i in restricted)
        tokens.append(f"CASE WHEN NOT c.rec_bad AND (CASE c.item {cases} ELSE FALSE END) THEN 'item:role' END")
    for name in ALL_INPUT_FIELDS:  # given but not taken by the item
        takers = [i.id for i in items if name in input_fields(i.input)]
        tokens.append(f"CASE WHEN NOT c.rec_bad AND c.item_ok AND NOT {in_list('c.item', takers)} AND "
                      f"{present(name)} THEN '{name}:not_taken' END")
    for name in WANTED_ORDER:  # taken but missing or not a number / not a level of the item
        takers = [i for i in items if name in input_fields(i.input)]
        if not takers:
            continue
        subjects = [i.id for i in takers if i.input == "subjects"]
        others = [i.id for i in takers if i.input != "subjects"]
        gone = f"(c.{name} IS NULL AND NOT {present(name)})"
        if name == "level":
            level_ok = " ".join(f"WHEN {lit(i.id)} THEN {in_list('c.level', i.level_ids)}" for i in takers)
            tokens.append(f"CASE WHEN NOT c.rec_bad AND {in_list('c.item', others)} THEN CASE WHEN {gone} "
                          f"THEN 'level:missing' WHEN NOT COALESCE(CASE c.item {level_ok} END, FALSE) THEN 'level:level' END END")
            continue
        bad = f"c.bad LIKE '%,{name},%'"
        parts = []
        if others:
            parts.append(f"WHEN {in_list('c.item', others)} AND {gone} THEN '{name}:missing' "
                         f"WHEN {in_list('c.item', others)} AND {bad} THEN '{name}:not_a_number'")
        if subjects:
            parts.append(f"WHEN {in_list('c.item', subjects)} AND {bad} THEN '{name}:not_a_number'")
        tokens.append(f"CASE WHEN NOT c.rec_bad THEN CASE {' '.join(parts)} END END")
    subject_items = [i.id for i in items if i.input == "subjects"]
    if subject_items:
        tokens.append(f"CASE WHEN NOT c.rec_bad AND {in_list('c.item', subject_items)} AND c.passed IS NULL AND "
                      f"NOT {present('passed')} AND c.failed IS NULL AND NOT {present('failed')} "
                      "THEN 'passed:no_subjects' END")
    inexact = []
    for name in AMOUNT_FIELDS:
        takers = [i.id for i in items if name in input_fields(i.input)]
        if takers:
            inexact.append(f"CASE WHEN {in_list('c.item', takers)} AND c.inexact LIKE '%,{name},%' THEN '{name}:inexact' END")
    amounts = ",\n  ".join(
        f"CASE WHEN e.{f} IS NULL THEN {d.integer('0')} ELSE {d.integer(f'FLOOR(e.{f})')} * {d.integer('1000000000000')}"
        f" + {d.integer(f'(e.{f} - FLOOR(e.{f})) * 1000000000000')} END AS u_{f}" for f in AMOUNT_FIELDS)
    sy_first = start_year_of(policy, first) if first else -1
    sy_last = start_year_of(policy, last) if last else 99999
    flags = "".join(f", r.{col}" for col in role_columns.values())
    return f"""WITH c AS (
SELECT e.person_id, e.entry_no, e.item, e.date, e.level, e.course_key, e.exam_passed, e.counts_for{flags},
  COALESCE(e.bad, '') AS bad, COALESCE(e.inexact, '') AS inexact,
  {', '.join('e.' + f for f in AMOUNT_FIELDS)},
  COALESCE(e.bad, '') LIKE '%,*,%' AS rec_bad,
  COALESCE({in_list('e.item', ids)}, FALSE) AS item_ok,
  ({' OR '.join(date_err)}) AS date_err,
  {sy} AS own_year,
  {cf_year} AS cf_year,
  (e.counts_for IS NOT NULL OR COALESCE(e.bad, '') LIKE '%,counts_for,%') AS cf_present,
  {sy_first} AS sy_first, {sy_last} AS sy_last,
  {amounts}
FROM {tables['entries']} e
LEFT JOIN {tables['roles_view']} r ON r.person_id = e.person_id
)
SELECT c.person_id, c.entry_no, c.item, c.date, c.level, c.course_key, c.exam_passed, c.own_year, c.cf_year,
  COALESCE(c.cf_year BETWEEN 1 AND 9998 AND c.counts_for = {period_id(policy, 'c.cf_year')}, FALSE) AS cf_is_period,
  concat_ws(';', {', '.join(tokens)}) AS errors,
  concat_ws(';', {', '.join(inexact) or "NULL"}) AS refused_inexact,
  {', '.join('c.u_' + f for f in AMOUNT_FIELDS)}
FROM c"""
