"""Exact numbers: every credit is a Fraction, written as a decimal when it terminates.

Credits such as 0.5 per hour or 1 per 3 hours must never pick up float drift, so inputs are
parsed from their text and outputs are rendered as "1.5" or "1/3", never through float.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)(?:\s*/\s*([1-9][0-9]*))?\s*$")


def parse_rational(value: object) -> Fraction:
    """Parse an int, Decimal or a string such as "0.5" or "1/3" into a Fraction.

    Floats are refused: a float has already lost the number the author wrote.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        m = _NUMBER.match(value)
        if not m:
            raise ValueError(f"'{value}' is not a number")
        num = Fraction(Decimal(m.group(1)))
        return num / int(m.group(2)) if m.group(2) else num
    raise ValueError(f"{type(value).__name__} is not an exact number")


def parse_json_number(value: float) -> Fraction:
    """A JSON number that arrived as a float (json.loads gives 1.5, 1e-07 …), read as the decimal its
    writer meant: the shortest text that round-trips to the same double (``repr``: 0.1 → "0.1", not
    0.1000000000000000055…), then exactly. For ledger amounts only; policy files never give floats
    (YAML floats are read as Decimal), and :func:`parse_rational` keeps refusing them.
    """
    if isinstance(value, bool) or not isinstance(value, float):
        raise ValueError(f"{type(value).__name__} is not a float")
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return Fraction(Decimal(repr(value)))


def decimal_digits(value: Fraction) -> int | None:
    """How many decimal digits `value` needs (None: it has no finite decimal form, like 1/3)."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def format_rational(value: Fraction) -> str:
    """Render as a decimal string when the fraction terminates, else as "p/q"."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    digits = decimal_digits(value)
    if digits is None:
        return f"{value.numerator}/{value.denominator}"
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    n = abs(scaled.numerator)
    whole, frac = divmod(n, 10**digits)
    return f"{sign}{whole}.{str(frac).rjust(digits, '0')}".rstrip("0").rstrip(".")
