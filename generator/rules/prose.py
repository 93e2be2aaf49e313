"""Plain-Chinese prose for rules, caps, requirements and check windows, generated from the model.

The site shows "每满 3 学时计 1 学分，不足 3 学时不计；每学年最多 8 学分" because the rule *is*
``rate {per: 3, value: 1, rounding: floor}`` with a period cap of 8 — never a hand-written copy
that could disagree with the calculator. All wording lives in ``rule_text:`` of
site_templates/messages/zh.yaml; numbers go through :func:`format_rational`.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from generator.base.messages import message
from generator.base.rational import format_rational, parse_rational
from generator.policy.model import Cap, Conversion, Item, Measure, Offset, Policy, Requirement, Window
from generator.rules.types import prose_unit

fmt = format_rational


def _t(key: str, **params: object) -> str:
    return message(f"rule_text.{key}", **params)


def period_word(policy: Policy) -> str:
    """学年 or 年, from the policy's period kind."""
    return policy.period_word


def period_count(policy: Policy, n: int) -> str:
    """5 个学年 / 5 年."""
    return _t(f"period_count.{policy.period.kind}", n=n)


def period_noun(policy: Policy) -> str:
    """学年 / 年度."""
    return _t(f"period_noun.{policy.period.kind}")


def input_unit(item: Item) -> str:
    """学时, 半天, 天, 年 — or the item's own measure word (篇, 个课程, 次) for counts."""
    return prose_unit(item)


def _join(parts: list[str]) -> str:
    return _t("list_joiner").join(parts)


def join_names(names) -> str:
    """甲、乙、丙."""
    return _join([n for n in names if n])


def _quoted(names: list[str]) -> str:
    return _join([_t("quoted", name=n) for n in names])


def rule_phrase(policy: Policy, item: Item) -> str:
    """The rule itself: how an entry's input becomes credits (the rule type says it)."""
    return item.rule.prose(policy, item)


def scope_phrase(policy: Policy, per: str) -> str:
    """每学年 / 每个考核周期（5 个学年） / 累计."""
    if per == "cycle" and policy.cycle_periods:
        return _t("scope.cycle_n", periods=period_count(policy, policy.cycle_periods))
    return _t(f"scope.{per}", period_word=period_word(policy))


def cap_phrase(policy: Policy, cap: Cap) -> str:
    return _t("cap", scope=scope_phrase(policy, cap.per), max=fmt(cap.max), unit=policy.unit)


def shared_caps(policy: Policy, item: Item) -> list[Cap]:
    return [c for c in policy.shared_caps if item.id in c.items]


def shared_cap_phrase(policy: Policy, item: Item, cap: Cap) -> str:
    others = [policy.get_item(i).name for i in cap.items if i != item.id]
    return _t("shared_cap", others=_quoted(others), scope=scope_phrase(policy, cap.per), max=fmt(cap.max),
              unit=policy.unit)


def cap_phrases(policy: Policy, item: Item) -> list[str]:
    """Every cap on the item: its own, then the caps it shares with other items."""
    out = [cap_phrase(policy, c) for c in item.caps]
    out += [shared_cap_phrase(policy, item, c) for c in shared_caps(policy, item)]
    return out


def cap_short(policy: Policy, cap: Cap) -> str:
    """每学年 8 — for the narrow cap column."""
    return _t("cap_short", scope=scope_phrase(policy, cap.per), max=fmt(cap.max))


def condition_phrases(policy: Policy, item: Item) -> list[str]:
    """Gate, de-duplication and role limits."""
    out = []
    if item.gate:
        out.append(_t(f"gate.{item.gate.flag}"))
    if item.dedupe:
        out.append(_t(f"dedupe.{item.dedupe.scope}", period_word=period_word(policy)))
    if item.roles:
        out.append(roles_phrase(policy, item.roles))
    return out


def roles_phrase(policy: Policy, roles: tuple[str, ...] | list[str]) -> str:
    return _t("roles", roles=_join([policy.role_name(r) for r in roles]))


