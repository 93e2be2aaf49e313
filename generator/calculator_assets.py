"""The static credit calculator: copy calculator/ into <site>/calculator/ beside <site>/bundles/.

The page (calculator/index.html, app.js, app.css, engine.js) has no build step and no
dependencies. It loads ../bundles/index.js and each edition's ../bundles/<policy>/<edition>.js as
classic scripts, so it works from file:// and offline (generator.bundle.write_bundles writes them).

config.js tells the page where the bundles are and whether the guidance pages are beside it: trace
lines then link each clause id to ``../<policy>/<edition>/source.html#clause-…`` (the anchor of
generator.anchors.clause_anchor, computed by the page with the same SHA-1 rule). Without pages
the clause ids are shown unlinked, never as broken links.

    python -m generator.calculator_assets OUT_DIR [--pages | --no-pages]
"""

from __future__ import annotations

import argparse
import json
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


def config_js(pages: bool | list[str] | None) -> bytes:
    """``globalThis.JXJY_CALCULATOR_CONFIG = {...}``: pages True → link every edition; a list → those only."""
    config = {
        "bundles": BUNDLES_URL,
        "pages_root": PAGES_URL if pages else None,
        "page_editions": sorted(pages) if isinstance(pages, list) else None,
    }
    text = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return (f"// Written by generator/calculator_assets.py: where the bundles and guidance pages are.\n"
            f"globalThis.{CONFIG_GLOBAL} = {text};\n").encode()


def write_calculator(out_dir: Path, *, guidance_pages: bool | list[str] | None = None) -> list[Path]:
    """Copy the calculator's static files into out_dir (normally <site>/calculator/).

    guidance_pages: True when the guidance pages are built beside the calculator (link clause ids to
    ``../<policy>/<edition>/source.html``), False to never link, a list of ``id/edition`` keys to link
    only those, None (default) to look for ``../<id>/<edition>/source.md|html`` now (call it after the
    pages are generated, or pass True). Returns the paths written, sorted. Same input → same bytes.
    """
    out_dir = Path(out_dir)
    missing = [name for name in FILES if not (SOURCE / name).is_file()]
    if missing:
        raise FileNotFoundError(f"calculator files missing in {SOURCE}: {', '.join(missing)}")
    if guidance_pages is None:
        guidance_pages = detect_pages(out_dir)
    written: list[Path] = []
    for name in FILES:
        _write(out_dir / name, (SOURCE / name).read_bytes(), written)
    _write(out_dir / CONFIG_FILE, config_js(guidance_pages), written)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.calculator_assets",
                                     description="copy the credit calculator into a site folder")
    parser.add_argument("out_dir", type=Path, help="target folder, e.g. site/calculator (bundles go to site/bundles)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--pages", dest="pages", action="store_const", const=True,
                       help="link clause ids to the guidance pages at ../<policy>/<edition>/source.html")
    group.add_argument("--no-pages", dest="pages", action="store_const", const=False, help="never link to guidance pages")
    args = parser.parse_args(argv)
    written = write_calculator(args.out_dir, guidance_pages=args.pages)
    print(f"wrote {len(written)} files into {args.out_dir}")
    return 0


__all__ = ["config_js", "detect_pages", "write_calculator"]

if __name__ == "__main__":
    sys.exit(main())
