"""prose_numbers pass: a number stated in hand-written prose agrees with the model.

An item's `help`, `description` and `registration` are written by hand beside the rule they
explain, so they can drift from it: the 微课 cap edited from 8 to 10 while its help still says
"每学年最多8学分". The calculator and the guidance pages would then publish both numbers side by
side. This pass reads the statements whose meaning is unambiguous and compares their number with
the model; a contradiction is an error at the statement's own line and column.

| statement | written as                                           | must equal                           |
| --------- | ---------------------------------------------------- | ------------------------------------ |
| cap       | 最多8学分, 最多可记8学分, 最多可认定40学分, 上限为8学分 | one of the item's caps, own or shared |
| block     | 满3学时记1学分, 学满3学时计算1学分                     | the rule's `per` (and `value`)        |
| rate      | 每学时1学分, 每半天记4学分, 每篇3学分, 每及格一学科记10学分 | an amount the rule awards            |
| level     | 三级甲等7学分 (a level's full name)                   | that level's value in the table       |
| factor    | 4倍                                                  | the rule's `factor`                   |
| fixed     | 记20学分, 计20学分 (items with a `fixed` rule only)    | the rule's `value`                    |

A note is checked only in a sentence that names exactly one item by its full `name`. Anything else
is left alone — minimums (不少于120学分 is a requirement, not this item's), worked examples,
Chinese numerals, numbers of other items — so a statement the pass does not recognise is never an
error: precise, not clever. The unit must be the policy's own (学分 or 学时).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.base.diagnostics import Diagnostic, json_path
from generator.base.rational import parse_rational
from generator.policy.context import Context, dicts, mapping, quantity, rule_facts
from generator.policy.source import SourceDoc

PROSE_FIELDS = ("help", "description", "registration")
_NUMBER = r"(?<![\d./])(\d+(?:\.\d+)?(?:/\d+)?)"
_NOT_A_RATE = ("最多", "至多", "上限", "不超过", "不少于", "至少", "不低于", "合计", "累计", "共")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+")


@dataclass(frozen=True)
class _Model:
    """The numbers the model gives one item, by the kind of statement that can name them."""

    caps: frozenset[Fraction]
    awards: frozenset[Fraction]  # what one unit / entry / level earns
    per: Fraction | None
    factor: Fraction | None
    levels: dict[str, Fraction]  # level name → value
    fixed: bool


@dataclass(frozen=True)
class _Statement:
    kind: str
    start: int
    end: int
    numbers: tuple[Fraction, ...]
    text: str
    level: str = ""


def _patterns(unit: str) -> list[tuple[str, re.Pattern]]:
    u = rf"\s*(?:个)?{re.escape(unit)}"
    return [
        ("cap", re.compile(rf"(?:最多|至多|上限为?|不超过|不得超过)(?:可)?(?:记|计|认定|计入|登记|折算)?(?:为)?\s*{_NUMBER}{u}")),
        ("block", re.compile(rf"满\s*{_NUMBER}\s*(?:个)?(?:学时|小时|课时|半天|天|年|篇|次|个|门|科)"
                             rf"[^\d，。；、,;（）()]{{0,4}}?(?:记|计算|计|折合|折算)?\s*{_NUMBER}{u}")),
        ("rate", re.compile(rf"每([\u4e00-\u9fff]{{1,6}}?)(?:计算|记|计|按|折合)?\s*{_NUMBER}{u}")),
        ("factor", re.compile(rf"{_NUMBER}\s*倍")),
        ("fixed", re.compile(rf"(?<![合累共总])(?:记|计)\s*{_NUMBER}{u}")),
    ]


def _statements(text: str, unit: str, level_names: list[str]) -> Iterator[_Statement]:
    """The recognised statements of a text, left to right; a span is read once, by the first kind
    that claims it (最多可记8学分 is a cap, not a fixed value)."""
    found: list[_Statement] = []
    taken: list[tuple[int, int]] = []

    def claim(st: _Statement) -> None:
        if not any(st.start < b and a < st.end for a, b in taken):
            taken.append((st.start, st.end))
            found.append(st)

    patterns = _patterns(unit)
    for kind, pattern in patterns[:2]:
        for m in pattern.finditer(text):
            claim(_Statement(kind, m.start(), m.end(), tuple(_numbers(m)), m.group(0)))
    for name in sorted(level_names, key=len, reverse=True):
        level = re.compile(rf"{re.escape(name)}\s*[：:]?\s*(?:记|计|为)?\s*{_NUMBER}\s*(?:个)?{re.escape(unit)}")
        for m in level.finditer(text):
            claim(_Statement("level", m.start(), m.end(), tuple(_numbers(m)), m.group(0), name))
    for kind, pattern in patterns[2:]:
        for m in pattern.finditer(text):
            if kind == "rate" and any(word in m.group(1) for word in _NOT_A_RATE):
                continue
            claim(_Statement(kind, m.start(), m.end(), tuple(_numbers(m)), m.group(0)))
    yield from sorted(found, key=lambda st: st.start)


def _numbers(m: re.Match) -> Iterator[Fraction]:
    for group in m.groups():
        if group and re.fullmatch(r"\d+(?:\.\d+)?(?:/\d+)?", group):
            yield parse_rational(group)


def _model_of(item: dict, shared_caps: list[dict]) -> _Model:
    rule = mapping(item.get("rule"))
    facts = rule_facts(rule)
    caps = [quantity(c.get("max")) for c in dicts(item.get("caps"))]
    caps += [quantity(c.get("max")) for c in shared_caps if item.get("id") in (c.get("items") or [])]
    names = {lv["id"]: lv.get("name") for lv in dicts(item.get("levels")) if isinstance(lv.get("id"), str)}
    table = facts.table if facts else ()
    return _Model(
        caps=frozenset(c for c in caps if c is not None), awards=frozenset(facts.awards if facts else ()),
        per=facts.per if facts else None, factor=facts.factor if facts else None,
        levels={name: v for lv, v in table if isinstance(name := names.get(lv), str) and name},
        fixed=facts is not None and facts.type == "fixed",
    )


def _contradiction(st: _Statement, model: _Model) -> tuple[str, dict[str, Any]] | None:
    """(code, params) when the statement says something the model does not; None when it agrees
    or the model has nothing of that kind to compare with."""
    stated = st.numbers[-1]
    if st.kind == "cap":
        if not model.caps:
            return "diagnostics.policy.prose.no_cap", {}
        return None if stated in model.caps else ("diagnostics.policy.prose.cap", {"expected": sorted(model.caps)})
    if st.kind == "block":
        per = st.numbers[0]
        if model.per is not None and per != model.per:
            return "diagnostics.policy.prose.per", {"expected": model.per}
        if model.awards and stated not in model.awards:
            return "diagnostics.policy.prose.rate", {"expected": sorted(model.awards)}
        return None
    if st.kind == "rate":
        return None if not model.awards or stated in model.awards else \
            ("diagnostics.policy.prose.rate", {"expected": sorted(model.awards)})
    if st.kind == "level":
        value = model.levels.get(st.level)
        return None if value is None or stated == value else \
            ("diagnostics.policy.prose.level", {"level": st.level, "expected": value})
    if st.kind == "factor":
        return None if model.factor is None or stated == model.factor else \
            ("diagnostics.policy.prose.factor", {"expected": model.factor})
    if st.kind == "fixed" and model.fixed:
        return None if stated in model.awards else ("diagnostics.policy.prose.rate", {"expected": sorted(model.awards)})
    return None


def _check_text(ctx: Context, doc: SourceDoc, path: tuple, text: str, item_id: str, model: _Model, unit: str,
                level_names: list[str]) -> None:
    for st in _statements(text, unit, level_names):
        problem = _contradiction(st, model)
        if problem is None:
            continue
        code, params = problem
        line, column = doc.locate_in_text(path, st.text)
        ctx.diagnostics.append(Diagnostic.of(doc.file, line, column, code, json_path(path), stated=st.text,
                                             item=item_id, unit=unit, **params))


def prose_numbers_pass(ctx: Context) -> None:
    """Numbers in items' help, description and registration (and in notes naming one item) agree
    with the model: caps, rates, block sizes, factors, lookup values."""
    raw_unit = ctx.doc.get("unit")
    unit = raw_unit if isinstance(raw_unit, str) else "学分"
    shared = ctx.entries("caps")
    items = [i for i in ctx.entries("items") if isinstance(i.get("id"), str)]
    models = {i["id"]: _model_of(i, shared) for i in items}
    names = {i["id"]: _level_names(i) for i in items}
    for item in items:
        doc, base = ctx.origins.place(ctx.top, "items", item["id"])
        for key in PROSE_FIELDS:
            if isinstance(item.get(key), str):
                _check_text(ctx, doc, base + (key,), item[key], item["id"], models[item["id"]], unit, names[item["id"]])
    by_name = {i["name"]: i["id"] for i in items if isinstance(i.get("name"), str) and i["name"]}
    for note in ctx.entries("notes"):
        text = note.get("text")
        if not isinstance(text, str):
            continue
        doc, base = ctx.origins.place(ctx.top, "notes", note.get("id"))
        for sentence in _SENTENCE.finditer(text):
            named = [iid for name, iid in by_name.items() if name in sentence.group(0)]
            if len(named) == 1:
                _check_text(ctx, doc, base + ("text",), sentence.group(0), named[0], models[named[0]], unit,
                            names[named[0]])


def _level_names(item: dict) -> list[str]:
    return [lv["name"] for lv in dicts(item.get("levels")) if isinstance(lv.get("name"), str) and lv["name"]]
