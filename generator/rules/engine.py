"""The reference engine: a ledger under a policy → credits, requirements, checks and a trace.

All arithmetic is on Fractions. The result is a plain JSON-ready dict (numbers as exact decimal
or fraction strings) so the Python and JS engines can be compared byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from typing import Any

from generator.base.dates import parse_date
from generator.base.messages import message
from generator.base.rational import format_rational as fmt
from generator.policy.model import Cap, Check, Item, Policy, Requirement, Verdict
from generator.rules.errors import display, record, suggestion
from generator.rules.inputs import ALL_INPUT_FIELDS, InputConversion, amount, input_conversions, input_fields
from generator.rules.periods import PeriodSpan, period_of, period_starting, span_of

RESULT_FORMAT = "jxjy-result/2"


class _Trace:
    def __init__(self) -> None:
        self.lines: list[dict] = []

    def add(self, text: str, source: str = "", period: str | None = None, ref: str = "") -> None:
        line: dict[str, Any] = {"text": text}
        if period is not None:
            line["period"] = period
        if ref:
            line["ref"] = ref
        if source:
            line["source"] = source
        self.lines.append(line)


def _span_of(policy: Policy, day: dt.date) -> PeriodSpan | None:
    return span_of(policy.period, day)

def _spans(policy: Policy, years: range) -> list[PeriodSpan]:
    """The periods starting in these years, leaving out those that cannot be represented."""
    out = []
    for year in years:
        try:
            out.append(period_starting(policy.period, year))
        except ValueError:
            continue
    return out


def _start_year(policy: Policy, day: dt.date) -> int:
    """The year the period containing `day` starts in (arithmetic only: also for unrepresentable periods)."""
    before = (day.month, day.day) < (policy.period.start_month, policy.period.start_day)
    return day.year - 1 if before else day.year


def _read_inputs(policy: Policy, ledger: Any, as_of: Any) -> tuple[dt.date | None, set[str], dict[str, dt.date],
                                                                    str, list, list[dict]]:
    """as_of, roles, person dates and entries, each bad part reported as an input error (a coded record,
    errors.input.*) and ignored."""
    problems: list[dict] = []

    def report(field: str, code: str, **params: str) -> None:
        problems.append(record(field, f"errors.input.{code}", **params))

    as_of_date = None
    if as_of is not None:
        as_of_date = parse_date(as_of)
        if as_of_date is None:
            report("as_of", "as_of_not_a_date", value=display(as_of))
        elif _span_of(policy, as_of_date) is None:
            report("as_of", "as_of_out_of_range", date=as_of_date.isoformat())
            as_of_date = None
    if not isinstance(ledger, dict):
        report("", "ledger_not_an_object", value=display(ledger))
        ledger = {}
    roles: set[str] = set()
    dates: dict[str, dt.date] = {}
    school = ""
    person = ledger.get("person")
    if person is not None and not isinstance(person, dict):
        report("person", "person_not_an_object", value=display(person))
    elif person is not None:
        raw_roles = person.get("roles")
        if isinstance(raw_roles, list):
            for n, role in enumerate(raw_roles):
                if isinstance(role, str):
                    roles.add(role)
                else:
                    report(f"person.roles[{n}]", "role_not_text", value=display(role))
        elif raw_roles is not None:
            report("person.roles", "roles_not_a_list", value=display(raw_roles))
        raw_dates = person.get("dates")
        if isinstance(raw_dates, dict):
            for name in sorted(k for k in raw_dates if isinstance(k, str)):
                value = raw_dates[name]
                day = parse_date(value)
                if day is not None:
                    dates[name] = day
                elif value is not None:
                    report(f"person.dates.{name}", "date_not_a_date", name=name, value=display(value))
        elif raw_dates is not None:
            report("person.dates", "dates_not_an_object", value=display(raw_dates))
        if isinstance(person.get("school"), str):
            school = person["school"]
    entries = ledger.get("entries")
    if entries is not None and not isinstance(entries, list):
        report("entries", "entries_not_a_list", value=display(entries))
    return as_of_date, roles, dates, school, entries if isinstance(entries, list) else [], problems


def _level_list(item: Item) -> str:
    """The levels an item offers, as error messages list them: "id（name）" joined by 、."""
    return "、".join(f"{lv.id}（{lv.name}）" for lv in item.levels)


def check_entry(policy: Policy, entry: Any, roles: set[str]) -> list[dict]:
    """Why this entry cannot be counted under this policy, as coded records (errors.entry.*, in the order of
    docs/bundle-spec.md §6.1); an empty list when it can."""
    if not isinstance(entry, dict):
        return [record("", "errors.entry.not_an_object", value=display(entry))]
    errors: list[dict] = []
    item_id = entry.get("item")
    item = policy.item(item_id) if isinstance(item_id, str) else None
    if item_id is None:
        errors.append(record("item", "errors.entry.missing.item"))
    elif item is None:
        close = suggestion(item_id, [i.id for i in policy.items]) if isinstance(item_id, str) else None
        if close is None:
            errors.append(record("item", "errors.entry.unknown_item", item=display(item_id)))
        else:
            errors.append(record("item", "errors.entry.unknown_item_close", item=display(item_id), suggestion=close))
    day = parse_date(entry.get("date"))
    first, last = policy.period.first, policy.period.last
    if entry.get("date") is None:
        errors.append(record("date", "errors.entry.missing.date"))
    elif day is None:
        errors.append(record("date", "errors.entry.date_not_a_date", value=display(entry.get("date"))))
    elif _span_of(policy, day) is None:
        errors.append(record("date", "errors.entry.date_out_of_range", date=day.isoformat()))
        day = None
    elif (first and day.isoformat() < first) or (last and day.isoformat() > last):
        errors.append(record("date", "errors.entry.date_outside_policy", date=day.isoformat(), first=first or "…",
                             last=last or "…"))
    if entry.get("counts_for") is not None and day is not None and not errors:
        errors.extend(_check_counts_for(policy, entry.get("counts_for"), day))
    if item is None:
        return errors
    if item.roles and not roles.intersection(item.roles):
        names = "、".join(policy.role_name(r) for r in item.roles)
        errors.append(record("item", "errors.entry.role_only", name=item.name, roles=names))
    wanted = input_fields(item.input)
    converts = input_conversions(policy.conversions, item.input)
    converted = False
    for name in ALL_INPUT_FIELDS:
        if name in entry and entry[name] is not None and name not in wanted:
            conv = converts.get(name)
            if conv is None:
                errors.append(record(name, f"errors.entry.not_taken.{item.input}", name=item.name))
            elif any(entry.get(w) is not None for w in wanted):
                errors.append(record(name, "errors.entry.both_units", name=item.name, from_unit=conv.from_unit,
                                     to_unit=conv.to_unit))
            elif amount(entry[name]) is None:
                errors.append(record(name, "errors.entry.not_an_amount", value=display(entry[name])))
            else:
                converted = True
    for name in wanted:
        value = entry.get(name)
        if value is None and converted:
            continue  # given in a unit the policy converts into this one
        if name == "level":
            if value is None:
                errors.append(record("level", "errors.entry.missing.level", levels=_level_list(item)))
            elif value not in item.level_ids:
                errors.append(record("level", "errors.entry.unknown_level", value=display(value), name=item.name,
                                     levels=_level_list(item)))
            continue
        if value is None:
            if item.input == "subjects":
                continue  # passed or failed may be omitted; both omitted is caught below
            errors.append(record(name, f"errors.entry.missing.{name}"))
        elif amount(value) is None:
            errors.append(record(name, "errors.entry.not_an_amount", value=display(value)))
    if item.input == "subjects" and entry.get("passed") is None and entry.get("failed") is None:
        errors.append(record("passed", "errors.entry.no_subjects"))
    course = entry.get("course")
    if course is not None and not isinstance(course, str):  # a name: de-duplication and forms read it as text
        errors.append(record("course", "errors.entry.course_not_text", value=display(course)))
    return errors


def declared_span(policy: Policy, value: Any) -> PeriodSpan | None:
    """The period a `counts_for` value names, if it is a period id of this policy."""
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    try:
        span = period_starting(policy.period, int(value[:4]))
    except ValueError:  # year 0000 or 9999 of a school year: no such period
        return None
    return span if span.id == value else None


def _check_counts_for(policy: Policy, value: Any, day: dt.date) -> list[dict]:
    """`counts_for` must name an earlier period of this policy, and the policy must say how make-up counts."""
    span = declared_span(policy, value)
    if span is None:
        example = period_of(policy.period, day).id
        return [record("counts_for", "errors.entry.counts_for_not_a_period", value=display(value), example=example)]
    own = period_of(policy.period, day)
    if span == own:
        return []
    if span > own:
        return [record("counts_for", "errors.entry.counts_for_later", value=span.id, own=own.id)]
    if policy.period.makeup is None:
        return [record("counts_for", "errors.entry.counts_for_no_makeup", value=span.id)]
    first, last = policy.period.first, policy.period.last
    if (first and span.end.isoformat() < first) or (last and span.start.isoformat() > last):
        return [record("counts_for", "errors.entry.counts_for_outside_policy", value=span.id, first=first or "…",
                       last=last or "…")]
    return []


def entry_period(policy: Policy, entry: dict) -> PeriodSpan:
    """The period a countable entry belongs to: its `counts_for` (make-up learning) where the policy says how
    make-up counts, else the period of its date — exactly as `evaluate` assigns it."""
    day = parse_date(entry["date"])
    assert day is not None, "entry_period takes entries check_entry accepts"
    own = period_of(policy.period, day)
    declared = declared_span(policy, entry.get("counts_for"))
    if declared is not None and declared != own and policy.period.makeup is not None:
        return declared
    return own


def converted_entry(policy: Policy, item: Item, entry: dict) -> tuple[dict, InputConversion | None]:
    """An entry in its item's own input: an amount given in a unit the policy converts (2 天 → 12 学时) is
    converted, and the conversion returned for the trace; any other entry is returned as it is."""
    for conv in input_conversions(policy.conversions, item.input).values():
        value = amount(entry.get(conv.field))
        if entry.get(conv.field) is not None and value is not None:
            out = {k: v for k, v in entry.items() if k != conv.field}
            out[conv.into] = fmt(value * conv.factor)
            return out, conv
    return entry, None


def entry_credit(policy: Policy, entry: dict) -> Fraction:
    """What `evaluate` credits one countable entry before caps and de-duplication: 0 when its make-up does
    not count or its exam gate is not passed, else its rule type's credit of that entry alone (in the item's
    own input, converted where the policy converts the entry's unit)."""
    item = policy.get_item(entry["item"])
    makeup = policy.period.makeup
    if makeup is not None and not makeup.counts and entry_period(policy, entry) != period_of(
            policy.period, parse_date(entry["date"])):  # type: ignore[arg-type]
        return Fraction(0)
    if item.gate and entry.get(item.gate.flag) is not True:
        return Fraction(0)
    return item.rule.entry_credit(item, converted_entry(policy, item, entry)[0])[0]


