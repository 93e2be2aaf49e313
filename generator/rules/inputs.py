"""What a person enters for an item: the input kinds, the entry fields each reads, and amounts.

One table for the whole Python side (the JS side has its twin, ``INPUTS`` in calculator/engine.js,
which the calculator and the form pages read): the engine, the validator, forms, rosters and the
ledger reader all ask here which fields an item takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.base.rational import parse_json_number, parse_rational


@dataclass(frozen=True)
class InputKind:
    id: str
    fields: tuple[str, ...]  # the entry fields this input is read from
    quantity: bool  # one non-negative amount (hours, count …) that rules multiply or divide


INPUT_KINDS: dict[str, InputKind] = {k.id: k for k in (
    InputKind("hours", ("hours",), True),
    InputKind("count", ("count",), True),
    InputKind("half_days", ("half_days",), True),
    InputKind("days", ("days",), True),
    InputKind("years", ("years",), True),
    InputKind("level", ("level",), False),
    InputKind("subjects", ("passed", "failed"), False),
    InputKind("credits", ("credits",), False),
    InputKind("none", (), False),
)}
QUANTITY_INPUTS: tuple[str, ...] = tuple(k.id for k in INPUT_KINDS.values() if k.quantity)
ALL_INPUT_FIELDS: tuple[str, ...] = tuple(sorted({f for k in INPUT_KINDS.values() for f in k.fields}))
AMOUNT_FIELDS: tuple[str, ...] = tuple(f for f in ALL_INPUT_FIELDS if f != "level")


def input_fields(input_kind: str) -> tuple[str, ...]:
    return INPUT_KINDS[input_kind].fields


def amount(value: Any) -> Fraction | None:
    """A non-negative exact amount from a ledger value (an int, an exact number string, or a JSON float read
    as the decimal its writer meant), else None."""
    try:
        result = parse_json_number(value) if isinstance(value, float) else parse_rational(value)
    except (ValueError, TypeError):
        return None
    return result if result >= 0 else None


def entry_amount(entry: dict, field: str) -> Fraction:
    """The amount in an entry's field, 0 when it is missing or not a number (the entry check reports those)."""
    return amount(entry.get(field)) or Fraction(0)
