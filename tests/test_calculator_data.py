"""What a teacher's phone downloads: the calculator's data (generator/calculator_data.py) and its
minified scripts (generator/minify.py).

The page must compute exactly what the reference engine computes, so every conformance vector is
evaluated by node from the very files the page loads (the views in calculator/data, the minified
engine.js, loaded as classic scripts) and compared with the reference result. The download size is
deterministic, so its budget is checked here; the timings are in benchmarks/calculator.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.outputs.anchors import clause_anchor
from generator.outputs.calculator import minify
from generator.outputs.calculator.assets import MINIFIED, write_calculator
from generator.outputs.calculator.data import DROPPED, calculator_texts, calculator_view, write_calculator_data
from generator.outputs.calculator.data import read_registered as registered

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "js" / "page-runner.mjs"
NODE = shutil.which("node")
# bytes gzipped: calculator JS + the largest edition's data. Issue 4 set 40 KB; issue 13's states, deadlines, reasons,
# unit conversions and verification codes cost ≈ 3.4 KB in engine and page (Shuangliu's school schedule was moved
# to its texts to win part back), so the budget is 44 KB — raised once, by decision, and recorded in
# benchmarks/README.md ("Calculator download"); splitting the import checks and the rule prose into lazily loaded
# files would win it back.
SIZE_BUDGET = 44 * 1024
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
needs_terser = pytest.mark.skipif(not minify.minify_available(), reason="terser is not installed (npm ci)")


@pytest.fixture(scope="module")
def site(built_site):
    """The session's whole site (tests/conftest.py: `jxjy build` of policies/ and the test fixtures):
    bundles/, forms/ and calculator/ as a teacher downloads them."""
    return built_site.site_dir


def bundles_of(site: Path) -> dict[str, dict]:
    index = json.loads((site / "bundles" / "index.json").read_text(encoding="utf-8"))
    return {e["key"]: json.loads((site / "bundles" / e["url"]).read_text(encoding="utf-8")) for e in index["bundles"]}


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


# ---------------------------------------------------------------------------------------------
# the page's files compute what the reference engine computes
# ---------------------------------------------------------------------------------------------

def vectors(site: Path) -> list[dict]:
    cases = []
    for tests_file in sorted((site / "bundles").glob("*/*.tests.json")):
        doc = json.loads(tests_file.read_text(encoding="utf-8"))
        key = f"{doc['policy']}/{doc['edition']}"
        cases += [{"bundle_key": key, "ledger": c["ledger"], "as_of": c["as_of"], "id": c["id"], "result": c["result"]}
                  for c in doc["cases"]]
    return cases


@pytest.mark.slow
@needs_node
@pytest.mark.parametrize("engine, rules", [
    ("site", "data"),        # what the page runs: the built engine.js with the calculator's views
    ("source", "data"),      # the views alone
    ("site", "bundles"),     # the minified engine alone, on the published bundles' .js twins
])
def test_every_vector_evaluates_the_same_from_the_files_the_page_loads(site, engine, rules):
    if engine == "site" and not (site / "calculator" / "engine.js.map").is_file():
        pytest.skip("the engine was not minified (terser is not installed)")
    engine_file = site / "calculator" / "engine.js" if engine == "site" else ROOT / "calculator" / "engine.js"
    rules_dir = site / "calculator" / "data" if rules == "data" else site / "bundles"
    cases = vectors(site)
    assert len(cases) > 80 and {c["bundle_key"] for c in cases} >= {"chengdu-teachers/2018", "guangzhou-cycle/2016"}
    request = [{k: c[k] for k in ("bundle_key", "ledger", "as_of")} for c in cases]
    done = subprocess.run([NODE, str(RUNNER), str(engine_file), str(rules_dir), ".js"], input=json.dumps(request),
                          capture_output=True, text=True, check=True, timeout=120)
    results = json.loads(done.stdout)
    wrong = [f"{c['bundle_key']} {c['id']}" for c, r in zip(cases, results, strict=True) if r != c["result"]]
    assert not wrong, wrong


# ---------------------------------------------------------------------------------------------
# the view leaves out only what the page loads later or never shows
# ---------------------------------------------------------------------------------------------

def _has_path(node, path: list[str]) -> bool:
    head, rest = path[0], path[1:]
    if head == "*":
        return isinstance(node, list) and any(_has_path(child, rest) for child in node)
    if not isinstance(node, dict) or head not in node:
        return False
    return not rest or _has_path(node[head], rest)


@pytest.mark.slow
def test_every_dropped_member_exists_in_the_bundles_so_the_list_is_not_stale(site):
    bundles = bundles_of(site).values()
    stale = [path for path in DROPPED if not any(_has_path(b, path.split(".")) for b in bundles)]
    assert not stale


@pytest.mark.slow
def test_the_view_keeps_everything_else_and_the_texts_keep_what_the_view_moves(site):
    for key, bundle in bundles_of(site).items():
        view, texts = calculator_view(bundle), calculator_texts(bundle)
        for path in DROPPED:
            assert not _has_path(view, path.split(".")), (key, path)
        # the view keeps what a trace line shows at once: each clause's citation and its anchor on the source page
        assert view["clauses"] == [{"id": c["id"], "cite": c["cite"], "anchor": clause_anchor(c["id"])}
                                   for c in bundle["clauses"]] and texts["clauses"] == bundle["clauses"]
        if (Path("policies") / key.split("/")[0]).is_dir():  # the bundled policies cite as readers do
            assert all(c["cite"] != c["id"] or c["id"] in c["cite"] for c in view["clauses"]), key
        assert set(view) | {"notes", "timeline", "conversions", "result_format", "unit_source"} >= set(bundle)
        for item, original in zip(view["items"], bundle["items"], strict=True):
            assert item["id"] == original["id"] and item["rule"] == {k: v for k, v in original["rule"].items()
                                                                        if k != "defined_in_source"}
            if original.get("help") and original.get("description"):
                assert "description" not in item and item["has_description"] is True
                assert texts["descriptions"][item["id"]] == original["description"]
            else:
                assert item.get("description") == original.get("description") and "has_description" not in item
        assert view["messages"]["rule_text"]["rate_floor"] == bundle["messages"]["rule_text"]["rate_floor"]
        assert "csv_headers" not in view["messages"]


@pytest.mark.slow
def test_data_files_index_and_forms(site, tmp_path):
    data = site / "calculator" / "data"
    index_text = (data / "index.js").read_text(encoding="utf-8")
    index = json.loads(re.match(r"globalThis\.JXJY_BUNDLE_INDEX = (.*);\n$", index_text, re.S).group(1))
    bundles = bundles_of(site)
    assert [e["key"] for e in index["bundles"]] == list(bundles)  # the bundle index's order
    for entry in index["bundles"]:
        view_file, texts_file = data / entry["js"]["url"], data / entry["texts"]["url"]
        # the view, and the sha256 of the whole bundle it was cut from (what results and verification codes name)
        sha = hashlib.sha256((site / "bundles" / f"{entry['key']}.json").read_bytes()).hexdigest()
        assert registered(view_file, "JXJY_BUNDLES") == {entry["key"]: dict(calculator_view(bundles[entry["key"]]),
                                                                            bundle_sha256=sha)}
        assert registered(texts_file, "JXJY_TEXTS") == {entry["key"]: calculator_texts(bundles[entry["key"]])}
        forms = registered(view_file, "JXJY_FORMS")  # its own edition's forms, when it has any
        has_forms = (site / "forms" / entry["key"] / "index.json").is_file()
        assert list(forms) == ([entry["key"]] if has_forms else []), entry["key"]
    with_forms = [e["key"] for e in index["bundles"] if (site / "forms" / e["key"] / "index.json").is_file()]
    assert with_forms == [e["key"] for e in index["bundles"]]  # every edition: at least its personal statement
    assert index["latest"]["chengdu-teachers"] == {"edition": "2018"}
    # forms are registered with their own edition only
    form = {"id": "roster", "title": "花名册", "html": "../forms/demo/2020/roster.html"}
    written = write_calculator_data(site / "bundles", tmp_path / "data", {"demo/2020": [form]})
    assert registered(tmp_path / "data" / "demo" / "2020.js", "JXJY_FORMS") == {"demo/2020": [form]}
    assert "JXJY_FORMS" not in (tmp_path / "data" / "chengdu-teachers" / "2018.js").read_text(encoding="utf-8")
    # same input → same bytes; no bundles → nothing written
    before = {p: p.read_bytes() for p in written}
    assert write_calculator_data(site / "bundles", tmp_path / "data", {"demo/2020": [form]}) == written
    assert {p: p.read_bytes() for p in written} == before
    assert write_calculator_data(tmp_path / "nowhere", tmp_path / "data2") == []


# ---------------------------------------------------------------------------------------------
# minification
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@needs_terser
def test_minified_scripts_come_with_source_maps_of_the_readable_sources(site):
    calc = site / "calculator"
    for name in MINIFIED:
        code, source = (calc / name).read_bytes(), (ROOT / "calculator" / name).read_bytes()
        assert len(code) < 0.65 * len(source), name
        assert code.rstrip().endswith(f"//# sourceMappingURL={name}.map".encode())
        source_map = json.loads((calc / f"{name}.map").read_text(encoding="utf-8"))
        assert source_map["sourcesContent"] == [source.decode("utf-8")] and source_map["file"] == name
    assert (calc / "engine.mjs").read_bytes() == (ROOT / "calculator" / "engine.mjs").read_bytes()


@pytest.mark.slow
@needs_terser
def test_minifying_is_reproducible(site):
    """Minifying again gives the very bytes `jxjy build` wrote into the site (tests/conftest.py)."""
    sources = {name: (ROOT / "calculator" / name).read_bytes() for name in MINIFIED}
    built = {name: ((site / "calculator" / name).read_bytes(), (site / "calculator" / f"{name}.map").read_bytes())
             for name in MINIFIED}
    assert minify.minify_scripts(sources) == built


def test_without_terser_the_readable_sources_are_shipped(tmp_path, monkeypatch):
    calc = tmp_path / "calculator"
    for name in MINIFIED:  # maps left by an earlier minified build must not survive
        calc.mkdir(exist_ok=True)
        (calc / f"{name}.map").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(minify, "TERSER", tmp_path / "no-terser" / "package.json")
    assert not minify.minify_available()
    write_calculator(calc, guidance_pages=False, forms_dir=False)  # auto: falls back
    for name in MINIFIED:
        assert (calc / name).read_bytes() == (ROOT / "calculator" / name).read_bytes()
        assert not (calc / f"{name}.map").exists()
    with pytest.raises(minify.MinifyError, match="npm ci"):
        write_calculator(calc, guidance_pages=False, forms_dir=False, minify=True)


def test_a_script_terser_refuses_is_a_clear_error():
    if not minify.minify_available():
        pytest.skip("terser is not installed (npm ci)")
    with pytest.raises(minify.MinifyError, match="terser failed"):
        minify.minify_scripts({"broken.js": b"function ( {"})


# ---------------------------------------------------------------------------------------------
# the download budget
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@needs_terser
def test_calculator_js_and_the_largest_edition_fit_the_download_budget(site):
    """Every edition's data counts (Chengdu's with its forms list, as `jxjy build` writes it)."""
    calc = site / "calculator"
    scripts = sum(gz(calc / name) for name in ("config.js", "engine.js", "app.js", "data/index.js"))
    editions = {p: gz(p) for p in (calc / "data").glob("*/*.js") if not p.name.endswith(".texts.js")}
    largest = max(editions, key=editions.get)
    assert scripts + editions[largest] <= SIZE_BUDGET, (
        f"calculator JS {scripts} B + {largest.relative_to(calc)} {editions[largest]} B gzipped > {SIZE_BUDGET} B: "
        "see benchmarks/calculator.py")