def _course_key(entry: dict) -> str:
    """The text an entry's course is compared by: whitespace removed, lower-cased; "" (no key) when there is no
    course (check_entry refuses a course that is not text)."""
    course = entry.get("course")
    return "".join(course.split()).lower() if isinstance(course, str) else ""


def _window(policy: Policy, check: Check, as_span: PeriodSpan | None, person_dates: dict[str, dt.date],
            as_of: dt.date | None, trace: _Trace) -> tuple[list[PeriodSpan], dt.date | None, list[str]]:
    """Periods a check sums over; plus the as-of date up to which the next period also counts.

    Periods that cannot be represented (before year 1) are left out of a window."""
    w = check.window
    if w.kind == "all":
        return [], None, ["all"]
    if as_span is None:
        return [], None, []
    as_year = as_span.start.year
    if w.kind == "last_periods":
        end_year = as_year if w.end == "current" else as_year - 1
        return _spans(policy, range(end_year - w.count + 1, end_year + 1)), None, []
    # title_cycle
    title = person_dates.get(w.date)
    if title is None or as_of is None:
        trace.add(message("check.missing_date", name=check.name, date=w.date), check.source, ref=f"check:{check.id}")
        return [], None, ["missing"]
    cutoff = tuple(int(x) for x in w.cutoff.split("-"))
    end_year = as_year if (as_of.month, as_of.day) > cutoff else as_year - 1
    start_year = max(_start_year(policy, title), end_year - w.max_periods + 1)
    spans = _spans(policy, range(start_year, end_year + 1))
    extra = as_of if (end_year != as_year and w.count_current_before_as_of) else None
    return spans, extra, ["title", title.isoformat()]


