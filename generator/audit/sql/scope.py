"""Exact numbers in SQL: credits as integers counting units of 1/D, D = 10^digits.

The compiler asks every rule type for its SQL twice through a :class:`Scope`: the first pass only
records which exact parameters must become whole numbers of units (a rate of 0.5 per hour on
amounts with 12 decimals needs 13 digits), the second writes them. A parameter whose denominator
is not made of 2s and 5s (1 学分 per 3 学时, exact) has no finite decimal form: the edition is refused
with a catalog message naming the item or requirement, never rounded (the reference engine would
show "1/3").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from generator.audit.sql.dialect import Dialect
from generator.base.diagnostics import Diagnostic, InputError
from generator.base.rational import decimal_digits, format_rational

AMOUNT_DIGITS = 12  # scale of the DECIMAL amount columns of the entries table
A = 10**AMOUNT_DIGITS
AMOUNT_LIMIT = 10**18  # amounts at or above this are refused at import: their units would leave no headroom


@dataclass
class Scope:
    """Implements generator.rules.types.SqlScope for one edition; `owner` names what is being compiled."""

    dialect: Dialect
    digits: int | None = None  # None: the recording pass
    owner: str = ""
    needs: list[tuple[Fraction, str, Fraction]] = field(default_factory=list)  # (value, owner, as the policy says it)

    def amount(self, field_name: str) -> str:
        return f"u_{field_name}"

    def level(self) -> str:
        return "level"

    def units(self, value: Fraction, stated: Fraction | None = None) -> str:
        """The literal for `value` in units of 1/D (records the need in the first pass)."""
        if self.digits is None:
            self.needs.append((Fraction(value), self.owner, Fraction(value) if stated is None else stated))
            return "0"
        scaled = Fraction(value) * 10**self.digits
        assert scaled.denominator == 1, f"{value} is not a whole number of units at {self.digits} digits"
        return self.dialect.integer(str(scaled.numerator))

    def per_input(self, expr: str, coefficient: Fraction) -> str:
        return f"({expr} * {self.units(Fraction(coefficient) / A, Fraction(coefficient))})"

    def per_whole(self, expr: str, value: Fraction) -> str:
        return f"({expr} * {self.units(value)})"

    def credit(self, value: Fraction) -> str:
        return self.units(value)

    def blocks(self, expr: str, per: Fraction) -> str:
        return self.dialect.floordiv(f"({expr} * {per.denominator})", str(per.numerator * A))


def choose_digits(needs: list[tuple[Fraction, str, Fraction]], file: str) -> int:
    """The smallest D = 10^digits making every recorded value whole; InputError naming each value that cannot be."""
    digits, problems = AMOUNT_DIGITS, []
    for value, owner, stated in needs:
        n = decimal_digits(value)
        if n is None:
            problems.append(Diagnostic.of(file, 1, 1, "diagnostics.audit.sql_not_exact", owner,
                                          what=owner, value=format_rational(stated)))
        else:
            digits = max(digits, n)
    if problems:
        raise InputError(sorted(set(problems)))
    return digits
