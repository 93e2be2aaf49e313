"""The timeline calendar is valid RFC 5545 (read back with the icalendar parser) and reproducible."""

import datetime as dt

from icalendar import Calendar

from generator.outputs.site.ics import calendar_bytes
from tests.variants import variant


def _with_timeline(demo_policy, timeline, schedules=None):
    def mutate(data):
        data["timeline"] = timeline
        if schedules is not None:
            data["schedules"] = schedules

    return variant(mutate)


def _events(raw: bytes) -> dict:
    cal = Calendar.from_ical(raw)
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


def test_demo_calendar_parses_with_all_day_events(demo_policy):
    raw = calendar_bytes(demo_policy)
    cal = Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    events = _events(raw)
    deadline = events["demo-2020-registration-deadline@jxjy.invalid"]
    assert str(deadline["SUMMARY"]) == "登记截止"
    assert deadline.decoded("DTSTART") == dt.date(2020, 6, 20)
    assert deadline.decoded("DTEND") == dt.date(2020, 6, 21)  # exclusive end of an all-day event
    review = events["demo-2020-review@jxjy.invalid"]
    assert review.decoded("DTSTART") == dt.date(2020, 9, 1)
    assert review.decoded("DTEND") == dt.date(2020, 11, 1)
    assert "九" in str(review["DESCRIPTION"])  # cites its clause


def test_month_only_relative_and_schedule_rows(demo_policy):
    policy = _with_timeline(demo_policy, [
        {"id": "seal", "kind": "event", "title": "数据封存", "month": "2020-02", "source": "九"},
        {"id": "rel", "kind": "relative", "title": "开班前报名", "source": "九",
         "offset": {"days": 30, "relation": "within_before", "anchor": "开班"}},
    ], schedules=[{"id": "review", "title": "各校审证", "source": "九", "rows": [
        {"seq": 1, "group": "高中", "organization": "第一中学", "date": "2020-09-11"},
        {"seq": 2, "group": "小学", "organization": "实验小学，（东区）; 分校", "date": "2020-09-12"},
    ]}])
    events = _events(calendar_bytes(policy))
    assert set(events) == {"demo-2020-seal@jxjy.invalid", "demo-2020-review-1@jxjy.invalid",
                           "demo-2020-review-2@jxjy.invalid"}  # the relative deadline has no date to put in a calendar
    seal = events["demo-2020-seal@jxjy.invalid"]
    assert (seal.decoded("DTSTART"), seal.decoded("DTEND")) == (dt.date(2020, 2, 1), dt.date(2020, 3, 1))  # leap year
    assert "2020年2月内" in str(seal["DESCRIPTION"])
    row = events["demo-2020-review-2@jxjy.invalid"]
    assert str(row["SUMMARY"]) == "各校审证：实验小学，（东区）; 分校（小学）"  # commas/semicolons survive escaping
    assert row.decoded("DTSTART") == dt.date(2020, 9, 12)


def test_file_is_folded_crlf_and_reproducible(demo_policy):
    raw = calendar_bytes(demo_policy)
    assert raw == calendar_bytes(demo_policy)
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 3.1: lines of at most 75 octets
    uids = [str(ev["UID"]) for ev in Calendar.from_ical(raw).walk("VEVENT")]
    assert len(uids) == len(set(uids))