ENGINE = "jxjy-engine/2"


def default_as_of(policy: Policy, today: dt.date) -> dt.date:
    """The evaluation date a person means by "now" under this edition: today, moved into the edition's window
    (its first day … the last day registration and review run under it). An edition without a window: today."""
    window = policy.in_force
    if window is None:
        return today
    first, last = parse_date(window.start), parse_date(window.last_day)
    assert first is not None and last is not None  # the schema checked both
    return min(max(today, first), last)


def edition_in_force(editions: list[Policy], day: dt.date) -> Policy:
    """The edition in force on a day: the one whose window (review included) holds it, the latest-starting when
    windows overlap; outside every window, the latest edition that started before the day, else the first."""
    def window(p: Policy) -> tuple[str, str]:
        w = p.in_force
        return (w.start, w.last_day) if w else ("", "9999-12-31")

    ordered = sorted(editions, key=lambda p: (window(p)[0], p.edition))
    text = day.isoformat()
    holding = [p for p in ordered if window(p)[0] <= text <= window(p)[1]]
    if holding:
        return holding[-1]
    started = [p for p in ordered if window(p)[0] <= text]
    return started[-1] if started else ordered[0]


def _in_force(policy: Policy, span: PeriodSpan) -> bool:
    """Whether the edition governs this period (its window overlaps it); every period when it has no window."""
    window = policy.in_force
    return window is None or (span.start.isoformat() <= window.end and span.end.isoformat() >= window.start)


def _deadline_target(policy: Policy, day: str) -> str | None:
    """The period a dated deadline is the deadline of: the latest period the edition governs that starts on or
    before that day (Chengdu's 7月31日 → 2017—2018学年; Shuangliu's 9月11日 slot → the same; Zhengzhou's 12月20日
    → 2021年度)."""
    date = parse_date(day)
    if date is None:
        return None
    window = policy.in_force
    if window is None:
        span = span_of(policy.period, date)
        return span.id if span else None
    first, last = parse_date(window.start), parse_date(window.end)
    assert first is not None and last is not None
    best = None
    for year in range(_start_year(policy, first), _start_year(policy, last) + 1):
        try:
            span = period_starting(policy.period, year)
        except ValueError:
            continue
        if _in_force(policy, span) and span.start <= date:
            best = span.id
    return best


