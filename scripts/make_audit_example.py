"""Make the sample district in examples/audit-district/: roster workbooks of a few Shuangliu schools from
`jxjy roster template` with filled rows (some bad on purpose), and a small registration export (CSV people,
Parquet entries). Re-run to regenerate: `.venv/bin/python scripts/make_audit_example.py`."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
from openpyxl import load_workbook

from generator.outputs.forms.roster import write_roster_xlsx
from generator.policy.loader import load_policy

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "audit-district"
SCHOOLS = ["双流中学", "棠湖中学", "东升小学", "实验幼儿园"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def main() -> None:
    policy = load_policy(ROOT / "policies" / "shuangliu-teachers" / "2018.yaml")
    form = policy.form("school-based-roster")
    assert form is not None
    rng = random.Random(2018)
    OUT.mkdir(parents=True, exist_ok=True)
    people, entries = [], []
    for s, school in enumerate(SCHOOLS):
        path = write_roster_xlsx(policy, form, OUT / f"roster-{s + 1}-{school}.xlsx", data_rows=30)
        wb = load_workbook(path)
        ws = wb.worksheets[0]
        ws["D3"] = school
        for n in range(12):
            r = 6 + n
            account = f"SL{s + 1:02d}{n + 1:03d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            hours: object = rng.choice([12, 18, 24, 30, 36, 40, 8, 27, 33])
            if n == 3 and s % 2 == 0:
                hours = "二十"  # not a number: reported with its row
            if n == 7 and s == 1:
                name = ""  # no name: reported with its row
            ws.cell(r, 2, school)
            ws.cell(r, 3, account)
            ws.cell(r, 4, name)
            ws.cell(r, 5, rng.choice(["语文", "数学", "英语", "体育"]))
            ws.cell(r, 6, "中学" if s < 2 else "小学")
            ws.cell(r, 7, hours)
            people.append((account, name, school, "双流区", rng.choice(["", "", "title-applicant"])))
            for _ in range(rng.randint(1, 4)):  # from the registration database: other learning the same year
                item, field, value = rng.choice([("weike", "hours", rng.choice([3, 6, 9, 4.5])),
                                                 ("reading-notes", "count", rng.choice([1, 2, 3])),
                                                 ("school-based-training", "hours", rng.choice([8, 16, 24]))])
                if policy.item(item) is None:
                    continue
                entries.append((account, item, f"2018-0{rng.randint(1, 6)}-1{rng.randint(0, 9)}", field, value))
        wb.save(path)
    con = duckdb.connect()
    con.execute("CREATE TABLE p (person_id VARCHAR, name VARCHAR, school VARCHAR, district VARCHAR, roles VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?)", people)
    con.execute(f"COPY p TO '{OUT / 'people.csv'}' (FORMAT CSV, HEADER)")
    con.execute("CREATE TABLE e (person_id VARCHAR, item VARCHAR, date VARCHAR, hours VARCHAR, count VARCHAR)")
    con.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?)",
                    [(a, i, d, str(v) if f == "hours" else None, str(v) if f == "count" else None) for a, i, d, f, v in entries]
                    + [("SL01001", "weike", "2018-02-30", "3", None)])  # not a date: refused, the person incomplete
    con.execute(f"COPY e TO '{OUT / 'entries.parquet'}' (FORMAT PARQUET)")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
