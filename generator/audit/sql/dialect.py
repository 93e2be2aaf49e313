"""The few places where DuckDB and Spark SQL differ; everything else the compiler writes is common SQL.

Credits are exact integers (units of 1/D) in both: DuckDB's HUGEINT and Spark's DECIMAL(38, 0), and
neither dialect's ``/`` is used on them (DuckDB's gives a DOUBLE, Spark's may round), so whole-block
division is written with ``%``, which is exact in both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    int_type: str  # an exact integer type wide enough for credits in units of 1/D
    create_view: str

    def integer(self, expr: str) -> str:
        return f"CAST({expr} AS {self.int_type})"

    def floordiv(self, a: str, b: str) -> str:
        """⌊a / b⌋ for a ≥ 0 and a positive literal b, exactly."""
        if self.name == "duckdb":
            return f"({a} // {b})"
        return f"CAST((({a}) - (({a}) % {b})) / {b} AS {self.int_type})"

    def matches(self, expr: str, pattern: str) -> str:
        """Whether the text matches a regular expression (searched, as both dialects do)."""
        if self.name == "duckdb":
            return f"regexp_matches({expr}, '{pattern}')"
        return f"({expr} RLIKE '{pattern}')"

    def day_before(self, date: str) -> str:
        if self.name == "duckdb":
            return f"CAST({date} - 1 AS DATE)"
        return f"date_sub({date}, 1)"

    def view(self, name: str, body: str) -> str:
        return f"{self.create_view} {name} AS\n{body}"

    def materialized(self, name: str, body: str, kind: str) -> list[str]:
        """`name` computed once (generator/audit/sql/compiler.py): in DuckDB a step is a temporary table, a
        step over every entry a temporary view, a result a table kept in the database file; in Spark every step
        is a temporary view cached eagerly (CACHE TABLE), so later steps read its rows instead of
        recomputing and re-planning the chain."""
        if self.name == "duckdb":
            what = {"result": "TABLE", "stream": "TEMP VIEW", "step": "TEMP TABLE"}[kind]
            return [f"CREATE OR REPLACE {what} {name} AS\n{body}"]
        return [self.view(name, body), *([f"CACHE TABLE {name}"] if kind != "result" else [])]

    def micro_units(self, amount: str) -> str:
        """An entry's DECIMAL(38,12) amount as an exact integer count of 10^-12."""
        if self.name == "duckdb":
            return (f"{self.integer(f'FLOOR({amount})')} * {self.integer('1000000000000')}"
                    f" + {self.integer(f'({amount} - FLOOR({amount})) * 1000000000000')}")
        # Spark: one product whose exact value is a whole number (at most 12 decimals times 10^12), so the
        # scale Spark cuts to 6 past 38 digits loses nothing (x - FLOOR(x) was typed with 10 decimals and rounded)
        return f"CAST(CAST({amount} AS DECIMAL(30,12)) * CAST(1000000000000 AS DECIMAL(13,0)) AS {self.int_type})"

    def decimal(self, units: str, digits: int) -> str:
        """Units of 10^-digits as an exact DECIMAL(38, digits) (a multiplication, never a division)."""
        step = "0." + "0" * (digits - 1) + "1" if digits else "1"
        if self.name == "duckdb":
            return f"(CAST({units} AS DECIMAL(38,0)) * CAST('{step}' AS DECIMAL(38,{digits})))"
        if not digits:
            return f"CAST({units} AS DECIMAL(38,0))"
        # Spark types DECIMAL(p1,s1) × DECIMAL(p2,s2) as DECIMAL(p1+p2+1, s1+s2) and, past 38 digits, cuts the
        # scale to 6 by rounding (0.0000001 became 0): operands whose product type fits 38 digits keep every digit
        return (f"CAST(CAST({units} AS DECIMAL({37 - digits},0)) * CAST('{step}' AS DECIMAL({digits},{digits})) "
                f"AS DECIMAL(38,{digits}))")


DIALECTS = {
    "duckdb": Dialect("duckdb", "HUGEINT", "CREATE OR REPLACE VIEW"),
    "spark": Dialect("spark", "DECIMAL(38,0)", "CREATE OR REPLACE TEMPORARY VIEW"),
}
