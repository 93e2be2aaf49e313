"""What the engines say about a ledger they cannot fully count: coded records, not sentences.

An entry error is ``{entry, field, code, params, message}`` and an input error ``{field, code,
params, message}``: ``code`` is a key of the catalog's ``errors`` section, ``params`` are its
placeholders as text, and ``message`` is the sentence rendered from the catalog the bundle carries
(Chinese), so a downstream system can show it as it is or render the code in another language.

Both engines must build byte-identical records, so nothing here leans on how Python happens to
print a value. Two rules are defined once (docs/bundle-spec.md §7) and implemented once per
language (calculator/engine.js: ``display`` and ``suggestion``):

- :func:`display`: a JSON value quoted inside a message (what the person wrote);
- :func:`suggestion`: the did-you-mean for an unknown item id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from generator.base.messages import message
from generator.base.rational import format_rational, parse_json_number

DISPLAY_LIMIT = 60  # code points of a quoted text before it is cut with "…"


def display(value: Any) -> str:
    """A JSON value as a message quotes it: text as itself (cut to 60 code points + "…"), true/false/null
    as those words, a number as its exact decimal (a JSON float read as the decimal its writer meant;
    NaN and the infinities, which json.loads accepts, as JavaScript names them), an array as "[…]" and an
    object as "{…}" — never Python's str(), which the JS engine would have to imitate."""
    if isinstance(value, str):
        return value if len(value) <= DISPLAY_LIMIT else value[:DISPLAY_LIMIT] + "…"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return format_rational(parse_json_number(value))
    if isinstance(value, (Decimal, Fraction)):  # YAML numbers, read exactly (not JSON; Python only)
        return format_rational(Fraction(value))
    if isinstance(value, (list, tuple)):
        return "[…]"
    if isinstance(value, dict):
        return "{…}"
    return display(str(value))  # a date object from YAML, or another non-JSON value (Python only)


def _distance(a: list[str], b: list[str], limit: int) -> int:
    """Levenshtein distance of two code point sequences (insert, delete, replace: 1 each); limit + 1 once
    it is certainly above limit (an answer above the limit is never used)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def suggestion(word: str, candidates: Iterable[str]) -> str | None:
    """The did-you-mean for an unknown id: the candidate (in the order given: the policy's) with the
    smallest Levenshtein distance over code points, accepted when it is at most max(1, ⌊len(word)/3⌋);
    the first wins a tie. Simple enough to specify in a sentence and to implement identically in JS."""
    typed = list(word)
    limit = max(1, len(typed) // 3)
    best: str | None = None
    best_distance = limit + 1
    for candidate in candidates:
        d = _distance(typed, list(candidate), limit)
        if d < best_distance:
            best, best_distance = candidate, d
    return best


def record(field: str, code: str, **params: str) -> dict[str, Any]:
    """An error record: the code, its parameters (text) and the sentence in the catalog's language."""
    return {"field": field, "code": code, "params": params, "message": message(code, **params)}
