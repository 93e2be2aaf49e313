"""The error catalog (issue 11, part 5): every code either engine can emit exists (and no other), and every
error record fits its template. (tests/test_messages.py holds en.yaml to zh.yaml's keys and placeholders.)

An engine error is a record ``{field, code, params, message}``: a downstream system may render ``code``
with ``params`` in its own language, so a code missing from a catalog, a placeholder one language lacks or
a parameter the template does not name would break it — while the Chinese ``message`` looked fine.
"""

from __future__ import annotations

import json
import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest

from generator.base.messages import catalog, message, render, template
from generator.outputs.bundle import write_bundles
from generator.rules.engine import evaluate
from generator.rules.errors import display, suggestion
from generator.rules.inputs import INPUT_KINDS
from generator.rules.ledger import JSON_PROBLEMS
from tests.test_messages import leaves
from tests.variants import variant

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")


def section(lang: str, path: tuple[str, ...]) -> dict[str, str]:
    node = catalog(lang)
    for part in path:
        node = node[part]
    return leaves(node, ".".join(path) + ".")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_reader_facing_errors_name_no_fields_or_formats():
    """Teachers read these (the calculator, jxjy check): no field ids, format ids or commands."""
    words = re.compile(r"\b(item|hours|counts_for|as_of|person|roles|entries|jxjy-ledger|YYYY-MM-DD|--[a-z])\b")
    offending = {k: v for k, v in section("zh", ("errors",)).items() if words.search(re.sub(r"\{[a-z_]+\}", "", v))}
    assert offending == {}


# ---------------------------------------------------------------------------------------------
# every code the code can emit exists, and every catalog code is emitted
# ---------------------------------------------------------------------------------------------

ENGINE_PY = ROOT / "generator" / "rules" / "engine.py"
ENGINE_JS = ROOT / "calculator" / "engine.js"
APP_JS = ROOT / "calculator" / "app.js"
LEDGER_PY = ROOT / "generator" / "rules" / "ledger.py"
LITERAL = re.compile(r"""["'](errors\.[a-z_.]*[a-z_])["']""")
REPORT = re.compile(r"""report\([^,()]*,\s*["']([a-z_]+)["']""")  # errors.input.<code> via report(field, code, …)
FAMILY = re.compile(r"""f?["'](errors\.[a-z_.]+\.)(?:\{|["']\s*\+)""")  # "errors.entry.missing." + name
# what each dynamic family is completed with (engine.check_entry / checkEntry): the input kinds an item may
# have, the fields that may be missing, the field labels the calculator shows
FAMILIES = {
    "errors.input.": set(),  # engine.py's report(field, code): REPORT finds those
    "errors.entry.not_taken.": set(INPUT_KINDS),
    "errors.entry.missing.": {"hours", "count", "half_days", "days", "years", "credits"},
    "errors.ledger.fields.": set(leaves(catalog("zh")["errors"]["ledger"]["fields"])),
}


