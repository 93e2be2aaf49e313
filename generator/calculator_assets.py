"""The static credit calculator: copy calculator/ into <site>/calculator/ beside <site>/bundles/.

The page (calculator/index.html, app.js, app.css, engine.js) has no build step and no
dependencies. It loads ../bundles/index.js and each edition's ../bundles/<policy>/<edition>.js as
classic scripts, so it works from file:// and offline (generator.bundle.write_bundles writes them).

config.js tells the page where the bundles are and whether the guidance pages are beside it: trace
lines then link each clause id to ``../<policy>/<edition>/source.html#clause-…`` (the anchor of
generator.anchors.clause_anchor, computed by the page with the same SHA-1 rule). Without pages
the clause ids are shown unlinked, never as broken links.

config.js also lists, per edition, the forms generator.forms.write_forms wrote (read from each
``<forms>/<policy>/<edition>/index.json``; only files that exist, paths relative to the calculator),
so the page can offer "用我的记录生成表格" without fetching anything: it stores the prefill payload in
localStorage and opens ``<form>.html#prefill=local`` (docs/forms.md, "Prefill contract").

    python -m generator.calculator_assets OUT_DIR [--pages | --no-pages] [--forms DIR | --no-forms]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "calculator"
# What the page needs at run time; engine.mjs is for ES-module users of the engine.
FILES = ("index.html", "app.js", "app.css", "engine.js", "engine.mjs")
CONFIG_FILE = "config.js"
CONFIG_GLOBAL = "JXJY_CALCULATOR_CONFIG"
BUNDLES_URL = "../bundles/"
PAGES_URL = "../"


def _write(path: Path, data: bytes, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    written.append(path)


def detect_pages(out_dir: Path) -> list[str] | None:
    """Editions whose guidance pages sit beside the calculator (``../<id>/<edition>/source.md|html``).

    Reads ``../bundles/index.json`` for the editions; None when none has pages (or there are no bundles yet).
    """
    site = Path(out_dir).parent
    index = site / "bundles" / "index.json"
    try:
        bundles = json.loads(index.read_text(encoding="utf-8")).get("bundles", [])
    except (OSError, ValueError, AttributeError):
        return None
    found = []
    for entry in bundles:
        pid, edition = entry.get("id"), entry.get("edition")
        if not isinstance(pid, str) or not isinstance(edition, str):
            continue
        folder = site / pid / edition
        if (folder / "source.md").is_file() or (folder / "source.html").is_file():
            found.append(f"{pid}/{edition}")
    return sorted(found) or None


def _relative_url(target: Path, start: Path) -> str:
    return "/".join(Path(os.path.relpath(target, start)).parts)


def detect_forms(out_dir: Path, forms_dir: Path) -> dict[str, list[dict]] | None:
    """The forms in forms_dir (``<policy>/<edition>/index.json`` as generator.forms.write_forms writes
    them) as ``{"<policy>/<edition>": [{id, title, attachment, html, fillable_pdf, blank_pdf, prefill,
    items}]}``, file paths relative to out_dir (the calculator). A form is listed only when its HTML page
    exists, a PDF only when that file exists (else null). None when there are no forms.
    """
    out_dir, forms_dir = Path(out_dir), Path(forms_dir)
    found: dict[str, list[dict]] = {}
    for index_path in sorted(forms_dir.glob("*/*/index.json")):
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(index, dict) or not isinstance(index.get("forms"), list):
            continue
        folder = index_path.parent
        pid, edition = index.get("policy") or folder.parent.name, index.get("edition") or folder.name
        listed = []
        for form in index["forms"]:
            files = form.get("files") if isinstance(form, dict) else None
            if not isinstance(files, dict):
                continue
            paths = {kind: folder / name for kind, name in files.items()
                     if kind in ("html", "fillable_pdf", "blank_pdf") and isinstance(name, str) and "/" not in name}
            if "html" not in paths or not paths["html"].is_file():
                continue
            entry = {"id": form.get("id"), "title": form.get("title"), "attachment": form.get("attachment"),
                     "prefill": bool(form.get("prefill", True)),
                     "items": [i for i in form.get("items") or [] if isinstance(i, str)]}
            for kind in ("html", "fillable_pdf", "blank_pdf"):
                path = paths.get(kind)
                entry[kind] = _relative_url(path, out_dir) if path is not None and path.is_file() else None
            listed.append(entry)
        if listed:
            found[f"{pid}/{edition}"] = listed
    return found or None


def config_js(pages: bool | list[str] | None, forms: dict[str, list[dict]] | None = None) -> bytes:
    """``globalThis.JXJY_CALCULATOR_CONFIG = {...}``: pages True → link every edition; a list → those only.
    forms: what detect_forms found (None → the page offers no forms)."""
    config = {
        "bundles": BUNDLES_URL,
        "pages_root": PAGES_URL if pages else None,
        "page_editions": sorted(pages) if isinstance(pages, list) else None,
        "forms": forms or None,
    }
    text = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return (f"// Written by generator/calculator_assets.py: where the bundles, guidance pages and forms are.\n"
            f"globalThis.{CONFIG_GLOBAL} = {text};\n").encode()


def write_calculator(out_dir: Path, *, guidance_pages: bool | list[str] | None = None,
                     forms_dir: Path | bool | None = None) -> list[Path]:
    """Copy the calculator's static files into out_dir (normally <site>/calculator/).

    guidance_pages: True when the guidance pages are built beside the calculator (link clause ids to
    ``../<policy>/<edition>/source.html``), False to never link, a list of ``id/edition`` keys to link
    only those, None (default) to look for ``../<id>/<edition>/source.md|html`` now (call it after the
    pages are generated, or pass True).
    forms_dir: where generator.forms.write_forms wrote the forms (write them first), False for no forms,
    None (default) to look in ``../forms`` (beside the calculator). Returns the paths written, sorted.
    Same input → same bytes.
    """
    out_dir = Path(out_dir)
    missing = [name for name in FILES if not (SOURCE / name).is_file()]
    if missing:
        raise FileNotFoundError(f"calculator files missing in {SOURCE}: {', '.join(missing)}")
    if guidance_pages is None:
        guidance_pages = detect_pages(out_dir)
    if forms_dir is None or forms_dir is True:
        forms_dir = out_dir.parent / "forms"
    forms = detect_forms(out_dir, forms_dir) if forms_dir is not False else None
    written: list[Path] = []
    for name in FILES:
        _write(out_dir / name, (SOURCE / name).read_bytes(), written)
    _write(out_dir / CONFIG_FILE, config_js(guidance_pages, forms), written)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.calculator_assets",
                                     description="copy the credit calculator into a site folder")
    parser.add_argument("out_dir", type=Path, help="target folder, e.g. site/calculator (bundles go to site/bundles)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--pages", dest="pages", action="store_const", const=True,
                       help="link clause ids to the guidance pages at ../<policy>/<edition>/source.html")
    group.add_argument("--no-pages", dest="pages", action="store_const", const=False, help="never link to guidance pages")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--forms", dest="forms", type=Path,
                       help="the forms folder generator.forms wrote (default: ../forms beside OUT_DIR, if any)")
    group.add_argument("--no-forms", dest="forms", action="store_const", const=False, help="offer no forms")
    args = parser.parse_args(argv)
    written = write_calculator(args.out_dir, guidance_pages=args.pages, forms_dir=args.forms)
    print(f"wrote {len(written)} files into {args.out_dir}")
    return 0


__all__ = ["config_js", "detect_forms", "detect_pages", "write_calculator"]

if __name__ == "__main__":
    sys.exit(main())
