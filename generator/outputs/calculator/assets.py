"""The static credit calculator: calculator/ into <site>/calculator/, with its data beside it.

The page (calculator/index.html, app.js, app.css, engine.js) has no dependencies and runs from
the sources as they are. For the site, engine.js and app.js are minified by terser
(generator.outputs.calculator.minify; a .map beside each) when node_modules has it, else copied readable. The page
loads only classic scripts, so it works from file:// and offline: config.js, engine.js,
data/index.js, app.js, then the chosen edition's data/<policy>/<edition>.js and, when an
explanation is opened, its .texts.js (generator.outputs.calculator.data derives them from ../bundles,
which generator.outputs.bundle.write_bundles writes first).

config.js tells the page where its data is and whether the guidance pages are beside it: trace
lines then link each clause id to ``../<policy>/<edition>/source.html#clause-…`` (the anchor of
generator.outputs.anchors.clause_anchor, computed by the page with the same SHA-1 rule). Without pages
the clause ids are shown unlinked, never as broken links.

Each edition's data file also lists the forms generator.outputs.forms.forms.write_forms wrote for it (read from
``<forms>/<policy>/<edition>/index.json``; only files that exist, paths relative to the calculator),
so the page can offer "用我的记录生成表格" without fetching anything: it stores the prefill payload in
localStorage and opens ``<form>.html#prefill=local`` (docs/forms.md, "Prefill contract").

    jxjy calculator OUT_DIR [--pages | --no-pages] [--forms DIR | --no-forms]
                                          [--bundles DIR] [--minify | --no-minify]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from generator.base.paths import CALCULATOR_SOURCE
from generator.outputs.calculator.data import write_calculator_data
from generator.outputs.calculator.minify import minify_available, minify_scripts
from generator.outputs.files import write_output

SOURCE = CALCULATOR_SOURCE
# What the page needs at run time; engine.mjs is for ES-module users of the engine.
FILES = ("index.html", "app.js", "app.css", "engine.js", "engine.mjs")
MINIFIED = ("app.js", "engine.js")  # written minified, each with <name>.map, when terser is installed
CONFIG_FILE = "config.js"
CONFIG_GLOBAL = "JXJY_CALCULATOR_CONFIG"
DATA_DIR = "data"
DATA_URL = DATA_DIR + "/"
PAGES_URL = "../"


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
    """The forms in forms_dir (``<policy>/<edition>/index.json`` as generator.outputs.forms.forms.write_forms writes
    them) as ``{"<policy>/<edition>": [{id, title, attachment, html, fillable_pdf, blank_pdf, prefill,
    statement, items}]}`` (`statement`: the personal statement, which the calculator prints), file paths
    relative to out_dir (the calculator). A form is listed only when its HTML page
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
                     "prefill": bool(form.get("prefill", True)), "statement": bool(form.get("statement")),
                     "items": [i for i in form.get("items") or [] if isinstance(i, str)]}
            for kind in ("html", "fillable_pdf", "blank_pdf"):
                path = paths.get(kind)
                entry[kind] = _relative_url(path, out_dir) if path is not None and path.is_file() else None
            listed.append(entry)
        if listed:
            found[f"{pid}/{edition}"] = listed
    return found or None


def config_js(pages: bool | list[str] | None) -> bytes:
    """``globalThis.JXJY_CALCULATOR_CONFIG = {...}``: pages True → link every edition; a list → those only."""
    config = {
        "data": DATA_URL,
        "pages_root": PAGES_URL if pages else None,
        "page_editions": sorted(pages) if isinstance(pages, list) else None,
    }
    text = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return (f"// Written by generator/calculator_assets.py: where the data and the guidance pages are.\n"
            f"globalThis.{CONFIG_GLOBAL} = {text};\n").encode()


def write_calculator(out_dir: Path, *, guidance_pages: bool | list[str] | None = None,
                     forms_dir: Path | bool | None = None, bundles_dir: Path | None = None,
                     minify: bool | None = None) -> list[Path]:
    """Write the calculator into out_dir (normally <site>/calculator/).

    guidance_pages: True when the guidance pages are built beside the calculator (link clause ids to
    ``../<policy>/<edition>/source.html``), False to never link, a list of ``id/edition`` keys to link
    only those, None (default) to look for ``../<id>/<edition>/source.md|html`` now (call it after the
    pages are generated, or pass True).
    forms_dir: where generator.outputs.forms.forms.write_forms wrote the forms (write them first), False for no forms,
    None (default) to look in ``../forms`` (beside the calculator).
    bundles_dir: the rule bundles to derive data/ from (default ``../bundles``; none there → no data).
    minify: True to require terser, False to copy the sources, None (default) to minify when terser is
    installed. Returns the paths written, sorted. Same input → same bytes.
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
    if minify is None:
        minify = minify_available()
    sources = {name: (SOURCE / name).read_bytes() for name in FILES}
    written: list[Path] = []
    if minify:
        for name, (code, source_map) in minify_scripts({n: sources[n] for n in MINIFIED}).items():
            sources[name] = code
            write_output(out_dir / f"{name}.map", source_map, written)
    else:
        for name in MINIFIED:  # no stale maps pointing at other code
            (out_dir / f"{name}.map").unlink(missing_ok=True)
    for name in FILES:
        write_output(out_dir / name, sources[name], written)
    write_output(out_dir / CONFIG_FILE, config_js(guidance_pages), written)
    bundles_dir = out_dir.parent / "bundles" if bundles_dir is None else Path(bundles_dir)
    written += write_calculator_data(bundles_dir, out_dir / DATA_DIR, forms)
    return sorted(written)

__all__ = ["config_js", "detect_forms", "detect_pages", "write_calculator"]
