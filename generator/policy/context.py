"""What the validator's passes share: the Context they read and report into, defensive readers of
the merged document, and the one function that asks the model about rule types.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from generator.base.diagnostics import Diagnostic, json_path
from generator.base.messages import Phrase, phrase
from generator.base.rational import parse_rational
from generator.policy.layers import Layer, Origins
from generator.policy.source import SourceDoc
from generator.rules.types import RULE_TYPES, parse_rule

NO_HINT = phrase("diagnostics.nothing")


@dataclass
class Context:
    """What the passes look at (the layers, the merged document) and what they found."""

    layers: list[Layer]
    merged: dict | None  # None: the chain of layers is incomplete, only per-layer passes run
    origins: Origins = field(default_factory=Origins)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    broken: set[tuple[str, str]] = field(default_factory=set)  # (file, json path) the reader or schema refused

    @property
    def top(self) -> SourceDoc:
        return self.layers[-1].doc

    @property
    def doc(self) -> dict:
        return self.merged if isinstance(self.merged, dict) else {}

    def at(self, section: str, entry_id: Any, rest: tuple, code: str, key: str | None = None, **params: Any) -> None:
        """Report a problem in a merged entry, in the file that entry came from."""
        self.diagnostics.append(self.origins.diag(self.top, section, entry_id, rest, code, key, **params))

    def entries(self, section: str) -> list[dict]:
        """The well-formed entries of a merged list (the schema pass reports the others)."""
        return dicts(self.doc.get(section))

    def ids(self, section: str) -> list[str]:
        return [e["id"] for e in self.entries(section) if isinstance(e.get("id"), str)]

    def ids_unsure(self, section: str) -> bool:
        """Whether an entry of a merged list has no usable id (missing, or refused by the schema): then
        "unknown id" for that list may be a consequence of that entry, and is not reported."""
        value = self.doc.get(section)
        for entry in value if isinstance(value, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                return True
            doc, base = self.origins.place(self.top, section, entry["id"])
            if (doc.file, json_path(base + ("id",))) in self.broken:
                return True
        return False

    def section(self, key: str) -> dict:
        value = self.doc.get(key)
        return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict]:
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def quantity(value: Any) -> Fraction | None:
    """A quantity as the model reads it; None when it is not one (the schema pass says so)."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    try:
        return parse_rational(value)
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def did_you_mean(word: str, choices: list[str], cutoff: float = 0.5) -> Phrase:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return phrase("diagnostics.hint.did_you_mean", choice=close[0]) if close else NO_HINT


# ---- what the passes need to know about a rule type -------------------------------------------

@dataclass(frozen=True)
class RuleFacts:
    """What the validator asks about one rule: the inputs its type fits, and — when its parameters
    parse — the least one unit earns and the numbers it states (for prose that quotes them)."""

    type: str
    inputs: frozenset[str]
    parsed: bool = False  # whether the parameters made a rule (else the schema pass says why)
    smallest: Fraction | None = None  # the least non-zero award of one unit (cap sanity)
    awards: tuple[Fraction, ...] = ()  # what one unit, entry, subject or level earns
    per: Fraction | None = None  # a rate's block size
    factor: Fraction | None = None  # a multiplier's factor
    table: tuple[tuple[str, Fraction], ...] = ()  # a lookup's level → value


def rule_facts(rule: Any) -> RuleFacts | None:
    """Everything the passes ask about a rule, asked of the rule registry (generator/rules/types.py)
    in this one function. None for a missing or unknown rule type (the schema pass reports it)."""
    if not isinstance(rule, dict) or not isinstance(rule.get("type"), str) or rule["type"] not in RULE_TYPES:
        return None
    cls = RULE_TYPES[rule["type"]]
    try:
        parsed = parse_rule(rule)
    except (ValueError, TypeError, KeyError, ZeroDivisionError, AttributeError):
        return RuleFacts(cls.type, frozenset(cls.inputs))
    numbers = {name: getattr(parsed, name, None) for name in ("value", "passed", "failed", "per", "factor")}
    table = tuple(getattr(parsed, "table", ()))
    awards = tuple(v for v in (numbers["value"], numbers["passed"], numbers["failed"]) if isinstance(v, Fraction))
    return RuleFacts(cls.type, frozenset(cls.inputs), True, parsed.smallest_award(), awards + tuple(v for _, v in table),
                     numbers["per"], numbers["factor"], table)


def smallest_award(rule: Any) -> Fraction | None:
    facts = rule_facts(rule)
    return facts.smallest if facts else None
