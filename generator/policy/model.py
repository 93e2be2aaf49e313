"""The typed, immutable policy model every output is compiled from.

One resolved edition (layers merged) as frozen dataclasses: the engine, the bundle, the pages,
the forms and the calculator's data all read this, never the YAML. Exact numbers are Fractions;
dates stay ISO strings (YYYY-MM-DD, already checked by the schema) so they print as written.
Rules are the registry's typed rule objects (generator/rules/types.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from generator.base.messages import message
from generator.rules.types import RuleType


@dataclass(frozen=True)
class Clause:
    """A quoted passage of a source text. Readers never see its `id` (an author's handle, also the
    anchor on the source page): a citation shows the document and the clause's printed `number`, or
    the `label` the policy gives a passage its document does not number (an interpretation, a system
    screen). `document` is how citations name the clause's document (its number or short name)."""

    id: str
    quote: str
    title: str = ""
    text_file: str = ""  # the source text this clause quotes (layers may differ), an absolute path
    number: str = ""
    label: str = ""
    document: str = ""
    explicit_document: bool = False  # `document` was written on the clause, not taken from its layer

    @property
    def locator(self) -> str:
        """Where the clause is inside its document: its printed number, else its label (else its id)."""
        return self.number or self.label or self.id

    @property
    def citation(self) -> str:
        """The readable citation: `成教继（2018）1号 二（三）2（1）`, or a label such as `政策解读：公需课`."""
        if not self.document or (self.label and not self.number and not self.explicit_document):
            return self.locator
        key = "rule_text.citation_bracketed" if self.locator.startswith(("（", "(")) else "rule_text.citation"
        return message(key, document=self.document, clause=self.locator)


@dataclass(frozen=True)
class Region:
    province: str
    city: str = ""
    district: str = ""
    sector: str = ""


@dataclass(frozen=True)
class RelatedDocument:
    title: str
    issuer: str = ""
    number: str = ""
    issued: str = ""


@dataclass(frozen=True)
class Document:
    """The notice itself: who issued it, its number and dates, and its text (relative to the policy file)."""

    issuer: str
    text: str
    number: str = ""
    title: str = ""
    issued: str = ""
    effective_from: str = ""
    effective_to: str = ""
    related: tuple[RelatedDocument, ...] = ()
    text_file: str = ""  # `text` resolved to an absolute path


@dataclass(frozen=True)
class Extends:
    policy: str
    edition: str
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Successor:
    from_date: str
    description: str
    source: str
    policy: str = ""


@dataclass(frozen=True)
class InForce:
    """The edition's window: the dates of the entries it governs; registration and review may run under it
    until `review_until`. From the text (`source`) or, where the text states none, what it rests on (`note`)."""

    start: str
    end: str
    source: str = ""
    note: str = ""
    review_until: str = ""

    @property
    def last_day(self) -> str:
        """The last evaluation date the edition speaks for."""
        return max(self.end, self.review_until) if self.review_until else self.end


@dataclass(frozen=True)
class Revision:
    """The rules' revision: bumped whenever the rules change (results and bundles carry it)."""

    number: int
    date: str
    rules_sha256: str
    note: str = ""


@dataclass(frozen=True)
class SchoolSlots:
    """Per-school slots (双流's 审证时间安排): the person's school's date is the deadline of the edition's
    requirements, when the school is on the schedule."""

    schedule: str
    source: str


@dataclass(frozen=True)
class Conversion:
    """1 天 = 6 学时: a conversion the policy states."""

    from_unit: str
    to_unit: str
    factor: Fraction
    source: str


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
class PeriodScheme:
    """How time is cut into periods: school years from a month-day, or calendar years."""

    kind: str  # school_year | calendar_year
    start_month: int
    start_day: int
    source: str
    first: str | None = None
    last: str | None = None
    carry_over: bool | None = None  # None: the policy does not say
    carry_over_source: str = ""
    makeup: Makeup | None = None
    verdict: Verdict | None = None

    @property
    def start(self) -> str:
        return f"{self.start_month:02d}-{self.start_day:02d}"