def _school_slot(policy: Policy, school: str) -> tuple[str, str, str] | None:
    """(date, title, source) of the person's school's slot in the edition's per-school schedule, if it is on it."""
    slots = policy.school_slots
    if slots is None or not school.strip():
        return None
    schedule = policy.schedule(slots.schedule)
    if schedule is None:
        return None
    wanted = "".join(school.split())
    for row in schedule.rows:
        if "".join(row.organization.split()) == wanted:
            return row.date, message("deadline.school_slot", school=row.organization, schedule=schedule.title), \
                slots.source
    return None


def _deadline(policy: Policy, span: PeriodSpan, timeline_id: str, school: str) -> dict | None:
    """When a shortfall of this period must be made up: the person's school's slot, else the requirement's dated
    timeline entry (for the period it is the deadline of), else the period's end — for periods the edition
    governs. None for a period outside the edition's window: it states no deadline for it."""
    if not _in_force(policy, span):
        return None
    slot = _school_slot(policy, school)
    if slot is not None and _deadline_target(policy, slot[0]) == span.id:
        return {"date": slot[0], "title": slot[1], "source": slot[2], "kind": "school_slot"}
    entry = policy.timeline_entry(timeline_id) if timeline_id else None
    day = (entry.date or entry.end) if entry else ""
    if entry is not None and day and _deadline_target(policy, day) == span.id:
        return {"date": day, "title": entry.title, "source": entry.source, "kind": "timeline"}
    return {"date": span.end.isoformat(), "title": message("deadline.period_end", period=span.label),
            "source": policy.period.source, "kind": "period_end"}


def _state(met: bool, deadline: dict | None, span_end: dt.date | None, as_of: dt.date | None) -> str:
    """met; in_progress while the deadline (or, outside the window, the period's end) has not passed; failed."""
    if met:
        return "met"
    until = deadline["date"] if deadline else (span_end.isoformat() if span_end else None)
    if as_of is not None and until is not None and as_of.isoformat() <= until:
        return "in_progress"
    return "failed"


def _until(deadline: dict | None, state: str) -> str:
    if deadline is None:
        return ""
    date = message("rule_text.date", year=int(deadline["date"][:4]), month=int(deadline["date"][5:7]),
                   day=int(deadline["date"][8:]))
    return message("deadline.until" if state == "in_progress" else "deadline.until_passed", date=date)


class _Outcomes:
    """What became of each entry, for result.entries: counted, reduced (a cap or rounding took part of its item),
    not counted (gate, duplicate, make-up, after the evaluation date), or refused (an error)."""

    def __init__(self, size: int) -> None:
        self.entries: list[dict] = [{"index": i, "status": "counted", "item": None, "period": None, "reasons": []}
                                    for i in range(size)]

    def place(self, idx: int, item: str, period: str | None) -> None:
        self.entries[idx]["item"], self.entries[idx]["period"] = item, period

    def reason(self, idx: int, code: str, status: str | None = None, **params: str) -> None:
        entry = self.entries[idx]
        entry["reasons"].append(_reason(code, **params))
        if status is not None:
            entry["status"] = status
        elif entry["status"] == "counted" and code in ("reasons.capped", "reasons.rounded"):
            entry["status"] = "reduced"


def _reason(code: str, **params: str) -> dict:
    return {"code": code, "params": params, "message": message(code, **params)}


