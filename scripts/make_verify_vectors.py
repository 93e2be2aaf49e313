#!/usr/bin/env python3
"""Write tests/js/verify-vectors.json: verification codes computed by generator/rules/verify.py, which the JS
engine's `verificationCode` must reproduce (tests/js/verify.test.mjs; tests/test_verify_vectors.py keeps the
file in step with this script).

    .venv/bin/python scripts/make_verify_vectors.py           # (re)write the file
    .venv/bin/python scripts/make_verify_vectors.py --check   # exit 1 when it is out of date

The cases are the spellings two languages are most likely to disagree on: key order above U+FFFF (JS sorts
UTF-16 units, the code sorts code points), non-ASCII text, JSON floats (0.1, 1e-07, 1e+21, -0.0), integers,
control characters, lone surrogates, nesting, and a missing bundle hash or evaluation date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.rules.verify import VERIFY_FORMAT, canonical, verification_code  # noqa: E402

OUT = ROOT / "tests" / "js" / "verify-vectors.json"
SHA = "9f2c0d1e5a7b3c4d8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f"

CASES: list[tuple[str, object, str, str | None]] = [
    ("empty ledger", {"entries": []}, SHA, "2018-07-31"),
    ("a teacher's ledger", {
        "format": "jxjy-ledger/1", "policy": {"id": "chengdu-teachers", "edition": "2018"},
        "person": {"name": "张老师", "school": "成都市第七中学", "roles": ["head-teacher"],
                   "dates": {"title_date": "2012-09-01"}},
        "entries": [{"item": "weike", "date": "2018-03-01", "hours": 8, "course": "微课 制作"},
                    {"item": "reading-notes", "date": "2018-05-10", "count": 2, "note": "“引号”与 emoji 😀"}],
    }, SHA, "2018-07-31"),
    ("non-ASCII keys and values", {"名字": "王五", "学校": "双流 中学", "é": "ü", "z": "ß"}, SHA, "2021-12-20"),
    ("floats", {"entries": [{"hours": 0.1}, {"hours": 1e-07}, {"hours": 1e21}, {"hours": 2.5}, {"hours": -0.0},
                            {"hours": 2.0}, {"hours": 123456789.125}, {"hours": 0.30000000000000004},
                            {"hours": 1.5e300}, {"hours": 5e-324}]}, SHA, "2019-03-31"),
    ("integers", {"a": 0, "b": -3, "c": 9007199254740991, "d": [1, 2, 3]}, SHA, "2019-03-31"),
    ("astral-plane keys: code point order, not UTF-16 order", {"\uff5e": 1, "😀": 2, "\ue000": 3, "𠀀": 4, "a": 5},
     SHA, "2018-07-31"),
    ("control characters and quotes", {"note": "tab\tnew\nline\r\"q\" back\\slash \x00\x1f\x7f \u2028\u2029 /"},
     SHA, "2018-07-31"),
    ("lone surrogates", {"note": "\ud800 and \udfff", "\udc00": True}, SHA, "2018-07-31"),
    ("literals and nesting", {"t": True, "f": False, "n": None, "deep": {"b": [{"y": 1, "x": [[]]}, {}], "a": ""}},
     SHA, "2020-01-01"),
    ("no evaluation date", {"entries": [{"item": "weike", "date": "2018-03-01", "hours": 3}]}, SHA, None),
    ("another bundle", {"entries": [{"item": "weike", "date": "2018-03-01", "hours": 3}]}, "0" * 64, "2018-07-31"),
]


def document() -> dict:
    return {
        "format": VERIFY_FORMAT,
        "note": "Written by scripts/make_verify_vectors.py from generator/rules/verify.py; do not edit.",
        "cases": [{"id": name, "ledger": ledger, "bundle_sha256": sha, "as_of": as_of,
                   # the canonical text as the hash reads it (UTF-8; a lone surrogate as \udxxx)
                   "canonical": canonical(ledger).encode("utf-8", "backslashreplace").decode("utf-8"),
                   "code": verification_code(ledger, sha, as_of)} for name, ledger, sha, as_of in CASES],
    }


def text() -> str:
    return json.dumps(document(), ensure_ascii=True, indent=1) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is out of date")
    args = parser.parse_args()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text():
            print(f"{OUT.relative_to(ROOT)} is out of date: run scripts/make_verify_vectors.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(CASES)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
