"""Which school or calendar year a date belongs to (Jul 31 vs Aug 1 matters)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from generator.base.messages import message
from generator.policy.model import PeriodScheme


@dataclass(frozen=True, order=True)
class PeriodSpan:
    start: dt.date
    end: dt.date
    id: str
    label: str


def period_of(period: PeriodScheme, day: dt.date) -> PeriodSpan:
    """The period containing `day`."""
    start_year = day.year
    if (day.month, day.day) < (period.start_month, period.start_day):
        start_year -= 1
    return period_starting(period, start_year)


@cache
def period_starting(period: PeriodScheme, start_year: int) -> PeriodSpan:
    """The period that starts in `start_year` (cached: spans are immutable, and every entry asks)."""
    start = dt.date(start_year, period.start_month, period.start_day)
    nxt = dt.date(start_year + 1, period.start_month, period.start_day)
    end = nxt - dt.timedelta(days=1)
    if period.kind == "calendar_year":
        return PeriodSpan(start, end, str(start_year), message("period_label.calendar_year", year=start_year))
    return PeriodSpan(start, end, f"{start_year}-{start_year + 1}",
                      message("period_label.school_year", start_year=start_year, end_year=start_year + 1))


def shift(period: PeriodScheme, span: PeriodSpan, by: int) -> PeriodSpan:
    return period_starting(period, span.start.year + by)


def span_of(period: PeriodScheme, day: dt.date) -> PeriodSpan | None:
    """The period containing `day`, or None when it cannot be represented (it would start before year 1, or
    the next period would start after 9999: 0001-01-01 of a school year, or any day of 9999 after its start)."""
    try:
        return period_of(period, day)
    except ValueError:
        return None