def evaluate(policy: Policy, ledger: Any, as_of: dt.date | str | None = None, *, bundle_sha256: str | None = None) -> dict:
    """Evaluate a ledger (a dict per schemas/ledger.schema.json) under a policy.

    Never raises on JSON-like input: entries that cannot be counted are reported in `errors`; a bad
    as_of, person, roles, dates or entries list in `input_errors` (present only when there are any),
    and evaluation goes on without the bad part. Without as_of, the latest entry's date is the evaluation
    date (callers that mean "now" pass default_as_of). `bundle_sha256`: the sha256 of the bundle the rules
    came from, when the caller knows it, so the result can be traced to it."""
    trace = _Trace()
    as_of_date, roles, person_dates, school, entries, input_errors = _read_inputs(policy, ledger, as_of)
    outcomes = _Outcomes(len(entries))
    errors: list[dict] = []
    good: list[tuple[int, dict, Item, dt.date]] = []
    for idx, entry in enumerate(entries):
        problems = check_entry(policy, entry, roles)
        for p in problems:
            errors.append({"entry": idx, **p})
        if problems:
            outcomes.entries[idx]["status"] = "refused"
            outcomes.entries[idx]["reasons"].append(_reason("reasons.error"))
            if isinstance(entry, dict) and isinstance(entry.get("item"), str) and policy.item(entry["item"]):
                outcomes.entries[idx]["item"] = entry["item"]
            continue
        day = parse_date(entry["date"])
        assert day is not None  # check_entry accepted it
        good.append((idx, entry, policy.get_item(entry["item"]), day))
        outcomes.place(idx, entry["item"], None)
    if as_of_date is None and good:
        as_of_date = max(day for *_, day in good)
    notices: list[dict] = []
    window = policy.in_force
    if window is not None and as_of_date is not None:
        if as_of_date.isoformat() < window.start:
            notices.append(_reason("notice.as_of_before", as_of=as_of_date.isoformat(), start=window.start))
        elif as_of_date.isoformat() > window.last_day:
            notices.append(_reason("notice.as_of_after", as_of=as_of_date.isoformat(), end=window.last_day))
    counted = []
    for idx, entry, item, day in good:
        if as_of_date is not None and day > as_of_date:
            trace.add(message("entry.after_as_of", date=day.isoformat(), as_of=as_of_date.isoformat()),
                      ref=f"entry:{idx}")
            outcomes.reason(idx, "reasons.after_as_of", "not_counted", as_of=as_of_date.isoformat())
            continue
        counted.append((idx, entry, item, day))
    counted.sort(key=lambda t: (t[3], t[0]))

    as_span = period_of(policy.period, as_of_date) if as_of_date else None
    if as_span is not None and window is not None and not _in_force(policy, as_span):
        # past its window (registration and review still running) or before it, the edition speaks for its own
        # last (or first) period, not for one it does not govern
        edge = parse_date(window.end if as_span.start.isoformat() > window.end else window.start)
        assert edge is not None  # the schema checked it
        as_span = period_of(policy.period, edge)
    spans: dict[str, PeriodSpan] = {}
    by_period: dict[str, list] = defaultdict(list)
    refused: set[int] = set()  # make-up entries the policy does not count
    outside: dict[tuple[str, str], int] = defaultdict(int)  # (period, before|after) → entries outside the window
    for idx, entry, item, day in counted:
        span = period_of(policy.period, day)
        declared = declared_span(policy, entry.get("counts_for"))
        if declared is not None and declared != span and policy.period.makeup is not None:
            span = declared
            key = "makeup.counted" if policy.period.makeup.counts else "makeup.not_counted"
            if not policy.period.makeup.counts:
                refused.add(idx)
                outcomes.reason(idx, "reasons.makeup_not_counted", "not_counted", period=span.label)
            trace.add(message(key, item=item.name, date=day.isoformat(), period=span.label,
                              period_word=message(f"period_word.{policy.period.kind}")),
                      policy.period.makeup.source, span.id, f"entry:{idx}")
        entry, conv = converted_entry(policy, item, entry)
        if conv is not None:
            trace.add(message("conversion.applied", item=item.name, amount=fmt(amount(entries[idx][conv.field]) or Fraction(0)),
                              from_unit=conv.from_unit, factor=fmt(conv.factor), converted=entry[conv.into],
                              to_unit=conv.to_unit), conv.source, span.id, f"entry:{idx}")
        if window is not None and not window.start <= day.isoformat() <= window.end:
            side = "before" if day.isoformat() < window.start else "after"
            outside[(span.id, side)] += 1
            outcomes.reason(idx, "reasons.outside_window")
        outcomes.place(idx, item.id, span.id)
        spans[span.id] = span
        by_period[span.id].append((idx, entry, item))
    if as_span is not None:
        spans[as_span.id] = as_span
    for (pid, side), count in sorted(outside.items()):
        assert window is not None
        bound = {"start": window.start} if side == "before" else {"end": window.end}  # the template's own
        notices.append(dict(_reason(f"notice.entries_{side}", period=spans[pid].label, count=str(count), **bound),
                            period=pid))

    # check windows may reach periods without entries: those count as zero, not as output periods
    windows: dict[str, tuple] = {}
    for check in policy.checks:
        if check.roles and not roles.intersection(check.roles):
            continue
        win_trace = _Trace()
        periods, extra, info = _window(policy, check, as_span, person_dates, as_of_date, win_trace)
        windows[check.id] = (periods, extra, info, win_trace)

    ordered = sorted(spans.values())
    credited: dict[str, dict[str, Fraction]] = {}
    running: dict[tuple[str, int], Fraction] = defaultdict(Fraction)  # cumulative caps
    seen_courses: dict[tuple, str] = {}
    periods_out: dict[str, dict] = {}
    for span in ordered:
        pid = span.id
        item_raw: dict[str, Fraction] = {}
        item_entries: dict[str, list[int]] = defaultdict(list)
        item_facts: dict[str, list] = defaultdict(list)
        for idx, entry, item in by_period.get(pid, []):
            if idx in refused:
                item_entries[item.id].append(idx)
                item_raw.setdefault(item.id, Fraction(0))
                continue
            if item.gate and entry.get(item.gate.flag) is not True:
                trace.add(message(f"gate.{item.gate.flag}", item=item.name), item.gate.source, pid, f"entry:{idx}")
                outcomes.reason(idx, "reasons.gate", "not_counted")
                item_entries[item.id].append(idx)
                item_raw.setdefault(item.id, Fraction(0))
                continue
            if item.dedupe and _course_key(entry):
                scope = item.dedupe.scope
                course = (item.id, _course_key(entry), pid if scope == "period" else "*")
                if course in seen_courses:
                    trace.add(message("dedupe.duplicate", item=item.name, course=entry.get("course")),
                              item.dedupe.source, pid, f"entry:{idx}")
                    outcomes.reason(idx, "reasons.duplicate", "not_counted", course=display(entry.get("course")))
                    item_entries[item.id].append(idx)
                    item_raw.setdefault(item.id, Fraction(0))
                    continue
                seen_courses[course] = pid
            item_entries[item.id].append(idx)
            item_facts[item.id].append((idx, entry))
            item_raw.setdefault(item.id, Fraction(0))
        # each item's rule (generator/rules/types.py): per entry, or over the period's summed input
        for item_id in list(item_raw):
            item = policy.get_item(item_id)
            facts = item_facts.get(item_id, [])
            value, lines = item.rule.period_credit(policy, item, facts)
            for text, ref in lines:
                trace.add(text, item.source, pid, ref)
            item_raw[item_id] = value
            exact = item.rule.unrounded(item, facts)
            if exact is not None and exact > value:
                for idx, _ in facts:
                    outcomes.reason(idx, "reasons.rounded", item=item.name, period=span.label, exact=fmt(exact),
                                    credited=fmt(value), unit=policy.unit)
        order = {it.id: n for n, it in enumerate(policy.items)}
        item_raw = dict(sorted(item_raw.items(), key=lambda kv: order[kv[0]]))
        # item caps
        item_credit = dict(item_raw)
        word = message(f"period_word.{policy.period.kind}")
        for item_id in item_credit:
            item = policy.get_item(item_id)
            for n, cap in enumerate(item.caps):
                before = item_credit[item_id]
                if cap.per == "period":
                    after = min(before, cap.max)
                    if after < before:
                        trace.add(message("cap.item_period", item=item.name, raw=fmt(before), max=fmt(cap.max),
                                          credited=fmt(after), unit=policy.unit, period_word=word),
                                  cap.source, pid, f"item:{item_id}")
                else:
                    counter = (item_id, n)
                    after = min(before, max(cap.max - running[counter], Fraction(0)))
                    running[counter] += after
                    if after < before:
                        trace.add(message("cap.item_running", item=item.name, max=fmt(cap.max), credited=fmt(after),
                                          unit=policy.unit, period_word=word), cap.source, pid, f"item:{item_id}")
                item_credit[item_id] = after
        for cap in policy.shared_caps:
            _apply_shared_cap(policy, cap, item_credit, running, trace, pid, word)
        for item_id, value in item_credit.items():
            if value < item_raw[item_id]:
                for idx, _ in item_facts.get(item_id, []):
                    outcomes.reason(idx, "reasons.capped", item=policy.get_item(item_id).name, period=span.label,
                                    raw=fmt(item_raw[item_id]), credited=fmt(value), unit=policy.unit)
        credited[pid] = item_credit
        categories = _category_totals(policy, item_credit)
        total = sum(item_credit.values(), Fraction(0))
        for cat in policy.categories:
            members = [i for i in item_credit if cat.id in policy.category_ancestors(policy.get_item(i).category)]
            if members:
                trace.add(message("total.category", category=cat.name, items=" + ".join(
                    f"{policy.get_item(i).name} {fmt(item_credit[i])}" for i in members),
                    credits=fmt(categories[cat.id]), unit=policy.unit), cat.source, pid, f"category:{cat.id}")
        trace.add(message("total.total", credits=fmt(total), unit=policy.unit), period=pid, ref="total")
        reqs = {}
        for req in policy.requirements:
            if req.roles and not roles.intersection(req.roles):
                continue
            actual = _measure(policy, req, item_credit, categories, total)
            deadline = _deadline(policy, span, req.deadline, school)
            reqs[req.id] = _requirement_result(policy, req, req.minimum, actual, trace, pid, deadline, span.end,
                                               as_of_date)
        _state_carry_over(policy, span, total, reqs, trace)
        periods_out[pid] = {
            "id": pid, "label": span.label, "start": span.start.isoformat(), "end": span.end.isoformat(),
            "in_force": _in_force(policy, span),
            "items": {i: {"raw": fmt(item_raw[i]), "credited": fmt(item_credit[i]), "entries": item_entries[i]}
                      for i in item_credit},
            "categories": {c: fmt(v) for c, v in categories.items()},
            "total": fmt(total),
            "requirements": reqs,
        }
        if policy.period.verdict is not None:
            periods_out[pid]["verdict"] = _verdict(policy, policy.period.verdict, span, reqs, trace)

    checks_out = {}
    for check in policy.checks:
        if check.id not in windows:
            continue
        periods, extra, info, win_trace = windows[check.id]
        trace.lines.extend(win_trace.lines)
        checks_out[check.id] = _evaluate_check(policy, check, periods, extra, info, credited, trace, as_of_date,
                                               as_span, school)
    result: dict[str, Any] = {
        "format": RESULT_FORMAT,
        "engine": ENGINE,
        "policy": {"id": policy.id, "edition": policy.edition, "unit": policy.unit,
                   "revision": policy.revision.number if policy.revision else None},
        "bundle_sha256": bundle_sha256,
        "in_force": ({"from": window.start, "to": window.end, "last_day": window.last_day} if window else None),
        "as_of": as_of_date.isoformat() if as_of_date else None,
        "person": {"roles": sorted(roles)},
        "periods": periods_out,
        "checks": checks_out,
        "entries": outcomes.entries,
        "notices": notices,
        "errors": errors,
        "trace": trace.lines,
    }
    if input_errors:
        result["input_errors"] = input_errors
    return result


