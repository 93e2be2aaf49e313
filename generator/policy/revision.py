"""The rules' fingerprint: what a revision number stands for.

A policy edition carries `revision: {number, date, rules_sha256}`; results and bundles carry it, so a
result can be traced to the rules that made it. The fingerprint covers everything that can change a
result — units, periods, cycles, conversions, the edition's window, roles, categories, items (rules,
inputs, caps, gates, de-duplication, levels), shared caps, requirements, checks and the dated
deadlines (timeline and schedules) — and nothing people only read (names, titles, descriptions, help,
citations). The validator refuses an edition whose rules changed while its revision did not;
`scripts/bump_revision.py` writes the next revision.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

RULE_KEYS = ("unit", "period", "cycle", "conversions", "in_force", "roles", "categories", "items", "caps",
             "requirements", "checks", "timeline", "schedules")
# Keys people read, at any depth: changing them changes no number.
PROSE_KEYS = frozenset({"name", "title", "description", "help", "registration", "evidence", "source", "note", "quote",
                        "carry_over_source", "workflow", "auto", "actors", "organization", "group", "offset",
                        "count_unit"})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if str(k) not in PROSE_KEYS and not str(k).startswith("_")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def rules_fingerprint(merged: dict) -> str:
    """sha256 of the rule-relevant part of a merged, validated edition, in a canonical JSON form."""
    rules = {key: _plain(merged[key]) for key in RULE_KEYS if key in merged}
    text = json.dumps(rules, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
