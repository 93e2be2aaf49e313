"""JSON ledgers read as JSON (issue 12, item 7): fast, exact, and positions only when a problem is reported.

Going through the YAML reader refused valid JSON numbers (`1e2`), re-spelt `0.0000001` as `1E-7`, turned
an escaped emoji into lone surrogates and took 50 s and 1.6 GB for 100,000 entries. Here `json.loads`
reads the text with every number as an exact Decimal (never a float) and checked for size; the line and
column of each value are found by a small scanner only when a diagnostic needs one (JsonDoc.locate).
"""

from __future__ import annotations

import bisect
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.base.diagnostics import Diagnostic, json_path
from generator.base.limits import MAX_DEPTH, MAX_EXPONENT, MAX_NUMBER_DIGITS
from generator.policy.source import SourceDoc

_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([{}\[\]:,])|(-?[0-9][0-9.eE+-]*|true|false|null))', re.S)


class NumberTooLarge(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def exact_number(literal: str) -> Decimal:
    """A JSON number's exact value; NumberTooLarge beyond MAX_NUMBER_DIGITS digits or 10^±MAX_EXPONENT."""
    mantissa = re.split("[eE]", literal)[0]
    if sum(ch.isdigit() for ch in mantissa) > MAX_NUMBER_DIGITS:
        raise NumberTooLarge(literal)
    try:
        value = Decimal(literal)
    except InvalidOperation:
        raise NumberTooLarge(literal) from None
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise NumberTooLarge(literal)
    return value


def plain_number(value: Decimal) -> int | str:
    """A Decimal as the ledger keeps it: an int when whole, else its plain decimal text (0.0000001, never 1E-7)."""
    if value == value.to_integral_value():
        return int(value)
    return format(value.normalize(), "f")


class JsonDoc(SourceDoc):
    """A JSON document whose positions are found on first use (a valid ledger never pays for them)."""

    located: bool = False

    def locate(self, path: tuple | list, key: str | None = None) -> tuple[int, int]:
        if not self.located:
            self.located = True
            self.positions, self.key_positions = json_positions(self.text)
        return super().locate(path, key)


def json_positions(text: str) -> tuple[dict[tuple, tuple[int, int]], dict[tuple, tuple[int, int]]]:
    """(line, column) of every value and every key of a JSON text, by path; as far as the text is valid."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    positions: dict[tuple, tuple[int, int]] = {}
    keys: dict[tuple, tuple[int, int]] = {}
    stack: list[list] = []  # [path, kind, next index or pending key, expecting a key?]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        start = m.start(m.lastindex or 1)
        string, punct = m.group(1), m.group(2)
        top = stack[-1] if stack else None
        if punct in ("}", "]"):
            if stack:
                stack.pop()
            continue
        if punct in (":", ","):
            if punct == "," and top is not None and top[1] == "object":
                top[3] = True
            continue
        if top is not None and top[1] == "object" and top[3] and string is not None:
            try:
                name = json.loads(string)
            except ValueError:
                name = string[1:-1]
            keys[top[0] + (name,)] = where(start)
            top[2], top[3] = name, False
            continue
        if top is None:
            path: tuple = ()
        elif top[1] == "array":
            path = top[0] + (top[2],)
            top[2] += 1
        else:
            path = top[0] + (top[2],)
        positions[path] = where(start)
        if punct == "{":
            stack.append([path, "object", None, True])
        elif punct == "[":
            stack.append([path, "array", 0, False])
    return positions, keys


def read_json(text: str, file: str) -> tuple[JsonDoc | None, list[Diagnostic]]:
    """A JSON ledger text as a document with lazily found positions, or the problems that stop it.

    Numbers are exact Decimals (the ledger reader makes them ints or exact decimal strings); duplicate
    keys, lone surrogates (an escaped half of an
    emoji), nesting deeper than MAX_DEPTH and numbers beyond the limits are errors at their place."""
    duplicates: list[tuple[int, str]] = []  # (id of the object, key)

    def pairs(items: list[tuple[str, Any]]) -> dict:
        out = dict(items)
        if len(out) != len(items):
            seen: set[str] = set()
            duplicates.append((id(out), next(k for k, _ in items if k in seen or seen.add(k))))  # type: ignore[func-returns-value]
        return out

    def integer(literal: str) -> int:
        if len(literal) > MAX_NUMBER_DIGITS + 1:
            raise NumberTooLarge(literal)
        return int(literal)

    try:
        data = json.loads(text, parse_float=exact_number, parse_int=integer, object_pairs_hook=pairs)
    except NumberTooLarge as exc:
        doc = JsonDoc(file, None, text=text)
        offset = text.find(exc.literal)
        line = text.count("\n", 0, max(offset, 0)) + 1
        col = max(offset, 0) - (text.rfind("\n", 0, max(offset, 0)) + 1) + 1
        return None, [Diagnostic.of(file, line, col, "diagnostics.ledger.number_too_large", value=exc.literal[:40],
                                    digits=MAX_NUMBER_DIGITS)]
    except RecursionError:
        return None, [Diagnostic.of(file, 1, 1, "diagnostics.ledger.too_deep", limit=MAX_DEPTH)]
    doc = JsonDoc(file, None, text=text)
    problems: list[Diagnostic] = []
    dup_ids = {i: k for i, k in duplicates}

    escapes = _SURROGATE_ESCAPE.search(text) is not None  # a lone surrogate can only come from an escape

    def walk(value: Any, path: tuple, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _TooDeep(path)
        if isinstance(value, dict):
            if id(value) in dup_ids:
                problems.append(doc.diagnostic(path, "diagnostics.ledger.duplicate_key", name=dup_ids[id(value)]))
            for k, v in value.items():
                if escapes and _has_surrogate(k):
                    problems.append(doc.diagnostic(path, "diagnostics.ledger.lone_surrogate"))
                if escapes or isinstance(v, (dict, list)):
                    walk(v, path + (k,), depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if escapes or isinstance(v, (dict, list)):
                    walk(v, path + (i,), depth + 1)
        elif isinstance(value, str) and _has_surrogate(value):
            problems.append(doc.diagnostic(path, "diagnostics.ledger.lone_surrogate"))

    doc.data = data
    try:
        walk(data, (), 0)
    except _TooDeep as exc:
        return None, [doc.diagnostic(exc.path[:3], "diagnostics.ledger.too_deep", limit=MAX_DEPTH)]
    return doc, problems


class _TooDeep(Exception):
    def __init__(self, path: tuple) -> None:
        super().__init__(json_path(path))
        self.path = path


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None
