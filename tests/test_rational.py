from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.rational import format_rational, parse_rational


@pytest.mark.parametrize("text,value", [
    ("0.5", Fraction(1, 2)), ("3", Fraction(3)), ("1/3", Fraction(1, 3)), ("2.5/5", Fraction(1, 2)),
    (7, Fraction(7)), (Decimal("0.1"), Fraction(1, 10)),
])
def test_parse(text, value):
    assert parse_rational(text) == value


@pytest.mark.parametrize("bad", ["", "abc", "-", "1/0", "1e3", True, 0.5, None])
def test_parse_rejects(bad):
    with pytest.raises(ValueError):
        parse_rational(bad)


@pytest.mark.parametrize("value,text", [
    (Fraction(1, 2), "0.5"), (Fraction(3), "3"), (Fraction(1, 3), "1/3"), (Fraction(-5, 4), "-1.25"),
    (Fraction(7, 40), "0.175"), (Fraction(0), "0"), (Fraction(1, 10) + Fraction(2, 10), "0.3"),
])
def test_format(value, text):
    assert format_rational(value) == text


@given(st.fractions(min_value=0, max_value=10**6, max_denominator=10**4))
def test_round_trip(value):
    assert parse_rational(format_rational(value)) == value