def _state_carry_over(policy: Policy, span: PeriodSpan, total: Fraction, reqs: dict, trace: _Trace) -> None:
    """Say so when a period's total exceeds its total requirement and the policy forbids carrying the excess."""
    if policy.period.carry_over is not False:
        return
    totals = [r for r in policy.requirements if r.measure.kind == "total" and r.id in reqs]
    if not totals:
        return
    req = max(totals, key=lambda r: r.minimum)
    if total <= req.minimum:
        return
    trace.add(message("carry_over.not_carried", period=span.label, total=fmt(total), unit=policy.unit, name=req.name,
                      excess=fmt(total - req.minimum), period_word=message(f"period_word.{policy.period.kind}")),
              policy.period.carry_over_source or policy.period.source, span.id, "carry_over")


def _verdict(policy: Policy, verdict: Verdict, span: PeriodSpan, reqs: dict, trace: _Trace) -> dict:
    """Passed when every applicable requirement is met; in progress while one is; failed once one failed."""
    unmet = [r for r in reqs.values() if r["state"] != "met"]
    if reqs and not unmet:
        state = "passed"
        text = message("verdict.passed", period=span.label, name=verdict.name)
    elif unmet and all(r["state"] == "in_progress" for r in unmet):
        state = "in_progress"
        latest = max((r["deadline"] for r in unmet if r["deadline"]), key=lambda d: d["date"], default=None)
        text = message("verdict.in_progress", period=span.label, name=verdict.name,
                       unmet="、".join(r["name"] for r in unmet), until=_until(latest, state))
    else:
        state = "failed"
        text = message("verdict.failed", period=span.label, name=verdict.name,
                       unmet="、".join(r["name"] for r in unmet) or "—")
    trace.add(text, verdict.source, span.id, "verdict")
    return {"name": verdict.name, "passed": state == "passed", "state": state, "source": verdict.source}


