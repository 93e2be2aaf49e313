"""`jxjy audit import`'s summary: each person and row counted once however many files name them, every bad
row reported with its file and row in Chinese (through the message catalog) and its person marked
incomplete, re-imports replacing rather than adding."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from generator.audit.imports import import_paths
from generator.audit.run import run_edition
from generator.base.dates import parse_date
from generator.cli.common import load_policy_arg

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "examples" / "audit-district"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "audit.duckdb"))
    yield c
    c.close()


def _import(con, paths):
    return import_paths(con, paths, load_policy_arg, date="2018-06-30", item="school-based-training")


def test_the_sample_district_counts_each_person_and_row_once(con):
    report = _import(con, [DISTRICT])
    # people.csv and entries.parquet name the same 48 people the rosters name again: 48, not 96 or 144
    assert report.files == 6
    assert report.people == 48 == con.execute("SELECT COUNT(DISTINCT person_id) FROM people").fetchall()[0][0]
    assert report.entries == 166 == con.execute("SELECT COUNT(*) FROM entries").fetchall()[0][0]
    assert report.replaced == 0
    assert len(report.problems) == 4 == con.execute("SELECT COUNT(*) FROM problems").fetchall()[0][0]
    for d in report.problems:
        assert Path(d.file).parent == DISTRICT and d.line > 1, d.format()
        assert CJK.search(d.message), d.message
    again = _import(con, [DISTRICT])
    assert (again.people, again.entries, again.replaced, len(again.problems)) == (48, 166, 166, 4)
    assert con.execute("SELECT COUNT(*) FROM entries").fetchall()[0][0] == 166
    assert con.execute("SELECT COUNT(*) FROM problems").fetchall()[0][0] == 4
    assert con.execute("SELECT COUNT(*) FROM imports").fetchall()[0][0] == 12  # the history keeps both imports

    run_edition(con, load_policy_arg("shuangliu-teachers/2018"), parse_date("2018-07-31"))
    named = {r[0] for r in con.execute("SELECT person_id FROM problems WHERE person_id <> ''").fetchall()}
    assert len(named) == 4
    incomplete = {r[0] for r in con.execute("SELECT person_id FROM audit_people WHERE incomplete").fetchall()}
    assert named <= incomplete


def test_every_bad_export_row_is_reported_at_its_row(con, tmp_path: Path):
    people = tmp_path / "people.csv"
    people.write_text("person_id,name,school,roles,date_title\nA1,甲,一中,,2016-09-01\nA2,乙,一中,,2016-02-30\n"
                      "A3,丙,二中,,\n", encoding="utf-8")
    entries = tmp_path / "entries.csv"
    entries.write_text("person_id,item,date,hours,exam_passed,colour\n"
                       "A1,school-based-training,2018-03-01,20,,\n"  # row 2: fine
                       "A1,school-based-training,2018-03-02,二十,,\n"  # row 3: not a number
                       ",school-based-training,2018-03-03,5,,\n"  # row 4: no person
                       "A2,school-based-training,2018-13-01,5,,\n"  # row 5: not a date
                       "A3,school-based-training,2018-03-04,5,maybe,\n"  # row 6: exam neither yes nor no
                       "A3,school-based-training,2018-03-05,-4,,\n",  # row 7: negative
                       encoding="utf-8")
    report = _import(con, [entries, people])  # people first whatever the order given
    found = sorted((Path(d.file).name, d.line, d.code.rsplit(".", 1)[-1]) for d in report.problems)
    assert found == [("entries.csv", 1, "export_unknown_column"), ("entries.csv", 3, "export_bad_amount"),
                     ("entries.csv", 4, "export_no_person"), ("entries.csv", 5, "export_bad_date"),
                     ("entries.csv", 6, "export_bad_exam"), ("entries.csv", 7, "export_bad_amount"),
                     ("people.csv", 3, "bad_person_date")]
    assert all(CJK.search(d.message) for d in report.problems)
    assert report.people == 3 and report.entries == 5  # the row without a person is not an entry of anyone
    run_edition(con, load_policy_arg("shuangliu-teachers/2018"), parse_date("2018-07-31"))
    incomplete = dict(con.execute("SELECT person_id, incomplete FROM audit_people").fetchall())
    assert incomplete == {"A1": True, "A2": True, "A3": True}
