"""Rule types: what each kind of rule *means*, in one place.

A rule turns what a person entered for an item (hours, a level, subjects passed …) into credits.
Each rule type is one small frozen class here, registered in :data:`RULE_TYPES`, and owns
everything about itself:

- ``inputs``: which item inputs it accepts (the validator asks);
- ``schema``: its keys in a policy file (``schemas/policy.schema.json`` and the bundle schema are
  generated from it by ``scripts/generate_schemas.py``; a test keeps them in step);
- ``parse``: the exact parameters from a validated policy;
- ``entry_credit`` / ``period_credit``: the credit it gives (the engine asks) and the facts
  its trace line quotes; ``trace``: that line, from the message catalog (``rule.*``);
- ``prose``: the rule in plain Chinese for the guide and the calculator (``rule_text.*``);
- ``xlsx_formula``: the spreadsheet formula of one roster row;
- ``bundle``: its form in a rule bundle;
- ``smallest_award``: the least a unit of input earns (the validator's cap sanity check);
- ``sql_entry`` / ``sql_period``: its credit as a SQL expression over one entry's row and over the
  period's summed values (``jxjy sql``, generator/audit/sql/): the compiler supplies an
  :class:`SqlScope` that turns exact parameters into integer arithmetic and refuses the ones SQL
  cannot carry exactly, so no rule's arithmetic is written anywhere else.

The JS engine (calculator/engine.js) mirrors this module with one section per type in its
``RULES`` table. Adding a rule type touches this module, that section, the rule's sentences in
the message catalogs, and nothing else (docs/architecture.md, "Adding a rule type").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from generator.base.messages import message
from generator.base.rational import format_rational as fmt
from generator.base.rational import parse_rational
from generator.rules.inputs import QUANTITY_INPUTS, entry_amount

if TYPE_CHECKING:  # the model holds rules; rules only read names and units from it
    from generator.policy.model import Item, Policy

Facts = dict[str, Any]
TraceLine = tuple[str, str]  # (text, ref)


def _q(raw: Mapping[str, Any], key: str) -> Fraction:
    return parse_rational(raw[key])


def _desc(zh: str, en: str) -> str:
    return f"{zh}{en}"


def _quantity(zh: str, en: str) -> dict:
    return {"description": _desc(zh, en), "$ref": "#/$defs/quantity"}


def trace_unit(item: Item) -> str:
    """The input's measure word in a trace line: 学时, 半天 … or the item's own (篇, 次); '' for others."""
    if item.input == "count":
        return item.count_unit
    return message(f"input_units.{item.input}") if item.input in QUANTITY_INPUTS else ""


def prose_unit(item: Item) -> str:
    """The input's measure word in the guide's rule prose, never empty."""
    if item.input == "count":
        return item.count_unit or message("rule_text.input_fallback")
    try:
        word = message(f"input_units.{item.input}")
    except KeyError:
        word = ""
    return word or message("rule_text.input_fallback")


class SqlScope(Protocol):
    """What a rule's SQL may use; the audit compiler implements it (generator/audit/sql/compiler.py).

    Credits are integers counting units of 1/D (D a power of ten the compiler chooses so every
    parameter is a whole number of units); input amounts count units of 1/A (A = 10^12, the
    scale of the database's DECIMAL columns). A parameter that would need a non-decimal D raises."""

    def amount(self, field: str) -> str:
        """The entry's `field` (hours, passed …) in units of 1/A; 0 when absent."""
        ...

    def level(self) -> str:
        """The entry's level id (text)."""
        ...

    def per_input(self, expr: str, coefficient: Fraction) -> str:
        """Credits for an input amount `expr` (units of 1/A) at `coefficient` credits per input unit."""
        ...

    def per_whole(self, expr: str, value: Fraction) -> str:
        """Credits for `expr` whole things (an integer) at `value` credits each."""
        ...

    def credit(self, value: Fraction) -> str:
        """A constant credit."""
        ...

    def blocks(self, expr: str, per: Fraction) -> str:
        """How many whole blocks of `per` input units an amount `expr` (units of 1/A) holds: an integer, exact."""
        ...


@dataclass(frozen=True)
class RuleType:
    """The shape every rule type has; subclasses add their parameters as fields."""

    type: ClassVar[str]
    inputs: ClassVar[frozenset[str]]
    description: ClassVar[tuple[str, str]]  # (Chinese, English): the rule type in the schema
    schema: ClassVar[dict]  # properties of this type's keys besides `type`
    required: ClassVar[tuple[str, ...]]

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> RuleType:
        raise NotImplementedError

    # evaluation --------------------------------------------------------------------------------
    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        """Credits of one entry before caps, and the facts its trace line needs."""
        raise NotImplementedError

    def period_credit(self, policy: Policy, item: Item, entries: list[tuple[int, dict]]) -> tuple[Fraction, list[TraceLine]]:
        """Credits of an item's entries in one period, before caps; one trace line per entry, then their sum."""
        lines: list[TraceLine] = []
        total = Fraction(0)
        for idx, entry in entries:
            value, facts = self.entry_credit(item, entry)
            lines.append((self.trace(policy, item, value, facts), f"entry:{idx}"))
            total += value
        if len(entries) > 1:
            lines.append((message("rule.sum", item=item.name, count=len(entries), credits=fmt(total), unit=policy.unit),
                          f"item:{item.id}"))
        return total, lines

    @property
    def sums_period(self) -> bool:
        """Whether credits come from the period's summed input (whole blocks), so a credit is rounded per period."""
        return False

    def unrounded(self, item: Item, entries: list[tuple[int, dict]]) -> Fraction | None:
        """What a rule that rounds would give these entries without rounding (None: it does not round), so the
        result can say what the rounding left out."""
        return None

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        raise NotImplementedError

    def _common(self, policy: Policy, item: Item, credits: Fraction) -> dict[str, str]:
        return {"item": item.name, "unit": policy.unit, "credits": fmt(credits), "input_unit": trace_unit(item)}

    # publication -------------------------------------------------------------------------------
    def prose(self, policy: Policy, item: Item) -> str:
        raise NotImplementedError

    def xlsx_formula(self, item: Item, cell: str) -> str | None:
        """An Excel formula for one roster row whose input is in `cell` (display only: import recomputes)."""
        return None

    def bundle(self) -> dict[str, Any]:
        raise NotImplementedError

    def smallest_award(self) -> Fraction | None:
        return None

    # SQL (the audit: jxjy sql, jxjy audit run) -------------------------------------------------
    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        """One counted entry's credit (for `sums_period` types: its share of the period's summed input)."""
        raise NotImplementedError

    def sql_period(self, item: Item, total: str, scope: SqlScope) -> str:
        """The item's raw credit in a period from the sum `total` of its counted entries' `sql_entry`."""
        return total


def _quantity_formula(cell: str, body: str) -> str:
    return f'=IF(ISNUMBER({cell}),{body},"")'


@dataclass(frozen=True)
class Rate(RuleType):
    """每满 3 学时计 1 学分 (floor: whole blocks of the period's sum) or 每学时 0.5 学分 (exact)."""

    per: Fraction
    value: Fraction
    rounding: str  # floor | exact

    type: ClassVar[str] = "rate"
    inputs: ClassVar[frozenset[str]] = frozenset(QUANTITY_INPUTS)
    description: ClassVar[tuple[str, str]] = ("按量折算。", "Rate.")
    schema: ClassVar[dict] = {
        "per": _quantity("每满多少输入量（如 3 学时）。", "Input amount per block."),
        "value": _quantity("每块折算多少。", "Credits per block."),
        "rounding": {"description": "floor：不足一块不计；exact：按比例精确折算。floor counts whole blocks only; exact is "
                                    "proportional.", "enum": ["floor", "exact"]},
    }
    required: ClassVar[tuple[str, ...]] = ("per", "value", "rounding")

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Rate:
        return cls(per=_q(raw, "per"), value=_q(raw, "value"), rounding=str(raw["rounding"]))

    @property
    def floor(self) -> bool:
        return self.rounding == "floor"

    @property
    def sums_period(self) -> bool:
        return self.floor

    def unrounded(self, item: Item, entries: list[tuple[int, dict]]) -> Fraction | None:
        if not self.floor:
            return None
        return sum((entry_amount(e, item.input) for _, e in entries), Fraction(0)) / self.per * self.value

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        amount = entry_amount(entry, item.input)
        if self.floor:
            return Fraction(math.floor(amount / self.per)) * self.value, {"amount": amount}
        return amount * self.value / self.per, {"amount": amount}

    def period_credit(self, policy: Policy, item: Item, entries: list[tuple[int, dict]]) -> tuple[Fraction, list[TraceLine]]:
        if not self.floor:
            return super().period_credit(policy, item, entries)
        # whole blocks of the period's summed input: 8 h of 微课 in two sittings is still 2 credits
        amount = sum((entry_amount(e, item.input) for _, e in entries), Fraction(0))
        value = Fraction(math.floor(amount / self.per)) * self.value
        if not entries:
            return value, []
        text = self.trace(policy, item, value, {"amount": amount})
        if len(entries) > 1:
            text += message("rule.records", count=len(entries))
        return value, [(text, f"item:{item.id}")]

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        if self.floor:
            key = "rule.rate_floor_one" if self.value == 1 else "rule.rate_floor"
        else:
            key = "rule.rate_exact" if self.per == 1 else "rule.rate_exact_per"
        return message(key, amount=fmt(facts["amount"]), per=fmt(self.per), value=fmt(self.value),
                       **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        word, unit = prose_unit(item), policy.unit
        if self.floor:
            text = message("rule_text.rate_floor", per=fmt(self.per), input_unit=word, value=fmt(self.value), unit=unit)
            if self.per != 1:
                text += message("rule_text.rate_floor_summed", period_word=policy.period_word)
            return text
        if self.per == 1:
            return message("rule_text.rate_exact_one", input_unit=word, value=fmt(self.value), unit=unit)
        return message("rule_text.rate_exact", per=fmt(self.per), input_unit=word, value=fmt(self.value), unit=unit)

    def xlsx_formula(self, item: Item, cell: str) -> str | None:
        if self.floor:
            return _quantity_formula(cell, f"FLOOR({cell}/{fmt(self.per)},1)*{fmt(self.value)}")
        return _quantity_formula(cell, f"{cell}*{fmt(self.value)}" + (f"/{fmt(self.per)}" if self.per != 1 else ""))

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "per": fmt(self.per), "value": fmt(self.value), "rounding": self.rounding}

    def smallest_award(self) -> Fraction | None:
        return self.value if self.floor else None

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        if self.floor:
            return scope.amount(item.input)
        return scope.per_input(scope.amount(item.input), self.value / self.per)

    def sql_period(self, item: Item, total: str, scope: SqlScope) -> str:
        if self.floor:  # whole blocks of the period's summed input, as period_credit
            return scope.per_whole(scope.blocks(total, self.per), self.value)
        return total


@dataclass(frozen=True)
class PerOccurrence(RuleType):
    """每篇读书笔记 3 学分: a count times a value."""

    value: Fraction

    type: ClassVar[str] = "per_occurrence"
    inputs: ClassVar[frozenset[str]] = frozenset({"count"})
    description: ClassVar[tuple[str, str]] = ("按次。", "Per occurrence.")
    schema: ClassVar[dict] = {"value": _quantity("每次（篇、个）折算多少。", "Credits per occurrence.")}
    required: ClassVar[tuple[str, ...]] = ("value",)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> PerOccurrence:
        return cls(value=_q(raw, "value"))

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        amount = entry_amount(entry, item.input)
        return amount * self.value, {"amount": amount}

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        return message("rule.per_occurrence", amount=fmt(facts["amount"]), value=fmt(self.value),
                       **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        return message("rule_text.per_occurrence", input_unit=prose_unit(item), value=fmt(self.value), unit=policy.unit)

    def xlsx_formula(self, item: Item, cell: str) -> str | None:
        return _quantity_formula(cell, f"{cell}*{fmt(self.value)}")

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "value": fmt(self.value)}

    def smallest_award(self) -> Fraction | None:
        return self.value

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        return scope.per_input(scope.amount(item.input), self.value)


@dataclass(frozen=True)
class Multiplier(RuleType):
    """按实际讲课学时的 4 倍记学分: an amount times a factor."""

    factor: Fraction

    type: ClassVar[str] = "multiplier"
    inputs: ClassVar[frozenset[str]] = frozenset(QUANTITY_INPUTS)
    description: ClassVar[tuple[str, str]] = ("倍数。", "Multiplier.")
    schema: ClassVar[dict] = {"factor": _quantity("倍数（如讲课学时的 4 倍）。", "Factor applied to the input.")}
    required: ClassVar[tuple[str, ...]] = ("factor",)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Multiplier:
        return cls(factor=_q(raw, "factor"))

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        amount = entry_amount(entry, item.input)
        return amount * self.factor, {"amount": amount}

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        return message("rule.multiplier", amount=fmt(facts["amount"]), factor=fmt(self.factor),
                       **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        return message("rule_text.multiplier", input_unit=prose_unit(item), factor=fmt(self.factor), unit=policy.unit)

    def xlsx_formula(self, item: Item, cell: str) -> str | None:
        return _quantity_formula(cell, f"{cell}*{fmt(self.factor)}")

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "factor": fmt(self.factor)}

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        return scope.per_input(scope.amount(item.input), self.factor)


@dataclass(frozen=True)
class Lookup(RuleType):
    """普通话 三甲 7 / 二乙 10 / 二甲及以上 14: the value of the level entered."""

    table: tuple[tuple[str, Fraction], ...]

    type: ClassVar[str] = "lookup"
    inputs: ClassVar[frozenset[str]] = frozenset({"level"})
    description: ClassVar[tuple[str, str]] = ("查表。", "Lookup table.")
    schema: ClassVar[dict] = {"table": {
        "description": "等级 → 学分。Level → credits.", "type": "array", "minItems": 1,
        "items": {"type": "object", "additionalProperties": False, "required": ["level", "value"], "properties": {
            "level": {"description": "等级标识（见条目 levels）。Level id.", "$ref": "#/$defs/id"},
            "value": _quantity("该等级折算多少。", "Credits for the level."),
        }},
    }}
    required: ClassVar[tuple[str, ...]] = ("table",)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Lookup:
        return cls(table=tuple((str(row["level"]), parse_rational(row["value"])) for row in raw["table"]))

    def value_of(self, level: str) -> Fraction | None:
        return dict(self.table).get(level)

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        return self.value_of(entry["level"]) or Fraction(0), {"level": entry["level"]}

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        return message("rule.lookup", level=item.level_name(facts["level"]), **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        levels = message("rule_text.lookup_joiner").join(
            message("rule_text.lookup_level", level=item.level_name(level), value=fmt(value), unit=policy.unit)
            for level, value in self.table)
        return message("rule_text.lookup", levels=levels)

    def xlsx_formula(self, item: Item, cell: str) -> str | None:
        expr = '""'
        for level, value in reversed(self.table):
            label = item.level_name(level).replace('"', '""')
            expr = f'IF({cell}="{label}",{fmt(value)},{expr})'
        return "=" + expr

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "table": [{"level": level, "value": fmt(value)} for level, value in self.table]}

    def smallest_award(self) -> Fraction | None:
        values = [v for _, v in self.table if v > 0]
        return min(values) if values else None

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        level = scope.level()
        cases = " ".join(f"WHEN {level} = '{lv.replace(chr(39), chr(39) * 2)}' THEN {scope.credit(value)}"
                         for lv, value in self.table)
        return f"(CASE {cases} ELSE {scope.credit(Fraction(0))} END)"


@dataclass(frozen=True)
class PerSubject(RuleType):
    """每及格一学科记 10 学分，不及格学科记 2 学分."""

    passed: Fraction
    failed: Fraction

    type: ClassVar[str] = "per_subject"
    inputs: ClassVar[frozenset[str]] = frozenset({"subjects"})
    description: ClassVar[tuple[str, str]] = ("按科目。", "Per subject.")
    schema: ClassVar[dict] = {
        "passed": _quantity("每及格一科。", "Credits per passed subject."),
        "failed": _quantity("每不及格一科。", "Credits per failed subject."),
    }
    required: ClassVar[tuple[str, ...]] = ("passed", "failed")

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> PerSubject:
        return cls(passed=_q(raw, "passed"), failed=_q(raw, "failed"))

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        passed, failed = entry_amount(entry, "passed"), entry_amount(entry, "failed")
        return passed * self.passed + failed * self.failed, {"passed": passed, "failed": failed}

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        return message("rule.per_subject", passed=fmt(facts["passed"]), failed=fmt(facts["failed"]),
                       passed_value=fmt(self.passed), failed_value=fmt(self.failed), **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        return message("rule_text.per_subject", passed=fmt(self.passed), failed=fmt(self.failed), unit=policy.unit)

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "passed": fmt(self.passed), "failed": fmt(self.failed)}

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        return (f"({scope.per_input(scope.amount('passed'), self.passed)} + "
                f"{scope.per_input(scope.amount('failed'), self.failed)})")


@dataclass(frozen=True)
class Fixed(RuleType):
    """支教一年记 72 学分: a fixed value per entry."""

    value: Fraction

    type: ClassVar[str] = "fixed"
    inputs: ClassVar[frozenset[str]] = frozenset({"none"})
    description: ClassVar[tuple[str, str]] = ("每项定额。", "Fixed amount per entry.")
    schema: ClassVar[dict] = {"value": _quantity("每项折算多少。", "Credits per entry.")}
    required: ClassVar[tuple[str, ...]] = ("value",)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Fixed:
        return cls(value=_q(raw, "value"))

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        return self.value, {}

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        return message("rule.fixed", **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        return message("rule_text.fixed", value=fmt(self.value), unit=policy.unit)

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "value": fmt(self.value)}

    def smallest_award(self) -> Fraction | None:
        return self.value

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        return scope.credit(self.value)


@dataclass(frozen=True)
class Manual(RuleType):
    """Credits assessed by a reviewer under a rule the source names but does not state (按《办法》第15条)."""

    assessed_by: str
    defers_to: str = ""
    defined_in_source: bool = False

    type: ClassVar[str] = "manual"
    inputs: ClassVar[frozenset[str]] = frozenset({"credits"})
    description: ClassVar[tuple[str, str]] = ("人工认定：学分由审核方按所引规定认定后填写。",
                                              "Manual: credits assessed by the reviewer.")
    schema: ClassVar[dict] = {
        "assessed_by": {"description": "认定方（如 校管理员）。Who assesses the credits.", "type": "string"},
        "defers_to": {"description": "所依据但原文未载明的规定（如《办法》第15条第1款）。The rule the source defers to "
                                     "without stating it.", "type": "string"},
        "defined_in_source": {"description": "原文是否给出了数值（默认否）。Whether the source states the number.",
                              "type": "boolean"},
    }
    required: ClassVar[tuple[str, ...]] = ("assessed_by",)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Manual:
        return cls(assessed_by=str(raw["assessed_by"]), defers_to=str(raw.get("defers_to") or ""),
                   defined_in_source=bool(raw.get("defined_in_source", False)))

    def entry_credit(self, item: Item, entry: dict) -> tuple[Fraction, Facts]:
        return entry_amount(entry, "credits"), {}

    def trace(self, policy: Policy, item: Item, credits: Fraction, facts: Facts) -> str:
        defers = message("rule.manual_defers", defers_to=self.defers_to) if self.defers_to else ""
        return message("rule.manual", assessed_by=self.assessed_by, defers=defers, **self._common(policy, item, credits))

    def prose(self, policy: Policy, item: Item) -> str:
        text = message("rule_text.manual", assessed_by=self.assessed_by, unit=policy.unit)
        if self.defers_to:
            text += message("rule_text.manual_defers", defers_to=self.defers_to)
        return text

    def bundle(self) -> dict[str, Any]:
        return {"type": self.type, "assessed_by": self.assessed_by, "defers_to": self.defers_to,
                "defined_in_source": self.defined_in_source}

    def sql_entry(self, item: Item, scope: SqlScope) -> str:
        return scope.per_input(scope.amount("credits"), Fraction(1))


RULE_TYPES: dict[str, type[RuleType]] = {cls.type: cls for cls in (
    Rate, PerOccurrence, Multiplier, Lookup, PerSubject, Fixed, Manual,
)}


def parse_rule(raw: Mapping[str, Any]) -> RuleType:
    """The typed rule of a validated policy's `rule:` mapping."""
    return RULE_TYPES[str(raw["type"])].parse(raw)


def accepts(rule_type: str, input_kind: str) -> bool:
    cls = RULE_TYPES.get(rule_type)
    return cls is not None and input_kind in cls.inputs


# ---------------------------------------------------------------------------------------------
# The rules' part of the JSON Schemas (scripts/generate_schemas.py writes it into schemas/)


def policy_rule_schema() -> dict:
    """`$defs.rule` of schemas/policy.schema.json: one if/then branch per registered type."""
    names = "；".join(f"{t} {cls.description[0].rstrip('。').split('：')[0]}" for t, cls in RULE_TYPES.items())
    return {
        "description": "折算规则。How an entry's input becomes credits.",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"description": f"{names}。Rule type.", "enum": list(RULE_TYPES)}},
        "allOf": [{"if": {"properties": {"type": {"const": t}}}, "then": {
            "additionalProperties": False, "required": ["type", *cls.required],
            "properties": {"type": {"description": _desc(*cls.description), "const": t}, **cls.schema},
        }} for t, cls in RULE_TYPES.items()],
    }


def _bundle_numbers(node: Any) -> Any:
    """Bundles carry exact numbers as strings: the policy schema's quantity becomes the bundle's number."""
    if isinstance(node, dict):
        return {k: ("#/$defs/number" if k == "$ref" and v == "#/$defs/quantity" else _bundle_numbers(v))
                for k, v in node.items() if k != "minItems"}
    if isinstance(node, list):
        return [_bundle_numbers(v) for v in node]
    return node


def bundle_rule_schema() -> dict:
    """`$defs.rule` of schemas/bundle.schema.json: what `RuleType.bundle()` writes, per type."""
    branches = []
    for t, cls in RULE_TYPES.items():
        keys = list(cls.schema)
        branches.append({"if": {"properties": {"type": {"const": t}}}, "then": {
            "additionalProperties": False, "required": ["type", *keys],
            "properties": {"type": {"description": _desc(*cls.description), "const": t}, **_bundle_numbers(cls.schema)},
        }})
    return {
        "description": "折算规则；数值均为精确数值字符串。How an entry becomes credits; numbers are exact number strings.",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"description": "规则类型。Rule type.", "enum": list(RULE_TYPES)}},
        "allOf": branches,
    }