def rule_sentence(policy: Policy, item: Item) -> str:
    """The whole rule of an item in one sentence: rule；caps；conditions."""
    parts = [rule_phrase(policy, item)] + cap_phrases(policy, item) + condition_phrases(policy, item)
    return _t("joiner").join(parts)


def measure_phrase(policy: Policy, measure: Measure) -> str:
    if measure.kind == "total":
        return _t("measure.total", unit=policy.unit)
    if measure.kind == "category":
        category = policy.category(measure.ids[0])
        return _t("measure.category", category=category.name if category else measure.ids[0])
    names = [policy.get_item(i).name for i in measure.ids]
    return _t("measure.items" if len(names) > 1 else "measure.item", items=_quoted(names))


def requirement_sentence(policy: Policy, req: Requirement) -> str:
    """每学年规范性培训不少于 48 学分."""
    return _t("requirement", period_word=period_word(policy), measure=measure_phrase(policy, req.measure),
              min=fmt(req.minimum), unit=policy.unit)


def check_requirement_sentence(policy: Policy, req: Requirement) -> str:
    measure = measure_phrase(policy, req.measure)
    if req.min_per_period is None:
        text = _t("check_min", measure=measure, min=fmt(req.minimum), unit=policy.unit)
    else:
        text = _t("check_min_per_period", measure=measure, min=fmt(req.min_per_period), unit=policy.unit,
                  period_word=period_word(policy))
    if req.periods_between:
        text += _t("joiner") + _t(f"periods_between.{policy.period.kind}", from_year=req.periods_between[0],
                                  to_year=req.periods_between[1])
    return text


def check_window_phrase(policy: Policy, window: Window) -> str:
    word = period_word(policy)
    if window.kind == "last_periods":
        key = "last_periods_previous" if window.end == "previous" else "last_periods_current"
        return _t(f"window.{key}", periods=period_count(policy, window.count), period_noun=period_noun(policy))
    if window.kind == "title_cycle":
        text = _t("window.title_cycle", periods=period_count(policy, window.max_periods), period_word=word,
                  cutoff=month_day(window.cutoff))
        if window.count_current_before_as_of:
            text += _t("window.title_cycle_current")
        return text
    return _t("window.all", period_word=word)


def period_phrase(policy: Policy) -> str:
    p = policy.period
    if p.kind == "school_year":
        start = dt.date(2001, p.start_month, p.start_day)
        end = start - dt.timedelta(days=1)
        return _t("period.school_year", start=_t("month_day", month=start.month, day=start.day),
                  end=_t("month_day", month=end.month, day=end.day))
    return _t("period.calendar_year")


def cycle_phrase(policy: Policy) -> str:
    return _t("cycle", periods=period_count(policy, policy.cycle_periods)) if policy.cycle_periods else ""


def conversion_phrase(conv: Conversion) -> str:
    return _t("conversion", from_unit=conv.from_unit, factor=fmt(conv.factor), to_unit=conv.to_unit)


def format_date(value: str | dt.date | None) -> str:
    """2018-06-20 → 2018年6月20日; 2018-11 → 2018年11月."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        value = value.isoformat()
    parts = str(value).split("-")
    if len(parts) == 2:
        return _t("month", year=int(parts[0]), month=int(parts[1]))
    return _t("date", year=int(parts[0]), month=int(parts[1]), day=int(parts[2]))


def offset_phrase(offset: Offset) -> str:
    """开班前 30 日内 — a deadline relative to an event (timeline kind: relative)."""
    return _t(f"offset.{offset.relation}", anchor=offset.anchor, days=offset.days)


def month_day(value: str) -> str:
    """03-31 → 3月31日."""
    month, day = value.split("-")
    return _t("month_day", month=int(month), day=int(day))


def date_range(start: str, end: str) -> str:
    return _t("date_range", start=format_date(start), end=format_date(end))


def number(value: Fraction | int | str) -> str:
    """Exact rendering of a quantity for tables."""
    return fmt(value if isinstance(value, Fraction) else parse_rational(value))
