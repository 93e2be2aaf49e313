"""Per-period SQL: which entries count, each item's credit (the registry's own SQL), then the item and
shared caps — each step the closed form of the reference engine's loop (engine.evaluate, steps 6.4.1–4
of docs/bundle-spec.md).

A cumulative cap (per cycle or ever) lets through, in period i, min(M, S_i) − min(M, S_{i−1}), where
S is the running sum of what reaches it: the engine's `running` counter is exactly min(M, S). A shared
cap's excess is taken from its members last-listed first: a member loses min(its credit,
max(excess − the credit of the members listed after it, 0)).
"""

from __future__ import annotations

import datetime as dt

from generator.audit.sql.dialect import Dialect
from generator.audit.sql.entries import in_list, lit, start_year, start_year_of
from generator.audit.sql.scope import Scope
from generator.policy.model import Policy


def as_of_view(policy: Policy, d: Dialect, checks: str, as_of: str, fixed: dt.date | None = None) -> str:
    """Each person's as-of date: the one given (when its period is representable), else their latest valid entry.
    `fixed`: one date for everyone (jxjy audit run --as-of), so no entry is read here."""
    if fixed is not None and 1 <= start_year_of(policy, fixed.isoformat()) <= 9998:
        day = f"DATE '{fixed.isoformat()}'"
        year = _in_window(policy, str(start_year_of(policy, fixed.isoformat())))
        return f"SELECT p.person_id, {day} AS as_of, {year} AS as_year FROM people_ids p"
    sy = start_year(policy, "g.as_of")
    return f"""SELECT p.person_id, a.as_of, {_in_window(policy, start_year(policy, 'a.as_of'))} AS as_year
FROM people_ids p
LEFT JOIN (
  SELECT p.person_id, COALESCE(CASE WHEN {sy} BETWEEN 1 AND 9998 THEN g.as_of END, m.latest) AS as_of
  FROM people_ids p
  LEFT JOIN ({as_of}) g ON g.person_id = p.person_id
  LEFT JOIN (SELECT person_id, MAX(date) AS latest FROM {checks} WHERE errors = '' GROUP BY person_id) m
    ON m.person_id = p.person_id
) a ON a.person_id = p.person_id"""


def _in_window(policy: Policy, year: str) -> str:
    """The as-of period's start year moved into the edition's window: a period the edition does not govern is never
    the as-of period (engine.evaluate: the period of the window's last or first day instead)."""
    window = policy.in_force
    if window is None:
        return year
    lo, hi = start_year_of(policy, window.start), start_year_of(policy, window.end)
    return f"CASE WHEN {year} IS NULL THEN NULL ELSE LEAST(GREATEST({year}, {lo}), {hi}) END"  # GREATEST skips NULL


def counted_view(policy: Policy, d: Dialect, checks: str, as_of: str, scope: Scope) -> str:
    """Entries that count toward a period (valid, exact, on or before the as-of date) with their period,
    whether they are refused (make-up that counts nowhere), gated, duplicates, and their credit."""
    makeup = policy.period.makeup
    if makeup is None:
        py, refused = "c.own_year", "FALSE"
    else:
        declared = "(c.cf_is_period AND c.cf_year < c.own_year)"
        py = f"CASE WHEN {declared} THEN c.cf_year ELSE c.own_year END"
        refused = "FALSE" if makeup.counts else declared
    gated_items = [i for i in policy.items if i.gate]
    gated = ("CASE c.item_no " + " ".join(f"WHEN {n} THEN NOT COALESCE(c.{i.gate.flag} = TRUE, FALSE)"
                                          for n, i in enumerate(policy.items) if i.gate)
             + " ELSE FALSE END") if gated_items else "FALSE"
    dedupe = [i for i in policy.items if i.dedupe]
    per_period = [i.id for i in dedupe if i.dedupe and i.dedupe.scope == "period"]
    base = f"""SELECT c.*, a.as_of, {py} AS py, {refused} AS refused
FROM {checks} c JOIN {as_of} a ON a.person_id = c.person_id
WHERE c.errors = '' AND c.refused_inexact = '' AND c.date <= a.as_of"""
    flagged = f"""SELECT b.*, (NOT b.refused AND {gated.replace('c.', 'b.')}) AS gated FROM ({base}) b"""
    if dedupe:
        eligible = f"(NOT f.refused AND NOT f.gated AND {in_list('f.item', [i.id for i in dedupe])} AND f.course_key <> '')"
        scope_key = f"CASE WHEN {in_list('f.item', per_period)} THEN f.py ELSE -1 END"
        ranked = f"""SELECT f.*, FALSE AS duplicate FROM ({flagged}) f WHERE NOT {eligible}
UNION ALL
SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.person_id, f.item, f.course_key, {scope_key}
                                ORDER BY f.py, f.date, f.import_id, f.entry_no) > 1 AS duplicate
FROM ({flagged}) f WHERE {eligible}"""
    else:
        ranked = f"SELECT f.*, FALSE AS duplicate FROM ({flagged}) f"
    cases = []
    for n, item in enumerate(policy.items):
        scope.owner = f"{item.name}（{item.id}）"
        cases.append(f"WHEN {n} THEN {item.rule.sql_entry(item, scope)}")
    credit = f"CASE WHEN r.refused OR r.gated OR r.duplicate THEN {d.integer('0')} ELSE CASE r.item_no {' '.join(cases)} END END"
    return f"SELECT r.*, {credit} AS credit FROM ({ranked}) r"


