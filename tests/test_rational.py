from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.base.rational import format_rational, parse_json_number, parse_rational


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


@pytest.mark.parametrize("number,text", [
    (0.1, "0.1"), (1.5, "1.5"), (2.0, "2"), (-0.0, "0"), (1e-07, "0.0000001"), (1.5e-07, "0.00000015"),
    (1e+21, "1" + "0" * 21), (1.5e+300, "15" + "0" * 299), (0.3333333333333333, "0.3333333333333333"),
    (5e-324, "0." + "0" * 323 + "5"), (-2.5, "-2.5"), (9007199254740993.0, "9007199254740992"),
])
def test_json_floats_are_read_as_written(number, text):
    """A float from json.loads is the decimal its writer meant (shortest round-trip repr), not the binary value."""
    assert format_rational(parse_json_number(number)) == text
    assert parse_json_number(0.1) + parse_json_number(0.2) == Fraction(3, 10)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), 1, True, "0.5", Decimal("0.5")])
def test_json_floats_only(bad):
    with pytest.raises(ValueError):
        parse_json_number(bad)


def test_policy_numbers_still_refuse_floats():
    with pytest.raises(ValueError, match="float is not an exact number"):
        parse_rational(0.1)