@dataclass(frozen=True)
class Cycle:
    periods: int
    source: str


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class Actor:
    id: str
    name: str


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    parent: str | None = None
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class Cap:
    per: str  # period | cycle | ever
    max: Fraction
    source: str
    id: str = ""  # shared caps only
    name: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    flag: str  # exam_passed
    source: str


@dataclass(frozen=True)
class Dedupe:
    by: str  # course
    scope: str  # period | cycle | ever
    source: str


@dataclass(frozen=True)
class Level:
    id: str
    name: str


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    category: str
    input: str
    rule: RuleType
    source: str
    caps: tuple[Cap, ...] = ()
    roles: tuple[str, ...] = ()
    gate: Gate | None = None
    dedupe: Dedupe | None = None
    count_unit: str = ""
    levels: tuple[Level, ...] = ()
    # what people read beside the rule (the engine never looks at these)
    description: str = ""
    help: str = ""
    registration: str = ""
    evidence: tuple[str, ...] = ()
    workflow: str = ""
    deadline: str = ""
    auto: bool = False

    def level_name(self, level_id: str) -> str:
        return next((lv.name for lv in self.levels if lv.id == level_id), level_id)

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(lv.id for lv in self.levels)


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
    deadline: str = ""  # a dated timeline entry

    @property
    def minimum(self) -> Fraction:
        """The fixed minimum (every per-period requirement has one; a check's may be per period instead)."""
        if self.min is None:
            raise ValueError(f"requirement {self.id} has a minimum per period, not a fixed minimum")
        return self.min


@dataclass(frozen=True)
class Window:
    """The periods a check sums over."""

    kind: str  # last_periods | all | title_cycle
    count: int = 0  # last_periods
    end: str = "current"  # last_periods: current | previous
    max_periods: int = 0  # title_cycle
    cutoff: str = ""  # title_cycle: MM-DD
    date: str = ""  # title_cycle: the person date that starts the cycle
    count_current_before_as_of: bool = False  # title_cycle


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    window: Window
    requirements: tuple[Requirement, ...]
    source: str
    roles: tuple[str, ...] = ()
    description: str = ""
    deadline: str = ""  # a dated timeline entry


@dataclass(frozen=True)
class Offset:
    days: int
    relation: str  # within_before | before | within_after
    anchor: str


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    kind: str  # deadline | window | event | relative
    title: str
    source: str
    date: str = ""
    start: str = ""
    end: str = ""
    month: str = ""
    offset: Offset | None = None
    actors: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ScheduleRow:
    seq: int
    group: str
    organization: str
    date: str


@dataclass(frozen=True)
class Schedule:
    id: str
    title: str
    rows: tuple[ScheduleRow, ...]
    source: str


@dataclass(frozen=True)
class WorkflowStep:
    actor: str
    action: str
    detail: str = ""
    deadline: str = ""


@dataclass(frozen=True)
class Workflow:
    id: str
    name: str
    steps: tuple[WorkflowStep, ...]
    source: str
    applies_to: str = ""


@dataclass(frozen=True)
class FormField:
    """A header or totals field of a form."""

    id: str
    label: str
    type: str = "text"
    options: tuple[str, ...] = ()
    prefill: str = ""


@dataclass(frozen=True)
class Computed:
    """A column computed from another with an item's rule (学分 from 学时)."""

    item: str
    source_column: str


@dataclass(frozen=True)
class FormColumn:
    id: str
    label: str
    type: str = "text"
    options: tuple[str, ...] = ()
    computed: Computed | None = None
    children: tuple[FormColumn, ...] = ()
    prefill: str = ""  # what a ledger fills into the first row (a section without an item: one row a person)
    sum_of: tuple[str, ...] = ()  # the column is the sum of these columns of its row (小计, 合计)

    def leaves(self) -> tuple[FormColumn, ...]:
        return (self,) if not self.children else tuple(leaf for c in self.children for leaf in c.leaves())