def _apply_shared_cap(policy: Policy, cap: Cap, item_credit: dict, running: dict, trace: _Trace, pid: str,
                      word: str) -> None:
    members = [i for i in cap.items if i in item_credit]
    raw = sum((item_credit[i] for i in members), Fraction(0))
    if cap.per == "period":
        allowed = cap.max
    else:
        allowed = max(cap.max - running[(cap.id, -1)], Fraction(0))
    excess = raw - allowed
    if cap.per != "period":
        running[(cap.id, -1)] += min(raw, allowed)
    if excess <= 0:
        return
    for item_id in reversed(members):  # the last-listed items give way first
        cut = min(excess, item_credit[item_id])
        if cut <= 0:
            continue
        item_credit[item_id] -= cut
        excess -= cut
        trace.add(message("cap.shared", cap=cap.name, items="、".join(policy.get_item(i).name for i in members),
                          raw=fmt(raw), max=fmt(cap.max), item=policy.get_item(item_id).name,
                          credited=fmt(item_credit[item_id]), unit=policy.unit, period_word=word),
                  cap.source, pid, f"item:{item_id}")
        if excess <= 0:
            break


def _category_totals(policy: Policy, item_credit: dict[str, Fraction]) -> dict[str, Fraction]:
    totals = {c.id: Fraction(0) for c in policy.categories}
    for item_id, value in item_credit.items():
        for cat in policy.category_ancestors(policy.get_item(item_id).category):
            if cat in totals:
                totals[cat] += value
    return totals


def _measure(policy: Policy, req: Requirement, item_credit: dict, categories: dict, total: Fraction) -> Fraction:
    m = req.measure
    if m.kind == "total":
        return total
    if m.kind == "category":
        return categories.get(m.ids[0], Fraction(0))
    return sum((item_credit.get(i, Fraction(0)) for i in m.ids), Fraction(0))


def _requirement_result(policy: Policy, req: Requirement, required: Fraction, actual: Fraction, trace: _Trace,
                        pid: str | None, deadline: dict | None, span_end: dt.date | None, as_of: dt.date | None,
                        ref_prefix: str = "requirement") -> dict:
    """A requirement's numbers and its state: met, in progress (before its deadline), or failed."""
    met = actual >= required
    shortfall = max(required - actual, Fraction(0))
    state = _state(met, deadline, span_end, as_of)
    key = {"met": "requirement.met", "in_progress": "requirement.in_progress", "failed": "requirement.unmet"}[state]
    trace.add(message(key, name=req.name, required=fmt(required), actual=fmt(actual), shortfall=fmt(shortfall),
                      unit=policy.unit, until=_until(deadline, state)), req.source, pid, f"{ref_prefix}:{req.id}")
    return {"id": req.id, "name": req.name, "required": fmt(required), "actual": fmt(actual), "met": met,
            "shortfall": fmt(shortfall), "state": state, "deadline": deadline, "source": req.source}


