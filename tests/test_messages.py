"""The message catalogs: English mirrors Chinese, and every diagnostic code the code emits exists in both.

A diagnostic is a catalog code with parameters, rendered only when shown; a code missing from the
catalog would show as the bare code text, a placeholder missing from one language would raise when
rendered. These tests find both before a user does.
"""

import re
import string
from pathlib import Path

import pytest

from generator.base.diagnostics import Diagnostic
from generator.base.messages import catalog, phrase, render

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("diagnostics", "errors")
# Modules whose every user-facing sentence is a diagnostics.* code (issue 11: validate, test, build)
EMITTERS = sorted([*(ROOT / "generator" / "policy").glob("*.py"), ROOT / "generator" / "rules" / "cases.py",
                   *(ROOT / "generator" / "cli").glob("*.py"), ROOT / "generator" / "outputs" / "site" / "build.py"])
CODE = re.compile(r"""["'](diagnostics\.[a-z0-9_.]*[a-z0-9_])["']""")  # a code, not a prefix such as "diagnostics.io."


def leaves(node, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in (node or {}).items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("section", SECTIONS)
def test_english_has_the_same_keys_and_placeholders(section):
    zh, en = leaves(catalog("zh").get(section)), leaves(catalog("en").get(section))
    assert sorted(zh) == sorted(en)
    differ = {key: (placeholders(zh[key]), placeholders(en[key])) for key in zh
              if placeholders(zh[key]) != placeholders(en[key])}
    assert not differ


def test_the_catalog_has_diagnostics_in_both_languages():
    assert len(leaves(catalog("zh")["diagnostics"])) > 100


def emitted_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for module in EMITTERS:
        for code in CODE.findall(module.read_text(encoding="utf-8")):
            codes.setdefault(code, []).append(module.relative_to(ROOT).as_posix())
    return codes


def test_every_code_the_validator_emits_is_in_both_catalogs():
    codes = emitted_codes()
    assert len(codes) > 80  # the scan finds the codes (it would pass vacuously on a broken pattern)
    for lang in ("zh", "en"):
        known = leaves(catalog(lang)["diagnostics"])
        missing = {code: where for code, where in codes.items() if code.removeprefix("diagnostics.") not in known}
        assert not missing, lang


@pytest.mark.parametrize("section", ["yaml", "schema", "policy", "cases", "hint"])
def test_every_catalog_code_of_the_validator_is_used(section):
    """A code no module emits is a sentence no one reads: remove it, or emit it."""
    used = set(emitted_codes())
    unused = [f"diagnostics.{section}.{key}" for key in leaves(catalog("zh")["diagnostics"][section])
              if f"diagnostics.{section}.{key}" not in used]
    assert not unused


def test_every_emitted_code_renders_a_sentence_in_both_languages():
    """Rendering every emitted code with its placeholders filled: each is a sentence (not the bare
    code) in each language, and no placeholder is left unfilled (str.format would raise)."""
    templates = leaves(catalog("zh"))
    for code in emitted_codes():
        params = {name: "x" for name in placeholders(templates[code])}
        for lang in ("zh", "en"):
            assert render(code, params, lang) != code


def test_a_diagnostic_renders_in_the_readers_language_with_nested_phrases():
    d = Diagnostic.of("p.yaml", 3, 5, "diagnostics.schema.unknown_key", "items[0].capz", name="capz",
                      hint=phrase("diagnostics.hint.did_you_mean", choice="caps"))
    assert d.format("zh") == "p.yaml:3:5: 未知的键「capz」；是不是「caps」？ (items[0].capz)"
    assert d.format("en") == "p.yaml:3:5: unknown key 'capz'; did you mean 'caps'? (items[0].capz)"
    assert d.message == d.text("zh")  # tests/conftest.py pins JXJY_LANG=zh
    assert d.as_json("en")["params"]["hint"] == {"code": "diagnostics.hint.did_you_mean", "params": {"choice": "caps"}}
    assert sorted([d, Diagnostic.of("p.yaml", 3, 5, "diagnostics.schema.unknown_key", "items[0].capz", name="capz",
                                    hint=phrase("diagnostics.nothing"))])  # mixed hints still sort
