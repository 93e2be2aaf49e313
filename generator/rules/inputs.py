"""What a person enters for an item: the input kinds, the entry fields each reads, and amounts.

One table for the whole Python side (the JS side has its twin, ``INPUTS`` in calculator/engine.js,
which the calculator and the form pages read): the engine, the validator, forms, rosters and the
ledger reader all ask here which fields an item takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
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


@cache
def unit_kinds() -> dict[str, str]:
    """The measure word of each quantity input (学时 → hours, 天 → days …), as the catalog names them."""
    from generator.base.messages import message  # noqa: PLC0415 - the catalog is data; inputs are the vocabulary

    return {message(f"input_units.{k}"): k for k in QUANTITY_INPUTS if k != "count"}


@dataclass(frozen=True)
class InputConversion:
    """An entry field an item also takes because the policy converts it into the item's own input
    (Guangdong: 1 天 = 6 学时, so a training recorded in days counts for an item taken in hours)."""

    field: str  # the entry field it arrives in: days
    into: str  # the item's own input: hours
    factor: Fraction
    from_unit: str  # 天
    to_unit: str  # 学时
    source: str


def input_conversions(conversions: Iterable[Any], input_kind: str) -> dict[str, InputConversion]:
    return _input_conversions(tuple(conversions), input_kind)


@cache
def _input_conversions(conversions: tuple, input_kind: str) -> dict[str, InputConversion]:
    """The entry fields an item taking `input_kind` also accepts, by field, from the policy's conversions
    (objects with from_unit, to_unit, factor, source). Conversions between units no input is measured in (学分
    ↔ 学时) convert nothing here."""
    kinds = unit_kinds()
    out: dict[str, InputConversion] = {}
    for conv in conversions:
        source_kind, target_kind = kinds.get(conv.from_unit), kinds.get(conv.to_unit)
        if source_kind and target_kind == input_kind and source_kind != input_kind:
            out[source_kind] = InputConversion(source_kind, input_kind, conv.factor, conv.from_unit, conv.to_unit,
                                               conv.source)
    return out
