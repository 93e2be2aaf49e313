"""The names of every generated file, defined once, and how they are written.

The site's folders (``bundles/``, ``forms/``, ``calculator/``, one folder per edition of pages)
and the files inside them are named here; producers write these paths and the pages, the
calculator and the tests look for exactly these paths. Writing never rewrites the same bytes,
so a rebuild touches (and a `jxjy serve` watcher sees) only what changed.
"""

from __future__ import annotations

from pathlib import Path

# Folders of the built site that producers other than the page generator own.
BUNDLES_DIR = "bundles"
FORMS_DIR = "forms"
CALCULATOR_DIR = "calculator"
PRODUCER_DIRS = (BUNDLES_DIR, FORMS_DIR, CALCULATOR_DIR)

# rule bundles (generator/outputs/bundle.py), relative to bundles/
BUNDLE_INDEX = "index.json"
BUNDLE_INDEX_JS = "index.js"
BUNDLE_SPEC = "spec.md"


def edition_path(policy_id: str, edition: str) -> str:
    """``chengdu-teachers/2018``: an edition's folder, the same under bundles/, forms/ and the pages."""
    return f"{policy_id}/{edition}"


def bundle_file(policy_id: str, edition: str, kind: str = "json") -> str:
    """An edition's bundle (``json``), its .js twin (``js``) or its conformance vectors (``tests.json``)."""
    return f"{edition_path(policy_id, edition)}.{kind}"


def latest_file(policy_id: str, kind: str = "json") -> str:
    return f"{policy_id}/latest.{kind}"


# forms (generator/outputs/forms/), relative to forms/
FORM_FILES = {  # kind → file name pattern inside the edition's folder
    "html": "{form}.html",
    "blank_pdf": "{form}-blank.pdf",
    "fillable_pdf": "{form}-fillable.pdf",
    "xlsx": "{form}.xlsx",
}
FORMS_INDEX = "index.json"  # per edition: the forms written, for the calculator and the pages
FORM_RULES = "rules.js"  # per edition: the bundle view the form pages' scripts evaluate with
FORM_ASSETS = ("engine.js", "form.js", "form.css", "screen.css")  # shared by every form page, in forms/


def form_file(kind: str, form_id: str) -> str:
    return FORM_FILES[kind].format(form=form_id)


def form_path(policy_id: str, edition: str, kind: str, form_id: str) -> str:
    """A form's file relative to forms/."""
    return f"{edition_path(policy_id, edition)}/{form_file(kind, form_id)}"


# the calculator (generator/outputs/calculator/), relative to calculator/
CALCULATOR_DATA_DIR = "data"


def write_output(path: Path, data: bytes, written: list[Path]) -> None:
    """Write data to path unless it holds those bytes already; either way record path in written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    written.append(path)
