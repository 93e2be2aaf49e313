"""Property-based fuzzing of the two untrusted inputs, policy YAML and ledgers (issue 12).

What must hold for every input hypothesis draws (derandomized: CI sees the same inputs every run):

- no traceback: reading and validating raise nothing but InputError (a located, catalogued diagnostic);
- no hang: each example runs under a watchdog (SIGALRM) far above what it needs — a hang fails the
  example instead of stalling the run; no test asserts how fast anything is;
- no silent change: a ledger means the same in JSON, YAML and CSV (the same engine result), JSON
  numbers keep their exact value, and the fast shape check never accepts what the ledger schema refuses.

Kept fast (a few dozen examples each) for the default run; the corpus under tests/hostile/ and
tests/hostile_ledgers/ holds the cases found so far with their exact diagnostics.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.base.diagnostics import InputError
from generator.policy.loader import check_policy
from generator.policy.schema import schema_diagnostics
from generator.policy.source import SourceDoc
from generator.rules.engine import evaluate
from generator.rules.ledger import LEDGER_SCHEMA, plainly_valid, read_ledger

ROOT = Path(__file__).resolve().parent.parent
DEMO = (ROOT / "tests/fixtures/policies/demo/2020.yaml").read_text(encoding="utf-8")
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
WATCHDOG_SECONDS = 60


@contextlib.contextmanager
def watchdog():
    """Fail an example that hangs (a runaway number, an endless loop) instead of stalling the whole run."""
    def hung(*_):
        raise AssertionError(f"no answer within {WATCHDOG_SECONDS} s: a hang")
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def policies(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "policies"
    (root / "demo").mkdir(parents=True)
    (root / "sources").mkdir()
    shutil.copy(ROOT / "tests/fixtures/policies/sources/demo.txt", root / "sources" / "demo.txt")
    return root


HOSTILE_SNIPPETS = ["\x00", "\x07", "!!int abc", "!foo x", "&a", "*a", "<<: {}", "9" * 5000, "1.0e+10000000",
                    "[" * 300, "{", "'", '"', "\t", ": ", "- ", "---\n", "\u2028", "\ufeff", "../../../../etc/passwd",
                    "/dev/zero", "__proto__", "＝1+1", "=cmd|' /C calc'!A0", "\ud800"]


@st.composite
def mutated_policy(draw) -> str:
    """The demo policy with a few edits: a hostile snippet or random text inserted, or a span deleted."""
    text = DEMO
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["snippet", "text", "delete"]))
        if kind == "snippet":
            text = text[:at] + draw(st.sampled_from(HOSTILE_SNIPPETS)) + text[at:]
        elif kind == "text":
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
    return text


@FUZZ
@given(text=mutated_policy())
def test_a_mangled_policy_gives_diagnostics_never_a_traceback(policies, text):
    path = policies / "demo" / "2020.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    with watchdog():
        checked = check_policy(path)
    for d in checked.diagnostics:
        assert d.code and d.line >= 0 and d.message  # every problem is catalogued and renders
    if checked.policy is not None and not checked.diagnostics:
        assert checked.policy.document.text_file in ("", str((policies / "sources" / "demo.txt").resolve()))


ITEMS = ["weike", "reading-notes", "putonghua", "school-based", "no-such-item"]
amounts = st.one_of(st.integers(0, 10**6), st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))


@st.composite
def ledger_entries(draw) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(0, 8))):
        entry: dict = {"item": draw(st.sampled_from(ITEMS)),
                       "date": f"20{draw(st.integers(18, 22))}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"}
        if draw(st.booleans()):
            entry["hours"] = draw(amounts)
        if draw(st.booleans()):
            entry["count"] = draw(st.integers(0, 20))
        if draw(st.booleans()):
            entry["course"] = draw(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=10))
        out.append(entry)
    return out


def _json_number(value) -> str:
    return str(value) if isinstance(value, int) else format(value, "f")


def _as_json(entries: list[dict]) -> str:
    parts = []
    for e in entries:
        fields = [f'"{k}": {_json_number(v)}' if isinstance(v, (int, Decimal)) else f"{json.dumps(k)}: {json.dumps(v)}"
                  for k, v in e.items()]
        parts.append("{" + ", ".join(fields) + "}")
    return '{"entries": [' + ", ".join(parts) + "]}"


def _as_csv(entries: list[dict]) -> str:
    cols = ["item", "date", "hours", "count", "course"]
    rows = [",".join(cols)]
    for e in entries:
        cells = []
        for c in cols:
            v = e.get(c, "")
            text = _json_number(v) if isinstance(v, (int, Decimal)) else str(v)
            cells.append('"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n\r') else text)
        rows.append(",".join(cells))
    return "\n".join(rows) + "\n"


@FUZZ
@given(entries=ledger_entries())
def test_a_ledger_means_the_same_in_every_format_and_keeps_its_numbers(tmp_path_factory, demo_policy, entries):
    folder = tmp_path_factory.mktemp("ledger")
    (folder / "l.json").write_text(_as_json(entries), encoding="utf-8")
    (folder / "l.yaml").write_text(_as_json(entries), encoding="utf-8")  # JSON text is YAML flow style
    (folder / "l.csv").write_text(_as_csv(entries), encoding="utf-8")
    with watchdog():
        read = {ext: read_ledger(folder / f"l.{ext}") for ext in ("json", "yaml", "csv")}
        results = {ext: evaluate(demo_policy, ledger.data) for ext, ledger in read.items()}
    assert results["json"] == results["yaml"] == results["csv"]
    for got, want in zip(read["json"].data["entries"], entries, strict=True):
        for key in ("hours", "count"):
            if key in want:
                assert Fraction(str(got[key])) == Fraction(want[key])  # exact, never through a float


json_values = st.recursive(st.none() | st.booleans() | st.integers(-10, 10**40) | st.text(max_size=8)
                           | st.decimals(allow_nan=False, allow_infinity=False, places=4),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)
entry_like = st.fixed_dictionaries({"item": st.text(max_size=5) | st.integers(), "date": st.sampled_from(
    ["2020-01-01", "2020-02-30", "0000-01-01", "2020-1-1", "x"])},
    optional={"hours": json_values, "count": st.sampled_from([0, 1, "1/3", "0.5", "-1", "1e2", True]),
              "exam_passed": json_values, "counts_for": st.sampled_from(["2020", "2019-2020", "20", 2020]),
              "minutes": json_values, "note": st.text(max_size=600)})
ledger_like = st.fixed_dictionaries({"entries": st.lists(entry_like, max_size=4) | json_values},
                                    optional={"format": st.sampled_from(["jxjy-ledger/1", "x"]),
                                              "person": json_values | st.fixed_dictionaries(
                                                  {"roles": st.lists(st.sampled_from(["teacher", "Bad", 1]), max_size=2)}),
                                              "extra": json_values})


@FUZZ
@given(data=ledger_like)
def test_the_fast_shape_check_never_accepts_what_the_schema_refuses(data):
    if plainly_valid(data):
        assert schema_diagnostics(SourceDoc("x.json", data), LEDGER_SCHEMA) == []


@FUZZ
@given(data=ledger_like)
def test_any_json_ledger_is_read_or_refused_in_words(tmp_path_factory, data):
    f = tmp_path_factory.mktemp("j") / "l.json"
    f.write_text(json.dumps(data, default=str), encoding="utf-8")
    with watchdog():
        try:
            read_ledger(f)
        except InputError as exc:
            assert exc.diagnostics and all(d.message for d in exc.diagnostics)
