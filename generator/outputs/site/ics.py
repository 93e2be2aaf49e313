"""An edition's deadlines, windows and per-school schedules as an iCalendar file (RFC 5545).

All events are all-day (``DTSTART;VALUE=DATE``, exclusive ``DTEND``): the notices give days, not
times. A month-only entry ("11月封存") spans the whole month and says so. The file is
reproducible: UIDs come from the policy, edition and entry ids, and DTSTAMP is the document's
issue date, so rebuilding an unchanged policy yields the same bytes and subscribers see no churn.
"""

from __future__ import annotations

import calendar
import datetime as dt

from icalendar import Calendar, Event

from generator.base.messages import message
from generator.policy.model import Policy, TimelineEntry
from generator.rules.prose import format_date

PRODID = "-//jxjy//continuing-education credit policies//ZH"
UID_DOMAIN = "jxjy.invalid"


def _t(key: str, **params: object) -> str:
    return message(f"rule_text.ics.{key}", **params)


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def entry_span(entry: TimelineEntry) -> tuple[dt.date, dt.date] | None:
    """(first day, last day) of a timeline entry, or None if it has no date at all."""
    if entry.start and entry.end:
        return _day(entry.start), _day(entry.end)
    if entry.date:
        day = _day(entry.date)
        return day, day
    if entry.month:
        year, month = (int(x) for x in entry.month.split("-"))
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


def _stamp(policy: Policy) -> dt.datetime:
    doc = policy.document
    for value in (doc.issued, doc.effective_from):
        if value:
            return dt.datetime.combine(_day(value), dt.time(0, 0), tzinfo=dt.UTC)
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _event(uid: str, summary: str, first: dt.date, last: dt.date, description: str, stamp: dt.datetime,
           url: str = "") -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("summary", summary)
    ev.add("dtstart", first)
    ev.add("dtend", last + dt.timedelta(days=1))  # exclusive end for all-day events
    ev.add("transp", "TRANSPARENT")
    if description:
        ev.add("description", description)
    if url:
        ev.add("url", url)
    return ev


def calendar_bytes(policy: Policy, page_url: str = "") -> bytes:
    """The .ics file of one edition: every dated timeline entry and every schedule row."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _t("calendar_name", title=policy.label))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = _stamp(policy)

    def cited(clause_id: str) -> str:
        clause = policy.clause(clause_id)
        return _t("source", citation=clause.citation if clause else clause_id)

    for entry in policy.timeline:
        span = entry_span(entry)
        if span is None:
            continue
        lines = []
        if entry.month and not entry.date:
            lines.append(_t("month_only", month=format_date(entry.month)))
        if entry.description:
            lines.append(entry.description)
        lines.append(cited(entry.source))
        uid = f"{policy.id}-{policy.edition}-{entry.id}@{UID_DOMAIN}"
        cal.add_component(_event(uid, entry.title, span[0], span[1], "\n".join(lines), stamp, page_url))
    for schedule in policy.schedules:
        for row in schedule.rows:
            day = _day(row.date)
            uid = f"{policy.id}-{policy.edition}-{schedule.id}-{row.seq}@{UID_DOMAIN}"
            summary = _t("schedule_row", schedule=schedule.title, organization=row.organization, group=row.group)
            description = cited(schedule.source)
            cal.add_component(_event(uid, summary, day, day, description, stamp, page_url))
    return cal.to_ical()
