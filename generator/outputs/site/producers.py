"""The outputs `jxjy build` writes beside the guidance pages, in the order they must run.

Bundles first (the calculator's data is derived from them), then forms (each edition's calculator
data lists the forms that exist), then the calculator.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from generator.base.messages import render
from generator.base.paths import DOCS
from generator.outputs.bundle import write_bundles
from generator.outputs.calculator.assets import write_calculator
from generator.outputs.calculator.minify import minify_available
from generator.outputs.files import BUNDLE_SPEC, BUNDLES_DIR, CALCULATOR_DIR, FORMS_DIR
from generator.outputs.site.build import Producer
from generator.policy.model import Policy


def _bundles_with_spec(policies: list[Policy], out_dir: Path) -> None:
    write_bundles(policies, out_dir)
    shutil.copyfile(DOCS / "bundle-spec.md", out_dir / BUNDLE_SPEC)


def _forms(policies: list[Policy], out_dir: Path) -> None:
    from generator.outputs.forms.render import write_forms  # noqa: PLC0415 - WeasyPrint loads only when forms are built

    write_forms(policies, out_dir)


def site_producers(with_forms: bool = True) -> list[Producer]:
    """Bundles, (unless skipped) forms, and the calculator, as `jxjy build` and `jxjy serve` run them."""

    def calculator(policies: list[Policy], out_dir: Path) -> None:
        if not minify_available():
            print(render("diagnostics.cli.no_terser"), file=sys.stderr)
        write_calculator(out_dir, guidance_pages=True, forms_dir=out_dir.parent / FORMS_DIR if with_forms else False)

    out = [Producer(BUNDLES_DIR, _bundles_with_spec)]
    if with_forms:
        out.append(Producer(FORMS_DIR, _forms))
    out.append(Producer(CALCULATOR_DIR, calculator))
    return out
