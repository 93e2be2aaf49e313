"""`jxjy build` puts bundles, the calculator and forms beside the pages, and the pages link them."""

import json
from pathlib import Path

import pytest

from generator.outputs.calculator.minify import minify_available

pytestmark = pytest.mark.slow  # the whole site, `jxjy build` (tests/conftest.py: built_site)


@pytest.fixture(scope="module")
def built(built_site):
    return built_site.site_dir


def test_the_build_says_what_it_built(built_site):
    summary = built_site.output.strip().splitlines()[-1]  # (in the message catalog's words)
    assert str(built_site.site_dir) in summary and ", ".join(built_site.report.policies) in summary
    assert str(len(built_site.policies)) in summary and str(built_site.report.pages) in summary


def test_bundles_index_and_spec_are_published(built: Path):
    index = json.loads((built / "bundles" / "index.json").read_text(encoding="utf-8"))
    text = json.dumps(index, ensure_ascii=False)
    for key in ("chengdu-teachers", "shuangliu-teachers", "zhengzhou-education", "guangzhou-cycle", "guangdong",
                "guangdong-accounting"):
        assert key in text
        assert (built / "bundles" / key / "latest.json").is_file()
    assert (built / "bundles" / "chengdu-teachers" / "2018.tests.json").is_file()
    assert (built / "bundles" / "spec.html").is_file()
    developers = (built / "developers.html").read_text(encoding="utf-8")
    assert 'href="bundles/spec.html"' in developers and 'href="bundles/index.json"' in developers


def test_calculator_is_built_and_linked(built: Path):
    assert (built / "calculator" / "index.html").is_file()
    assert (built / "calculator" / "engine.js").is_file()
    assert "calculator/index.html" in (built / "index.html").read_text(encoding="utf-8")


def test_forms_are_built_and_linked(built: Path):
    base = built / "forms" / "chengdu-teachers" / "2018"
    for name in ("flexible-registration-form.html", "flexible-registration-form-fillable.pdf",
                 "flexible-registration-form-blank.pdf", "title-review-report-fillable.pdf"):
        assert (base / name).is_file(), name
    page = (built / "chengdu-teachers" / "2018" / "forms.html").read_text(encoding="utf-8")
    assert "flexible-registration-form-fillable.pdf" in page


def test_the_calculator_lists_the_built_forms(built: Path):
    data = (built / "calculator" / "data" / "chengdu-teachers" / "2018.js").read_text(encoding="utf-8")
    link = "../forms/chengdu-teachers/2018/flexible-registration-form.html"
    assert f'"html":"{link}"' in data  # forms are written before the calculator
    assert (built / "calculator" / link).resolve().is_file()
    # the site ships the calculator's scripts minified, with source maps, whenever terser is installed (npm ci)
    for name in ("engine.js", "app.js"):
        assert (built / "calculator" / f"{name}.map").is_file() == minify_available()
