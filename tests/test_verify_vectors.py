"""The verification-code vectors the JS engine is tested against (tests/js/verify.test.mjs) are exactly what
generator/rules/verify.py computes today (scripts/make_verify_vectors.py writes them)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_js_verification_vectors_are_up_to_date():
    spec = importlib.util.spec_from_file_location("make_verify_vectors", ROOT / "scripts" / "make_verify_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUT.read_text(encoding="utf-8") == module.text(), "run scripts/make_verify_vectors.py"
