#!/usr/bin/env python3
"""Write the next rules revision into every policy edition whose rules changed.

A revision (`revision: {number, date, rules_sha256, note}`) stands for the rules it was written for;
`jxjy validate` refuses an edition whose rules' fingerprint no longer matches (generator/policy/revision.py).
After changing a rule — a cap, a rate, a requirement, the edition's window, a deadline — run:

    .venv/bin/python scripts/bump_revision.py [POLICY_FILE …] --note "what changed"   # default: policies/
    .venv/bin/python scripts/bump_revision.py --check                                  # exit 1 if one is stale

The number goes up by one (1 for an edition without a revision), the date is today (or --date), and the
fingerprint is recomputed. The block is written just before `clauses:`; everything else in the file is
left as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.policy.layers import Origins, merge, read_layers  # noqa: E402
from generator.policy.loader import policy_files  # noqa: E402
from generator.policy.revision import rules_fingerprint  # noqa: E402

BLOCK = re.compile(r"^revision:\n(?:[ \t]+.*\n|\n)*", re.M)


def current(path: Path) -> tuple[int, str, str]:
    """(number, recorded fingerprint, actual fingerprint) of one edition file."""
    chain = read_layers(path)
    merged = merge(chain.layers, Origins())
    revision = chain.layers[-1].doc.data.get("revision") if isinstance(chain.layers[-1].doc.data, dict) else None
    number = revision.get("number", 0) if isinstance(revision, dict) else 0
    recorded = revision.get("rules_sha256", "") if isinstance(revision, dict) else ""
    return int(number), str(recorded), rules_fingerprint(merged)


def block(number: int, date: str, sha: str, note: str) -> str:
    lines = ["revision:", f"  number: {number}", f'  date: "{date}"', f"  rules_sha256: {sha}"]
    if note:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


def write(path: Path, text_block: str) -> None:
    text = path.read_text(encoding="utf-8")
    if BLOCK.search(text):
        text = BLOCK.sub(lambda _: text_block + ("\n" if not text_block.endswith("\n\n") else ""), text, count=1)
    else:
        at = re.search(r"^clauses:", text, re.M)
        insert = at.start() if at else len(text)
        text = text[:insert] + text_block + "\n" + text[insert:]
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "policies")])
    parser.add_argument("--check", action="store_true", help="only report stale revisions (exit 1 if any)")
    parser.add_argument("--note", default="", help="what changed (kept in the revision)")
    parser.add_argument("--date", default=dt.date.today().isoformat())
    args = parser.parse_args(argv)
    stale = 0
    for path in policy_files(args.paths):
        number, recorded, actual = current(path)
        if recorded == actual:
            continue
        stale += 1
        if args.check:
            print(f"{path}: revision {number} is stale", file=sys.stderr)
            continue
        write(path, block(number + 1, args.date, actual, args.note))
        print(f"{path}: revision {number + 1}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
