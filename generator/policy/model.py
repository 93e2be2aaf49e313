"""The typed, immutable policy model every output is compiled from."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

QUANTITY_INPUTS = ("hours", "count", "half_days", "days", "years")
INPUT_FIELDS = {
    "hours": ("hours",), "count": ("count",), "half_days": ("half_days",), "days": ("days",),
    "years": ("years",), "level": ("level",), "subjects": ("passed", "failed"),
    "credits": ("credits",), "none": (),
}


@dataclass(frozen=True)
class Clause:
    id: str
    quote: str
    title: str = ""
    text_file: str = ""  # the source text this clause quotes (layers may differ)


@dataclass(frozen=True)
class Rule:
    type: str
    per: Fraction | None = None
    value: Fraction | None = None
    rounding: str | None = None
    factor: Fraction | None = None
    table: tuple[tuple[str, Fraction], ...] = ()
    passed: Fraction | None = None
    failed: Fraction | None = None
    assessed_by: str = ""
    defers_to: str = ""
    defined_in_source: bool = False

    def lookup(self, level: str) -> Fraction | None:
        return dict(self.table).get(level)

    def smallest_award(self) -> Fraction | None:
        """The least non-zero amount one unit of input earns (for sanity checks on caps)."""
        if self.type in ("rate",):
            return self.value if self.rounding == "floor" else None
        if self.type in ("per_occurrence", "fixed"):
            return self.value
        if self.type == "lookup":
            values = [v for _, v in self.table if v > 0]
            return min(values) if values else None
        return None


@dataclass(frozen=True)
class Cap:
    per: str
    max: Fraction
    source: str
    id: str = ""
    name: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    category: str
    input: str
    rule: Rule
    source: str
    caps: tuple[Cap, ...] = ()
    roles: tuple[str, ...] = ()
    gate: dict | None = None
    dedupe: dict | None = None
    count_unit: str = ""
    levels: tuple[tuple[str, str], ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Measure:
    kind: str  # total | category | items
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    id: str
    name: str
    measure: Measure
    source: str
    min: Fraction | None = None
    min_per_period: Fraction | None = None
    periods_between: tuple[int, int] | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    window: dict
    requirements: tuple[Requirement, ...]
    source: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    parent: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Makeup:
    """How an entry declared for an earlier period than its date's (补学、补报) is treated."""

    counts: bool  # True: it counts in the period it is declared for; False: it counts nowhere
    source: str


@dataclass(frozen=True)
class Verdict:
    """A named pass/fail per period (年度认证): passed only when every applicable requirement is met."""

    name: str
    source: str


@dataclass(frozen=True)
class Period:
    kind: str
    start_month: int
    start_day: int
    source: str
    first: str | None = None
    last: str | None = None
    carry_over: bool | None = None  # None: the policy does not say
    carry_over_source: str = ""
    makeup: Makeup | None = None
    verdict: Verdict | None = None


@dataclass(frozen=True)
class Policy:
    """One resolved edition (layers already merged)."""

    id: str
    edition: str
    title: str
    unit: str
    period: Period
    cycle_periods: int | None
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    shared_caps: tuple[Cap, ...]
    requirements: tuple[Requirement, ...]
    checks: tuple[Check, ...]
    clauses: tuple[Clause, ...]
    roles: tuple[tuple[str, str], ...]
    data: dict = field(compare=False, repr=False)  # the merged document, for pages and forms
    files: tuple[str, ...] = ()  # the YAML files this edition was built from, parent first

    @property
    def key(self) -> str:
        return f"{self.id}/{self.edition}"

    def item(self, item_id: str) -> Item | None:
        return self._items_by_id().get(item_id)

    def _items_by_id(self) -> dict[str, Item]:
        cache = self.__dict__.get("_item_index")
        if cache is None:
            cache = {i.id: i for i in self.items}
            object.__setattr__(self, "_item_index", cache)
        return cache

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    def category_ancestors(self, category_id: str) -> list[str]:
        """A category and all its parents: an item in 必修 also counts for 公需."""
        parents = {c.id: c.parent for c in self.categories}
        out, cur = [], category_id
        while cur and cur not in out:
            out.append(cur)
            cur = parents.get(cur)
        return out

    def role_name(self, role_id: str) -> str:
        return dict(self.roles).get(role_id, role_id)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)