def emitted(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    codes = set(LITERAL.findall(text)) - set(FAMILY.findall(text))
    codes |= {f"errors.input.{code}" for code in REPORT.findall(text)}
    for family in FAMILY.findall(text):
        codes |= {family + member for member in FAMILIES[family]}
    return codes


def test_both_engines_emit_the_same_codes_and_the_catalog_has_exactly_those():
    """The codes of result errors: engine.py and engine.js can emit the same set, every one of them is in
    both catalogs, and the catalog's errors.entry and errors.input hold nothing else."""
    python = emitted(ENGINE_PY)
    js = {c for c in emitted(ENGINE_JS) if c.startswith(("errors.entry.", "errors.input."))}
    assert len(python) >= 40  # the scan finds them (it would pass vacuously on a broken pattern)
    assert python == js
    for lang in ("zh", "en"):
        known = {k for k in section(lang, ("errors",)) if k.startswith(("errors.entry.", "errors.input."))}
        assert python == known, lang


def test_every_calculator_code_exists_and_every_one_is_used():
    used = emitted(ENGINE_JS) | emitted(APP_JS)
    calculator = {c for c in used if not c.startswith(("errors.entry.", "errors.input."))}
    assert len(calculator) > 30
    for lang in ("zh", "en"):
        known = {k for k in section(lang, ("errors",)) if not k.startswith(("errors.entry.", "errors.input."))}
        assert calculator == known, lang


def test_every_ledger_reader_code_exists_and_every_one_is_used():
    text = LEDGER_PY.read_text(encoding="utf-8") + (LEDGER_PY.parent / "json_ledger.py").read_text(encoding="utf-8")
    used = set(re.findall(r"""["'](diagnostics\.ledger\.[a-z_.]*[a-z_])["']""", text))
    used |= {f"diagnostics.ledger.json.{key}" for _, key in JSON_PROBLEMS}
    assert len(used) > 20
    for lang in ("zh", "en"):
        assert used == set(section(lang, ("diagnostics", "ledger"))), lang


# ---------------------------------------------------------------------------------------------
# every code, triggered: the record fits its template, and both engines build the same records
# ---------------------------------------------------------------------------------------------

def _policy_with_every_input():
    """The demo fixture with make-up that counts, a first date, and an item for every input kind."""
    def mutate(doc: dict) -> None:
        doc["id"] = "errors-demo"
        doc["period"].update({"first": "2012-01-01", "makeup": {"counts": True, "source": "五"}})
        doc["conversions"] = [{"from": "天", "to": "学时", "factor": 6, "source": "二"}]  # weike (学时) takes 天 too
        doc["items"] += [
            {"id": "lecture", "name": "讲座", "category": "normative", "input": "days",
             "rule": {"type": "multiplier", "factor": "1.5"}, "source": "二"},
            {"id": "seminar", "name": "研讨", "category": "flexible", "input": "half_days",
             "rule": {"type": "rate", "per": 2, "value": 1, "rounding": "exact"}, "source": "七"},
            {"id": "award", "name": "获奖", "category": "flexible", "input": "none",
             "rule": {"type": "fixed", "value": "2.5"}, "source": "七"},
            {"id": "tenure", "name": "任教年限", "category": "normative", "input": "years",
             "rule": {"type": "multiplier", "factor": "1"}, "source": "二"},
        ]
    return variant(mutate)


def _every_error_ledger() -> list[tuple[object, object]]:
    day = "2020-03-01"
    wrong_field = [("weike", {"hours": 3, "count": 1}), ("reading-notes", {"count": 1, "hours": 1}),
                   ("putonghua", {"level": "level-3a", "hours": 1}), ("degree", {"passed": 1, "hours": 1}),
                   ("other", {"credits": 1, "hours": 1}), ("lecture", {"days": 1, "hours": 1}),
                   ("seminar", {"half_days": 1, "hours": 1}), ("award", {"hours": 1}), ("tenure", {"years": 1, "hours": 1})]
    entries = [
        "not an entry", {"date": day, "hours": 1}, {"item": "zzzzzzzz", "date": day}, {"item": "weke", "date": day},
        {"item": 5, "date": day}, {"item": "weike", "hours": 3}, {"item": "weike", "date": "2020-3-1", "hours": 3},
        {"item": "weike", "date": "9999-08-01", "hours": 3}, {"item": "weike", "date": "2011-03-01", "hours": 3},
        {"item": "weike", "date": day, "hours": 3, "counts_for": "abc"},
        {"item": "weike", "date": day, "hours": 3, "counts_for": "2021-2022"},
        {"item": "weike", "date": "2012-09-01", "hours": 3, "counts_for": "2010-2011"},
        {"item": "party-online", "date": day, "hours": 3},
        {"item": "putonghua", "date": day}, {"item": "putonghua", "date": day, "level": 36.0},
        {"item": "degree", "date": day}, {"item": "weike", "date": day, "hours": "x" * 80},
        {"item": "school-based", "date": day, "hours": 2, "course": 101},
        {"item": "weike", "date": day, "hours": 3, "days": 1}, {"item": "weike", "date": day, "days": "1/2"},
        *({"item": item, "date": day, **fields} for item, fields in wrong_field),
        *({"item": item, "date": day} for item in ("weike", "reading-notes", "lecture", "seminar", "tenure", "other")),
    ]
    odd = [{"person": "x", "entries": "y"}, {"person": {"roles": 5, "dates": []}, "entries": []},
           {"person": {"roles": [1], "dates": {"title": "2020-02-30"}}, "entries": []}]
    return [({"person": {"roles": ["teacher"]}, "entries": entries}, "soon"), ([], "0001-01-01"),
            *((ledger, None) for ledger in odd)]


def _records(result: dict) -> list[dict]:
    return result["errors"] + result.get("input_errors", [])


def test_every_code_is_triggered_and_each_record_fits_its_template(demo_policy):
    policy = _policy_with_every_input()
    results = [evaluate(policy, ledger, as_of) for ledger, as_of in _every_error_ledger()]
    results.append(evaluate(demo_policy, {"entries": [{"item": "weike", "date": "2020-03-01", "hours": 3,
                                                        "counts_for": "2018-2019"}]}))  # no make-up rule
    records = [r for result in results for r in _records(result)]
    for r in records:
        assert all(isinstance(v, str) for v in r["params"].values()), r
        assert set(r["params"]) == placeholders(template(r["code"])), r
        assert r["message"] == message(r["code"], **r["params"])
        assert render(r["code"], r["params"], "en") != render(r["code"], r["params"], "zh")
    known = {k for k in section("zh", ("errors",)) if k.startswith(("errors.entry.", "errors.input."))}
    assert {r["code"] for r in records} == known  # every code, triggered at least once
    by_code = {r["code"]: r for r in records}
    assert by_code["errors.entry.unknown_item_close"]["params"] == {"item": "weke", "suggestion": "weike"}
    assert by_code["errors.entry.unknown_level"]["params"]["value"] == "36"
    assert by_code["errors.entry.not_an_amount"]["params"]["value"] == "x" * 60 + "…"
    assert by_code["errors.entry.course_not_text"]["message"] == "课程名称应为文字，实际是「101」"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_js_engine_builds_the_same_records(tmp_path):
    policy = _policy_with_every_input()
    write_bundles([policy], tmp_path)
    cases = [{"bundle_key": policy.key, "ledger": ledger, "as_of": as_of} for ledger, as_of in _every_error_ledger()]
    proc = subprocess.run([NODE, str(ROOT / "tests" / "js" / "batch-runner.mjs"), str(tmp_path)],
                          input=json.dumps(cases, ensure_ascii=False), capture_output=True, text=True, encoding="utf-8",
                          check=True)
    js = json.loads(proc.stdout)
    python = [json.loads(json.dumps(evaluate(policy, c["ledger"], c["as_of"]), ensure_ascii=False)) for c in cases]
    assert [_records(r) for r in js] == [_records(r) for r in python]
    assert sum(len(_records(r)) for r in js) > 40


# ---------------------------------------------------------------------------------------------
# the two rules the engines share (fuzzed against engine.js in tests/test_differential.py)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,shown", [
    ("text", "text"), ("x" * 60, "x" * 60), ("x" * 61, "x" * 60 + "…"), ("𠀀" * 61, "𠀀" * 60 + "…"),
    (True, "true"), (False, "false"), (None, "null"), (5, "5"), (-2.0, "-2"), (0.1, "0.1"), (1e-07, "0.0000001"),
    (1e21, "1000000000000000000000"), (float("nan"), "NaN"), (float("-inf"), "-Infinity"), ([1], "[…]"), ({}, "{…}"),
])
def test_display_quotes_json_values_as_the_spec_says(value, shown):
    assert display(value) == shown


@pytest.mark.parametrize("word,ids,expected", [
    ("weke", ["weike", "reading-notes"], "weike"),
    ("zzz", ["weike"], None),
    ("ac", ["ab", "cc"], "ab"),  # a tie: the first in policy order
    ("ac", ["cc", "ab"], "cc"),
    ("readng_nots", ["reading-notes"], "reading-notes"),  # distance 3 ≤ ⌊11/3⌋
    ("redng_nots", ["reading-notes"], None),  # distance 4 > ⌊10/3⌋
    ("微课学", ["微课学习"], "微课学习"),
    ("", ["a", "bb"], "a"),  # max(1, 0): one edit
])
def test_suggestion_is_the_nearest_id_within_a_third(word, ids, expected):
    assert suggestion(word, ids) == expected
