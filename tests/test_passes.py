"""The validator's passes: named, in one documented order, every one run on every document, none
crashing on a malformed one, and the model built only when it is sound."""

import copy
import shutil
from pathlib import Path

import pytest

import generator.policy.passes as passes
from generator.policy.context import Context
from generator.policy.layers import Layer, Origins, merge, read_layers
from generator.policy.loader import check_policy
from generator.policy.passes import PASSES, Pass, run_passes
from generator.policy.source import SourceDoc

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "policies"


def test_the_passes_are_listed_in_the_documented_order():
    """docs/architecture.md and the module docstring show the passes; they must match the table."""
    names = [p.name for p in PASSES]
    assert len(names) == len(set(names)) >= 9
    shown = " → ".join(names)
    assert shown in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert shown in passes.__doc__


def _paths(node, path=()):
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _mutants(doc: SourceDoc):
    """The document with one value at a time replaced by something of the wrong shape."""
    for n, path in enumerate(_paths(doc.data)):
        replacement = (None, ["x"], {"x": 1}, 0)[n % 4]  # each path gets one, the kinds rotate
        data = copy.deepcopy(doc.data)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = replacement
        yield path, SourceDoc(doc.file, data, doc.positions, doc.key_positions, doc.ends, doc.text)


@pytest.mark.parametrize("policy", ["demo/2020", "concepts-layer/2020"])
def test_no_pass_crashes_on_a_malformed_document(policy):
    """Every semantic pass reads the merged document defensively: whatever value is broken, the pass
    skips it and goes on (the schema pass says what is wrong). Run without the safety net."""
    chain = read_layers(FIXTURES / f"{policy}.yaml")
    top = chain.layers[-1]
    count = 0
    for path, mutant in _mutants(top.doc):
        layers = [*chain.layers[:-1], Layer(top.path, mutant)]
        origins = Origins()
        ctx = Context(layers, merge(layers, origins), origins)
        for p in PASSES:
            if p.name != "schema":
                try:
                    p.run(ctx)
                except Exception as exc:  # pragma: no cover - the assertion message is the point
                    pytest.fail(f"pass {p.name} crashed when {path} was malformed: {exc!r}")
        count += 1
    assert count > 40


def _raising(ctx):
    raise RuntimeError("a pass with a bug")


def test_a_pass_that_raises_on_a_clean_document_is_a_bug_and_is_not_hidden(monkeypatch, demo_policy):
    monkeypatch.setattr(passes, "PASSES", (*PASSES, Pass("buggy", _raising, needs_merged=True, blocks_model=False)))
    with pytest.raises(RuntimeError):
        check_policy(FIXTURES / "demo" / "2020.yaml")


def test_a_pass_that_trips_over_a_broken_document_gives_up_quietly(monkeypatch, tmp_path):
    shutil.copytree(FIXTURES / "demo", tmp_path / "demo")
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    path = tmp_path / "demo" / "2020.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 示例政策\n", "titel: 示例政策\n"), encoding="utf-8")
    monkeypatch.setattr(passes, "PASSES", (*PASSES, Pass("buggy", _raising, needs_merged=True, blocks_model=False)))
    checked = check_policy(path)
    assert [d.code for d in checked.diagnostics] == ["diagnostics.schema.unknown_key"]
    assert checked.policy is None
    with pytest.raises(RuntimeError):
        check_policy(path, strict=True)


def test_every_pass_runs_even_after_schema_errors():
    folder = ROOT / "tests" / "broken" / "all-keys-and-semantics"
    chain = read_layers(folder / "2020.yaml")
    origins = Origins()
    ctx = Context(chain.layers, merge(chain.layers, origins), origins)
    result = run_passes(ctx, strict=True)
    assert result.skipped == []
    found = {name: [d.code.rsplit(".", 1)[-1] for d in ds] for name, ds in result.found.items() if ds}
    assert found == {"schema": ["unknown_key", "unknown_key"], "references": ["category"],
                     "rules": ["cap_zero"], "dates": ["window_backwards"]}
    assert not result.model_is_sound


def test_errors_that_leave_the_model_sound_still_build_it(tmp_path):
    shutil.copytree(FIXTURES / "demo", tmp_path / "demo")
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    path = tmp_path / "demo" / "2020.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("quote: 自学反思每篇记2学分}", "quote: 自学反思每篇记5学分}")  # quotes pass
    text = text.replace("    name: 其他活动\n", "    name: 其他活动\n    help: 每学年最多8学分。\n")  # prose_numbers
    path.write_text(text, encoding="utf-8")
    checked = check_policy(path)
    assert sorted(d.code for d in checked.diagnostics) == ["diagnostics.policy.prose.no_cap",
                                                           "diagnostics.policy.quote_differs"]
    assert checked.policy is not None and not checked.ok


def test_a_reader_error_hides_only_what_follows_from_it():
    """'010' is refused by the reader and kept as text: the schema's "expected a whole number" for the
    same value is a consequence and is not reported; the rest of the file is still checked."""
    checked = check_policy(ROOT / "tests" / "broken" / "yaml-octal-hex" / "2020.yaml")
    assert {d.code for d in checked.diagnostics} == {"diagnostics.yaml.octal", "diagnostics.yaml.hexadecimal"}
    assert checked.policy is None  # the values the reader refused are not in a model