@dataclass(frozen=True)
class FormSection:
    id: str
    columns: tuple[FormColumn, ...]
    title: str = ""
    item: str = ""
    method: str = ""
    evidence: str = ""
    rows: int | None = None  # None: not stated (one row is printed)
    all_items: bool = False  # a statement's section: every countable entry of the period, one row each

    def leaves(self) -> tuple[FormColumn, ...]:
        return tuple(leaf for c in self.columns for leaf in c.leaves())


@dataclass(frozen=True)
class Signature:
    label: str
    stamp: bool = False
    date: bool = False


@dataclass(frozen=True)
class Form:
    id: str
    title: str
    source: str
    attachment: str = ""
    purpose: str = ""
    filled_by: str = ""
    orientation: str = ""
    header: tuple[FormField, ...] = ()
    sections: tuple[FormSection, ...] = ()
    totals: tuple[FormField, ...] = ()
    signatures: tuple[Signature, ...] = ()
    notes: tuple[str, ...] = ()
    undefined_in_source: str = ""
    statement: bool = False  # the personal statement (个人学分统计表): laid out by jxjy when the source only names it
    period_label: str = ""  # how the form writes a period (its `period.label` cells): 2017～2018学年度, as in its title

    @property
    def laid_out(self) -> bool:
        """Whether the source lays the form out (header, sections or totals), or only names it."""
        return bool(self.header or self.sections or self.totals)


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    source: str
    title: str = ""


@dataclass(frozen=True)
class Policy:
    """One resolved edition (layers already merged)."""

    id: str
    edition: str
    title: str
    unit: str
    period: PeriodScheme
    cycle: Cycle | None
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    shared_caps: tuple[Cap, ...]
    requirements: tuple[Requirement, ...]
    checks: tuple[Check, ...]
    clauses: tuple[Clause, ...]
    roles: tuple[Role, ...]
    document: Document
    short_name: str = ""
    region: Region | None = None
    applies_to: str = ""
    extends: Extends | None = None
    previous: str = ""  # the previous edition of the same policy, if the policy names one
    successor: Successor | None = None
    unit_source: str = ""
    in_force: InForce | None = None
    revision: Revision | None = None
    school_slots: SchoolSlots | None = None
    conversions: tuple[Conversion, ...] = ()
    actors: tuple[Actor, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    workflows: tuple[Workflow, ...] = ()
    forms: tuple[Form, ...] = ()
    notes: tuple[Note, ...] = ()
    files: tuple[str, ...] = field(default=(), compare=False)  # the YAML files this edition was built from, parent first

    @property
    def key(self) -> str:
        return f"{self.id}/{self.edition}"

    @property
    def cycle_periods(self) -> int | None:
        return self.cycle.periods if self.cycle else None

    @property
    def label(self) -> str:
        """The short name people know the edition by (falls back to the title)."""
        return self.short_name or self.title

    @property
    def period_word(self) -> str:
        """学年 or 年, from the period kind."""
        return message(f"period_word.{self.period.kind}")

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    def item(self, item_id: str | None) -> Item | None:
        return self._items_by_id.get(item_id or "")

    def get_item(self, item_id: str) -> Item:
        """The item with this id, which the model guarantees exists (a reference the validator resolved)."""
        return self._items_by_id[item_id]

    def clause(self, clause_id: str | None) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    def category(self, category_id: str | None) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def category_ancestors(self, category_id: str) -> list[str]:
        """A category and all its parents: an item in 必修 also counts for 公需."""
        parents = {c.id: c.parent for c in self.categories}
        out: list[str] = []
        cur: str | None = category_id
        while cur and cur not in out:
            out.append(cur)
            cur = parents.get(cur)
        return out

    def timeline_entry(self, entry_id: str) -> TimelineEntry | None:
        return next((t for t in self.timeline if t.id == entry_id), None)

    def schedule(self, schedule_id: str) -> Schedule | None:
        return next((s for s in self.schedules if s.id == schedule_id), None)

    def role_name(self, role_id: str) -> str:
        return next((r.name for r in self.roles if r.id == role_id), role_id)