def _evaluate_check(policy: Policy, check: Check, periods: list[PeriodSpan], extra: dt.date | None, info: list,
                    credited: dict, trace: _Trace, as_of: dt.date | None, as_span: PeriodSpan | None,
                    school: str) -> dict:
    ref = f"check:{check.id}"
    if info == ["all"]:
        pids = sorted(credited)
    else:
        pids = [s.id for s in periods]
    labels = "、".join(_label(policy, p) for p in pids)
    if info and info[0] == "title":
        trace.add(message("check.window_title_cycle", name=check.name, title_date=info[1],
                          as_of=as_of.isoformat() if as_of else "", periods=labels or "—"), check.source, ref=ref)
    elif pids:
        trace.add(message("check.window", name=check.name, periods=labels), check.source, ref=ref)
    else:
        trace.add(message("check.window_empty", name=check.name), check.source, ref=ref)
    item_sum: dict[str, Fraction] = defaultdict(Fraction)
    for pid in pids:
        for item_id, value in credited.get(pid, {}).items():
            item_sum[item_id] += value
    extra_pid = None
    if extra is not None:
        # the as-of period (its date's own, unless that one lies outside the edition's window)
        extra_span = as_span if as_span is not None else period_of(policy.period, extra)
        extra_pid = extra_span.id
        extra_credit = credited.get(extra_pid, {})
        extra_total = sum(extra_credit.values(), Fraction(0))
        for item_id, value in extra_credit.items():
            item_sum[item_id] += value
        trace.add(message("check.current_before_as_of", name=check.name, period=extra_span.label,
                          credits=fmt(extra_total), unit=policy.unit), check.source, ref=ref)
    # a check is judged on the evaluation date: its deadline is the one of the as-of period
    deadline = _deadline(policy, as_span, check.deadline, school) if as_span is not None else None
    span_end = as_span.end if as_span is not None else None
    categories = _category_totals(policy, item_sum)
    total = sum(item_sum.values(), Fraction(0))
    reqs = {}
    for req in check.requirements:
        if req.min is not None:
            required = req.min
        else:
            assert req.min_per_period is not None
            counted_periods = [p for p in pids if _in_between(p, req.periods_between)]
            required = req.min_per_period * len(counted_periods)
            trace.add(message("check.per_period", name=req.name, count=len(counted_periods),
                              per_period=fmt(req.min_per_period), required=fmt(required), unit=policy.unit),
                      req.source, ref=f"{ref}:{req.id}")
        actual = _measure(policy, req, item_sum, categories, total)
        reqs[req.id] = _requirement_result(policy, req, required, actual, trace, None, deadline, span_end, as_of,
                                           ref_prefix=f"{ref}")
    met = bool(pids) and all(r["met"] for r in reqs.values()) if info != ["missing"] else False
    state = _state(met, deadline, span_end, as_of)
    key = {"met": "check.met", "in_progress": "check.in_progress", "failed": "check.unmet"}[state]
    trace.add(message(key, name=check.name, until=_until(deadline, state)), check.source, ref=ref)
    out = {"id": check.id, "name": check.name, "periods": pids, "met": met, "state": state, "deadline": deadline,
           "requirements": reqs, "source": check.source}
    if extra_pid and extra is not None:
        out["includes_until"] = {"period": extra_pid, "date": extra.isoformat()}
    return out


def _in_between(pid: str, between: tuple[int, int] | None) -> bool:
    if between is None:
        return True
    year = int(pid.split("-")[0])
    return between[0] <= year <= between[1]


def _label(policy: Policy, pid: str) -> str:
    return period_starting(policy.period, int(pid.split("-")[0])).label


def shortfall_list(result: dict) -> list[tuple[str, dict | None]]:
    """('2017—2018学年 灵活性培训进行中，还差 6 学分（截止 2018年7月31日）', its deadline) for every requirement
    not met: what a teacher wants to read first, with the deadline the policy sets."""
    unit = result["policy"]["unit"]
    out: list[tuple[str, dict | None]] = []

    def phrase(req: dict) -> str:
        key = "shortfall.in_progress" if req["state"] == "in_progress" else "shortfall.failed"
        return message(key, name=req["name"], shortfall=req["shortfall"], unit=unit,
                       until=_until(req["deadline"], req["state"]))

    for period in result["periods"].values():
        for req in period["requirements"].values():
            if not req["met"]:
                out.append((f"{period['label']} " + phrase(req), req["deadline"]))
    for check in result["checks"].values():
        for req in check["requirements"].values():
            if not req["met"]:
                out.append((f"{check['name']} " + phrase(req), req["deadline"]))
    return out


def shortfall_phrases(result: dict) -> list[str]:
    """The phrases of shortfall_list, without their deadlines."""
    return [text for text, _ in shortfall_list(result)]