def item_credit_view(policy: Policy, d: Dialect, counted: str, scope: Scope) -> str:
    """Per person, period and present item: raw (the rule over the period's counted entries) and credited."""
    period_rules = []
    for k, item in enumerate(policy.items):
        scope.owner = f"{item.name}（{item.id}）"
        expr = item.rule.sql_period(item, "SUM(credit)", scope)
        if expr != "SUM(credit)":
            period_rules.append(f"WHEN {k} THEN {expr}")
    raw = f"CASE item_no {' '.join(period_rules)} ELSE SUM(credit) END" if period_rules else "SUM(credit)"
    stage = (f"SELECT person_id, py, item, item_no, {raw} AS raw, {raw} AS v FROM {counted} "
             "GROUP BY person_id, py, item, item_no")
    zero = d.integer("0")
    depth = max((len(i.caps) for i in policy.items), default=0)
    for n in range(depth):
        cases = []
        for k, item in enumerate(policy.items):
            if len(item.caps) <= n:
                continue
            cap = item.caps[n]
            scope.owner = f"{item.name}（{item.id}）"
            m = scope.units(cap.max)
            if cap.per == "period":
                cases.append(f"WHEN {k} THEN LEAST(s.v, {m})")
            else:
                upto = ("SUM(s.v) OVER (PARTITION BY s.person_id, s.item ORDER BY s.py "
                        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
                before = ("COALESCE(SUM(s.v) OVER (PARTITION BY s.person_id, s.item ORDER BY s.py "
                          f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), {zero})")
                cases.append(f"WHEN {k} THEN LEAST({m}, {upto}) - LEAST({m}, {before})")
        if cases:
            stage = (f"SELECT s.person_id, s.py, s.item, s.item_no, s.raw, CASE s.item_no {' '.join(cases)} ELSE s.v END AS v "
                     f"FROM ({stage}) s")
    for cap in policy.shared_caps:
        scope.owner = f"{cap.name}（{cap.id}）"
        m = scope.units(cap.max)
        member = in_list("s.item", cap.items)
        pos = "CASE s.item " + " ".join(f"WHEN {lit(i)} THEN {n}" for n, i in enumerate(cap.items)) + " END"
        mine = f"CASE WHEN {member} THEN s.v ELSE {zero} END"
        raw = f"SUM({mine}) OVER (PARTITION BY s.person_id, s.py)"
        if cap.per == "period":
            allowed = m
        else:  # what earlier periods used: min(M, their summed raw), the engine's running counter
            earlier = (f"COALESCE(SUM({mine}) OVER (PARTITION BY s.person_id ORDER BY s.py "
                       f"RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), {zero})")
            allowed = f"({m} - LEAST({m}, {earlier}))"
        after = (f"COALESCE(SUM(s.v) OVER (PARTITION BY s.person_id, s.py, {member} ORDER BY {pos} DESC "
                 f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), {zero})")
        excess = f"GREATEST({raw} - {allowed}, {zero})"
        stage = f"""SELECT s.person_id, s.py, s.item, s.item_no, s.raw,
  CASE WHEN {member} THEN s.v - LEAST(s.v, GREATEST({excess} - {after}, {zero})) ELSE s.v END AS v
FROM ({stage}) s"""
    return f"SELECT person_id, py, item, raw, v AS credited FROM ({stage}) f"
