"""Per-person results read back from the compiled views, in the shape of the reference engine's result
(the numbers only: explanations stay with the engine, `jxjy audit show`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from generator.audit.sql.compiler import CompiledEdition
from generator.base.rational import format_rational
from generator.rules.periods import period_starting


def num(value: Decimal | int | None) -> str:
    return format_rational(Fraction(value or 0))


def _req(required, actual, met, shortfall) -> dict:
    return {"required": num(required), "actual": num(actual), "met": bool(met), "shortfall": num(shortfall)}


def read_results(con, compiled: CompiledEdition, where: str = "") -> dict[str, dict]:
    """{person_id: result} for every person (optionally `where` on person_id, e.g. "person_id IN ('a')")."""
    policy, n = compiled.policy, compiled.name
    cond = f" WHERE {where}" if where else ""
    out: dict[str, dict[str, Any]] = {}
    for pid, as_of, incomplete in con.execute(
            f"SELECT person_id, as_of, incomplete FROM {n('people_status')}{cond}").fetchall():
        out[pid] = {"as_of": as_of.isoformat() if as_of else None, "periods": {}, "checks": {}, "errors": [],
                    "refused": [], "incomplete": bool(incomplete)}
    labels: dict[int, str] = {}

    def period(pid: str, py: int) -> dict:
        if py not in labels:
            labels[py] = period_starting(policy.period, py).id
        return out[pid]["periods"].setdefault(labels[py], {"items": {}, "categories": {}, "total": "0", "requirements": {}})

    for pid, py, total in con.execute(f"SELECT person_id, py, total FROM {n('totals')}{cond}").fetchall():
        period(pid, py)["total"] = num(total)
    for pid, py, item, raw, credited in con.execute(
            f"SELECT person_id, py, item, raw, credited FROM {n('item_credits')}{cond}").fetchall():
        period(pid, py)["items"][item] = {"raw": num(raw), "credited": num(credited)}
    for pid, py, cat, credits in con.execute(
            f"SELECT person_id, py, category, credits FROM {n('categories')}{cond} ORDER BY position").fetchall():
        period(pid, py)["categories"][cat] = num(credits)
    for pid, py, req, required, actual, met, short in con.execute(
            f"SELECT person_id, py, requirement, required, actual, met, shortfall FROM {n('requirements')}{cond}").fetchall():
        period(pid, py)["requirements"][req] = _req(required, actual, met, short)
    if policy.period.verdict is not None:
        for pid, py, passed in con.execute(f"SELECT person_id, py, passed FROM {n('verdicts')}{cond}").fetchall():
            period(pid, py)["verdict"] = bool(passed)
    windows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pid, check, py in con.execute(f"SELECT person_id, check_id, py FROM {n('check_periods')}{cond}").fetchall():
        windows[(pid, check)].append(py)
    kinds = {c.id: c.window.kind for c in policy.checks}
    for pid, check, met, extra in con.execute(
            f"SELECT person_id, check_id, met, extra_year FROM {n('checks')}{cond}").fetchall():
        ids = [period_starting(policy.period, y).id for y in sorted(windows[(pid, check)])]
        doc: dict[str, Any] = {"periods": sorted(ids) if kinds[check] == "all" else ids, "met": bool(met), "requirements": {}}
        if extra is not None:
            doc["includes_until"] = {"period": period_starting(policy.period, extra).id, "date": out[pid]["as_of"]}
        out[pid]["checks"][check] = doc
    for pid, check, req, required, actual, met, short in con.execute(
            f"SELECT person_id, check_id, requirement, required, actual, met, shortfall FROM {n('check_requirements')}{cond}"
    ).fetchall():
        out[pid]["checks"][check]["requirements"][req] = _req(required, actual, met, short)
    flagged = f"SELECT person_id, import_id, entry_no, errors, refused_inexact FROM {n('entry_errors')}{cond}"
    rows = con.execute(f"""SELECT f.person_id, x.position, f.errors, f.refused_inexact, x.source_file, x.source_row
FROM ({flagged}) f
JOIN (SELECT person_id, import_id, entry_no, source_file, source_row,
        ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY import_id, entry_no) - 1 AS position
      FROM entries WHERE person_id IN (SELECT person_id FROM ({flagged}) g)) x
  ON x.person_id = f.person_id AND x.import_id = f.import_id AND x.entry_no = f.entry_no
ORDER BY f.person_id, x.position""").fetchall()
    for pid, position, errors, refused, file, row in rows:
        if pid not in out:
            continue
        where_from = {"file": file, "row": row} if file else {}
        out[pid]["errors"] += [{"entry": position, "field": tok.split(":")[0], "code": tok.split(":")[-1], **where_from}
                               for tok in errors.split(";") if tok]
        if not errors:
            out[pid]["refused"] += [{"entry": position, "field": tok.split(":")[0], "code": "inexact", **where_from}
                                    for tok in refused.split(";") if tok]
    return out


def engine_numbers(result: dict) -> dict:
    """The reference engine's result in the shape of :func:`read_results` (for comparing the two)."""
    periods = {}
    for pid, p in result["periods"].items():
        doc: dict[str, Any] = {
            "items": {i: {"raw": v["raw"], "credited": v["credited"]} for i, v in p["items"].items()},
            "categories": dict(p["categories"]), "total": p["total"],
            "requirements": {r: {k: v[k] for k in ("required", "actual", "met", "shortfall")}
                             for r, v in p["requirements"].items()},
        }
        if "verdict" in p:
            doc["verdict"] = p["verdict"]["passed"]
        periods[pid] = doc
    checks = {}
    for cid, c in result["checks"].items():
        doc = {"periods": list(c["periods"]), "met": c["met"],
               "requirements": {r: {k: v[k] for k in ("required", "actual", "met", "shortfall")}
                                for r, v in c["requirements"].items()}}
        if "includes_until" in c:
            doc["includes_until"] = c["includes_until"]
        checks[cid] = doc
    return {"as_of": result["as_of"], "periods": periods, "checks": checks,
            "errors": sorted([e["entry"], e["field"]] for e in result["errors"])}
