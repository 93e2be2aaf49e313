"""Rule bundles (generator/bundle.py): shape, schema, reproducibility, index, aliases, vectors, CLI.

The JS engine's conformance is tested by `node --test tests/js/`; the random comparison of both
engines by tests/test_differential.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from generator.cli.main import main
from generator.outputs.bundle import FORMAT_VERSION, bundle_document, dumps, write_bundles
from generator.policy.loader import load_policy, validate_paths
from generator.rules.engine import evaluate
from tests.variants import variant

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "policies"
SCHEMA = json.loads((ROOT / "schemas" / "bundle.schema.json").read_text(encoding="utf-8"))
NUMBER = SCHEMA["$defs"]["number"]["pattern"]


def validator(definition: str | None = None) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))
    schema = SCHEMA if definition is None else {"$ref": f"{SCHEMA['$id']}#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def all_policies():
    policies, _ = validate_paths([ROOT / "policies", FIXTURES])
    return policies


@pytest.fixture(scope="module")
def written(all_policies, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundles")
    return out, write_bundles(all_policies, out)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_bundle_shape(demo_policy):
    doc = bundle_document(demo_policy)
    validator().validate(doc)
    assert (doc["format"], doc["format_version"], doc["result_format"]) == ("jxjy-bundle", FORMAT_VERSION, "jxjy-result/2")
    assert doc["period"] == {"kind": "school_year", "start": "08-01", "first": None, "last": None, "source": "一-学年",
                             "carry_over": None, "carry_over_source": None, "makeup": None, "verdict": None}
    items = {i["id"]: i for i in doc["items"]}
    assert items["school-based"]["rule"] == {"type": "rate", "per": "1", "value": "0.5", "rounding": "exact"}
    assert items["school-based"]["gate"] == {"flag": "exam_passed", "source": "五-考试"}
    assert items["school-based"]["workflow"] == "flexible-registration"  # display data rides along
    assert items["putonghua"]["rule"]["table"] == [{"level": "level-3a", "value": "7"}, {"level": "level-2b", "value": "10"}]
    assert items["other"]["rule"] == {"type": "manual", "assessed_by": "校管理员", "defers_to": "《办法》",
                                      "defined_in_source": False}
    assert items["weike"]["caps"] == [{"per": "period", "max": "4", "source": "二"}]
    assert doc["caps"][0]["items"] == ["reading-notes", "reflection"]
    assert doc["checks"][0]["window"] == {"kind": "last_periods", "count": 5, "end": "current"}
    assert doc["requirements"][1]["of"] == {"category": "normative"}
    assert doc["messages"]["rule"]["rate_floor_one"].startswith("{item}：")
    assert "text" not in doc["policy"]["document"]  # no local paths in published files


def test_every_policy_bundle_and_vectors_match_the_schema(written):
    out, _ = written
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    validator("index").validate(index)
    for entry in index["bundles"]:
        validator().validate(json.loads((out / entry["url"]).read_text(encoding="utf-8")))
        if entry["tests"]:
            validator("conformance").validate(json.loads((out / entry["tests"]["url"]).read_text(encoding="utf-8")))


def test_numbers_are_canonical_strings(all_policies):
    import re
    pattern = re.compile(NUMBER)
    for policy in all_policies:
        doc = bundle_document(policy)
        numbers = [c["max"] for c in doc["caps"]] + [r["min"] for r in doc["requirements"]]
        for item in doc["items"]:
            numbers += [c["max"] for c in item["caps"]]
            numbers += [v for k, v in item["rule"].items() if k in ("per", "value", "factor", "passed", "failed")]
            numbers += [row["value"] for row in item["rule"].get("table", [])]
        for check in doc["checks"]:
            numbers += [r[k] for r in check["requirements"] for k in ("min", "min_per_period") if r[k] is not None]
        numbers += [c["factor"] for c in doc["conversions"]]
        bad = [n for n in numbers if not (isinstance(n, str) and pattern.match(n))]
        assert not bad, f"{policy.key}: {bad}"


def test_output_is_byte_for_byte_reproducible(all_policies, written, tmp_path):
    out, paths = written
    again = write_bundles(list(reversed(all_policies)), tmp_path)
    assert files_of(out) == files_of(tmp_path)
    assert [p.relative_to(out) for p in paths] == [p.relative_to(tmp_path) for p in again]
    for data in files_of(out).values():
        assert str(ROOT).encode() not in data and str(tmp_path).encode() not in data  # no absolute paths


def test_canonical_serialisation():
    data = dumps({"b": "学分", "a": [1, {"d": None, "c": True}]})
    assert data == '{"a":[1,{"c":true,"d":null}],"b":"学分"}\n'.encode()


def test_index_lists_every_edition_with_hashes(all_policies, written):
    out, paths = written
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [b["key"] for b in index["bundles"]] == [p.key for p in sorted(all_policies, key=lambda p: (p.id, p.edition))]
    for entry in index["bundles"]:
        for ref in [entry, entry["js"]] + ([entry["tests"]] if entry["tests"] else []):
            data = (out / ref["url"]).read_bytes()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (ref["size"], ref["sha256"])
    for schema in ("bundle", "ledger", "result"):
        assert (out / f"{schema}.schema.json").read_bytes() == (ROOT / "schemas" / f"{schema}.schema.json").read_bytes()
    js = (out / "index.js").read_text(encoding="utf-8")
    assert js.startswith("globalThis.JXJY_BUNDLE_INDEX = {") and js.endswith("};\n")
    assert set(paths) == {p for p in out.rglob("*") if p.is_file()}


def test_js_twin_registers_the_same_data(written):
    out, _ = written
    json_text = (out / "demo" / "2020.json").read_text(encoding="utf-8")
    js = (out / "demo" / "2020.js").read_text(encoding="utf-8")
    head = 'globalThis.JXJY_BUNDLES = globalThis.JXJY_BUNDLES || {};\nglobalThis.JXJY_BUNDLES["demo/2020"] = '
    assert js == head + json_text.rstrip("\n") + ";\n"
    latest = (out / "demo" / "latest.js").read_text(encoding="utf-8")
    assert 'globalThis.JXJY_BUNDLES["demo/2020"] = globalThis.JXJY_BUNDLES["demo/latest"] = {' in latest


def test_latest_alias_is_the_newest_edition(demo_policy, tmp_path):
    def newer_edition(data):
        data["edition"] = "2021"
        data["document"]["effective_from"] = "2021-08-01"

    newer = variant(newer_edition)
    write_bundles([newer, demo_policy], tmp_path)
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index["latest"] == {"demo": {"edition": "2021", "url": "demo/latest.json", "js_url": "demo/latest.js"}}
    assert (tmp_path / "demo" / "latest.json").read_bytes() == (tmp_path / "demo" / "2021.json").read_bytes()
    assert [b["latest"] for b in index["bundles"]] == [False, True]
    # the in-memory 2021 edition has no test cases of its own: demo/2020.tests.yaml is not reused for it
    assert [b["tests"] is not None for b in index["bundles"]] == [True, False]


def test_conformance_vectors_carry_the_reference_result(demo_policy, written):
    out, _ = written
    vectors = json.loads((out / "demo" / "2020.tests.json").read_text(encoding="utf-8"))
    assert vectors["bundle"] == "2020.json"
    assert vectors["bundle_sha256"] == hashlib.sha256((out / "demo" / "2020.json").read_bytes()).hexdigest()
    assert len(vectors["cases"]) >= 10
    for case in vectors["cases"]:
        assert case["result"] == json.loads(json.dumps(evaluate(demo_policy, case["ledger"], case["as_of"])))


def test_layered_edition_is_resolved(written):
    out, _ = written
    doc = json.loads((out / "shuangliu-teachers" / "2018.json").read_text(encoding="utf-8"))
    parent = load_policy(ROOT / "policies" / "chengdu-teachers" / "2018.yaml")
    assert doc["policy"]["extends"] == {"policy": "chengdu-teachers", "edition": "2018"}
    assert len(doc["items"]) >= len(parent.items) - 5  # the parent's items are inside, merged


def test_write_bundles_refuses_the_same_edition_twice(demo_policy, tmp_path):
    with pytest.raises(ValueError, match="demo/2020"):
        write_bundles([demo_policy, demo_policy], tmp_path)


def test_cli(tmp_path, capsys):
    assert main(["bundle", str(tmp_path / "out"), str(FIXTURES / "demo")]) == 0
    assert (tmp_path / "out" / "demo" / "2020.tests.json").exists()
    assert "已写出" in capsys.readouterr().out
    assert main(["bundle", str(tmp_path / "out2"), str(tmp_path / "missing")]) == 3  # unreadable input
    broken = tmp_path / "policies" / "broken"
    broken.mkdir(parents=True)
    (broken / "2020.yaml").write_text("id: broken\n", encoding="utf-8")
    assert main(["bundle", str(tmp_path / "out3"), str(tmp_path / "policies")]) == 1
    assert not (tmp_path / "out3").exists()
    assert main(["bundle", "--skip-invalid", str(tmp_path / "out4"), str(tmp_path / "policies"), str(FIXTURES / "demo")]) == 0
    assert (tmp_path / "out4" / "demo" / "2020.json").exists()
