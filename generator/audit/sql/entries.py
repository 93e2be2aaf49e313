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
    return f"(c.{name} IS NOT NULL OR (c.flagged AND (c.bad LIKE '%,{name},%' OR c.inexact LIKE '%,{name},%')))"


def role_condition(roles: tuple[str, ...], role_columns: dict[str, str], table: str = "r") -> str:
    """Whether the person holds one of `roles` (TRUE when the list is empty: for everyone)."""
    if not roles:
        return "TRUE"
    return "(" + " OR ".join(f"COALESCE({table}.{role_columns[r]}, FALSE)" for r in roles) + ")"


def entry_checks_view(policy: Policy, d: Dialect, tables: dict[str, str], role_columns: dict[str, str]) -> str:
    """One row per entry: its own period, its errors as the engine would list them, and its exact amounts."""
    items = policy.items
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
    restricted = [(n, i) for n, i in enumerate(items) if i.roles]
    if restricted:
        cases = " ".join(f"WHEN {n} THEN NOT {role_condition(i.roles, role_columns, 'c')}" for n, i in restricted)
        tokens.append(f"CASE WHEN NOT c.rec_bad AND (CASE c.item_no {cases} ELSE FALSE END) THEN 'item:role' END")
    taken = {name for i in items for name in input_fields(i.input)}
    for name in ALL_INPUT_FIELDS:  # given but not taken by the item
        takes = f"c.t_{name}" if name in taken else "FALSE"
        tokens.append(f"CASE WHEN NOT c.rec_bad AND c.item_ok AND NOT {takes} AND {present(name)} THEN '{name}:not_taken' END")
    for name in WANTED_ORDER:  # taken but missing or not a number / not a level of the item
        if name not in taken:
            continue
        gone = f"(c.{name} IS NULL AND NOT {present(name)})"
        if name == "level":
            tokens.append(f"CASE WHEN NOT c.rec_bad AND c.t_level THEN CASE WHEN {gone} THEN 'level:missing' "
                          "WHEN NOT c.level_ok THEN 'level:level' END END")
            continue
        bad = f"(c.flagged AND c.bad LIKE '%,{name},%')"
        tokens.append(f"CASE WHEN NOT c.rec_bad AND c.t_{name} THEN CASE WHEN NOT c.subjects AND {gone} THEN '{name}:missing' "
                      f"WHEN {bad} THEN '{name}:not_a_number' END END")
    if any(i.input == "subjects" for i in items):
        tokens.append(f"CASE WHEN NOT c.rec_bad AND c.subjects AND c.passed IS NULL AND "
                      f"NOT {present('passed')} AND c.failed IS NULL AND NOT {present('failed')} "
                      "THEN 'passed:no_subjects' END")
    # a course that is not text, whatever the item (engine.check_entry's last check)
    tokens.append("CASE WHEN NOT c.rec_bad AND c.item_ok AND c.flagged AND c.bad LIKE '%,course,%' "
                  "THEN 'course:course_not_text' END")
    inexact = [f"CASE WHEN c.flagged AND c.t_{name} AND c.inexact LIKE '%,{name},%' THEN '{name}:inexact' END"
               for name in AMOUNT_FIELDS if name in taken]
    # what each item takes, looked up once per entry (an inline table joined on the item id)
    flag_names = [f for f in ALL_INPUT_FIELDS if f in taken]
    item_rows = ", ".join(
        "(" + ", ".join([lit(i.id), str(n), "TRUE" if i.input == "subjects" else "FALSE",
                         *("TRUE" if f in input_fields(i.input) else "FALSE" for f in flag_names)]) + ")"
        for n, i in enumerate(items))
    item_table = f"(VALUES {item_rows}) AS it(item, item_no, subjects{''.join(', t_' + f for f in flag_names)})"
    level_pairs = [(i.id, lv) for i in items if i.input == "level" for lv in i.level_ids]
    level_join = ""
    level_ok = "FALSE"
    if level_pairs:
        level_join = (f"\nLEFT JOIN (VALUES {', '.join(f'({lit(a)}, {lit(b)})' for a, b in level_pairs)}) AS lv(item, level) "
                      "ON lv.item = e.item AND lv.level = e.level")
        level_ok = "lv.item IS NOT NULL"
    item_cols = "".join(f", COALESCE(it.t_{f}, FALSE) AS t_{f}" for f in flag_names)
    amounts = ",\n  ".join(f"CASE WHEN e.{f} IS NULL THEN {d.integer('0')} ELSE {d.micro_units(f'e.{f}')} END AS u_{f}"
                            for f in AMOUNT_FIELDS)
    sy_first = start_year_of(policy, first) if first else -1
    sy_last = start_year_of(policy, last) if last else 99999
    needed = {role_columns[r] for _, i in restricted for r in i.roles}
    flags = "".join(f", r.{col}" for col in role_columns.values() if col in needed)
    roles_join = f"\nLEFT JOIN {tables['roles_view']} r ON r.person_id = e.person_id" if needed else ""
    return f"""WITH c AS (
SELECT e.person_id, e.import_id, e.entry_no, e.source_file, e.source_row, e.item, e.date, e.level, e.course_key,
  e.exam_passed, e.counts_for{flags},
  COALESCE(e.bad, '') AS bad, COALESCE(e.inexact, '') AS inexact, (e.bad IS NOT NULL OR e.inexact IS NOT NULL) AS flagged,
  {', '.join('e.' + f for f in AMOUNT_FIELDS)},
  (e.bad IS NOT NULL AND e.bad LIKE '%,*,%') AS rec_bad,
  it.item_no IS NOT NULL AS item_ok, it.item_no, COALESCE(it.subjects, FALSE) AS subjects{item_cols}, {level_ok} AS level_ok,
  ({' OR '.join(date_err)}) AS date_err,
  {sy} AS own_year,
  {cf_year} AS cf_year,
  (e.counts_for IS NOT NULL OR (e.bad IS NOT NULL AND e.bad LIKE '%,counts_for,%')) AS cf_present,
  {sy_first} AS sy_first, {sy_last} AS sy_last,
  {amounts}
FROM {tables['entries']} e{roles_join}
LEFT JOIN {item_table} ON it.item = e.item{level_join}
)
SELECT c.person_id, c.import_id, c.entry_no, c.source_file, c.source_row, c.item, c.item_no, c.date, c.level, c.course_key,
  c.exam_passed, c.own_year, c.cf_year,
  COALESCE(c.cf_year BETWEEN 1 AND 9998 AND c.counts_for = {period_id(policy, 'c.cf_year')}, FALSE) AS cf_is_period,
  concat_ws(';', {', '.join(tokens)}) AS errors,
  concat_ws(';', {', '.join(inexact) or "NULL"}) AS refused_inexact,
  {', '.join('c.u_' + f for f in AMOUNT_FIELDS)}
FROM c"""
