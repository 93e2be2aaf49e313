"""Dates as people write them in ledgers and policies: strictly YYYY-MM-DD, a real calendar day.

One parser for every reader (engine, command line, forms, rosters): ``date.fromisoformat`` alone
also takes 20180301, 2018-W10-1 and trailing bytes, which the JS engine (and people) would not.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: Any) -> dt.date | None:
    """A date written strictly YYYY-MM-DD (ASCII digits, a real day of the years 0001–9999), else None.
    A date object (a datetime counts as its day) is taken as it is."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            return None
    return None


def is_date(value: Any) -> bool:
    """Whether `value` is text written strictly YYYY-MM-DD naming a real day."""
    return isinstance(value, str) and parse_date(value) is not None
