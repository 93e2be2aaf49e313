"""Differential test: multi-person datasets evaluated by the reference engine one person at a time and by
each edition's compiled SQL on DuckDB all at once must give the same numbers — per person, period and
item raw and credited, categories, totals, requirements (required, actual, met, shortfall), verdicts,
checks (window periods, as-of additions, requirements, met) and the (entry, field) errors.

The datasets are the JS differential test's hypothesis ledgers (tests/test_differential.py: odd dates,
fractions, floats, bad fields, make-up, duplicates, gates, roles …), many people per database, each with
its own as-of date. An amount the database cannot hold exactly (1/3 h, 5e-324, 1e+21) is refused, never
rounded: such a person is marked incomplete, the refused entry is named, and the test checks exactly that.

JXJY_AUDIT_EXAMPLES sets the people per edition (default 300).
"""

from __future__ import annotations

import dataclasses
import json
import os
from fractions import Fraction

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator.audit.ledgers import person_rows
from generator.audit.results import engine_numbers, read_results
from generator.audit.sql.compiler import compile_policy
from generator.audit.store import Source, insert_people
from generator.base.dates import parse_date
from generator.base.diagnostics import InputError
from generator.outputs.bundle import bundle_document
from generator.policy.loader import load_policy
from generator.rules.engine import evaluate
from generator.rules.inputs import AMOUNT_FIELDS, amount
from tests.test_differential import POLICY_FILES, ROOT, demo_variant, ledger_strategy

pytestmark = pytest.mark.slow  # hypothesis datasets through every edition

EXAMPLES = int(os.environ.get("JXJY_AUDIT_EXAMPLES", "300"))


def sql_demo_variant():
    """The demo variant with every rule concept; its one non-decimal minimum (1/3) becomes 1/2 here (the
    1/3 itself is refused at compile time: test_non_decimal_parameters_are_refused)."""
    policy = demo_variant()
    reqs = tuple(dataclasses.replace(r, min=Fraction(1, 2)) if r.id == "party" else r for r in policy.requirements)
    return dataclasses.replace(policy, requirements=reqs)


def editions() -> list:
    return [pytest.param(f, id=f.replace("/", ":")) for f in POLICY_FILES] + [pytest.param("demo-variant", id="demo-variant")]


def load(spec: str):
    return sql_demo_variant() if spec == "demo-variant" else load_policy(ROOT / spec)


def datasets(policy, count: int) -> list[tuple[dict, object]]:
    bundle = json.loads(json.dumps(bundle_document(policy), ensure_ascii=False))
    samples: list = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(ledger_strategy(policy, bundle), min_size=1, max_size=12))
    def collect(people):
        samples.extend(people)

    collect()
    return [(json.loads(json.dumps(ledger)), as_of) for ledger, as_of in samples]


def evaluate_in_duckdb(policy, people: list[tuple[str, object, object]], materialize: bool = True) -> dict[str, dict]:
    con = duckdb.connect()
    insert_people(con, [(pid, person_rows(ledger), {}, []) for pid, ledger, _ in people], Source(1, "test", "test"))
    con.execute("CREATE TABLE given_as_of (person_id VARCHAR, as_of DATE)")
    con.executemany("INSERT INTO given_as_of VALUES (?, ?)",
                    [(pid, parse_date(a) if isinstance(a, str) else None) for pid, _, a in people])
    compiled = compile_policy(policy, as_of="SELECT person_id, as_of FROM given_as_of")
    for statement in compiled.statements(materialize):
        con.execute(statement)
    return read_results(con, compiled)


def not_exact(entry) -> bool:
    return isinstance(entry, dict) and any(
        entry.get(f) is not None and amount(entry[f]) is not None and person_rows({"entries": [entry]}).entries[0]["inexact"]
        for f in AMOUNT_FIELDS)


@pytest.mark.parametrize("spec", editions())
def test_sql_on_duckdb_agrees_with_the_reference_engine(spec):
    """What `jxjy audit run` executes: the steps as tables, the readable views over them."""
    check_edition(spec, materialize=True)


@pytest.mark.parametrize("spec", ["demo-variant", "policies/guangzhou-cycle/2016.yaml"])
def test_the_views_alone_agree_too(spec):
    """What `jxjy sql` prints: every step a view (nothing materialized), the same numbers."""
    check_edition(spec, materialize=False, share=3)


def check_edition(spec: str, materialize: bool, share: int = 1) -> None:
    try:
        policy = load(spec)
    except InputError as exc:
        pytest.skip(f"{spec} does not load: {exc.diagnostics[0].format()}")
    count = max(EXAMPLES // 6 // share, 1)
    people = [(f"p{n}", ledger, as_of) for n, (ledger, as_of) in enumerate(datasets(policy, count))]
    got = evaluate_in_duckdb(policy, people, materialize)
    mismatches, refused = [], 0
    for pid, ledger, as_of in people:
        expected = engine_numbers(evaluate(policy, ledger, as_of))
        mine = got[pid]
        if mine["refused"]:  # entries the engine counts but SQL cannot hold exactly: named, person incomplete
            refused += 1
            entries = ledger["entries"]
            assert mine["incomplete"]
            assert all(not_exact(entries[r["entry"]]) for r in mine["refused"]), (pid, mine["refused"])
            continue
        shown = {k: mine[k] for k in ("as_of", "periods", "checks")} | {
            "errors": sorted([e["entry"], e["field"]] for e in mine["errors"])}
        if shown != expected:
            mismatches.append(f"{pid}: {json.dumps(ledger, ensure_ascii=False)[:600]} as_of={as_of!r}")
        assert mine["incomplete"] == bool(expected["errors"]), pid
    print(f"\n{policy.key}: {len(people)} people, {refused} with amounts refused as not exact, {len(mismatches)} mismatches")
    assert len(people) >= EXAMPLES // 2 // share
    assert not mismatches, f"{len(mismatches)} people differ:\n" + "\n".join(mismatches[:5])


def test_non_decimal_parameters_are_refused():
    """A minimum of 1/3 has no finite decimal form: the edition is refused, naming the requirement (never 0.333)."""
    with pytest.raises(InputError) as info:
        compile_policy(demo_variant())
    [diag] = info.value.diagnostics
    assert diag.code == "diagnostics.audit.sql_not_exact"
    assert "党员在线" in diag.message and "1/3" in diag.message
