"""What `jxjy serve` shows in the browser when a rebuild fails.

The preview keeps the last good build (a broken policy must not blank the site an author is looking
at), but says so on every page: a banner at the top with the number of problems and a link to a page
that lists them, each linked to a view of its file with the offending line marked. The next good
build replaces the whole site (MkDocs cleans its output), so the banner goes with it.

Words come from the message catalog (diagnostics.serve.*) in the language of the person running
`jxjy serve`; the markup from site_templates/serve/errors.html.j2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from generator.base.diagnostics import Diagnostic
from generator.base.messages import render
from generator.base.paths import SERVE_TEMPLATES

ERRORS_DIR = "_jxjy-build-errors"  # in the served site; MkDocs replaces it with the next good build
TEMPLATE = "errors.html.j2"
WORDS = ("lang", "title", "banner", "count", "details", "intro", "after")
_BANNER = re.compile(r'<div id="jxjy-build-error".*?</div>\n?', re.S)
_BODY = re.compile(r"<body[^>]*>", re.I)
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<text>.*)$")


@dataclass(frozen=True)
class Problem:
    where: str  # file:line:col, "" when the problem is in no file
    text: str
    file: str = ""
    line: int = 0


def problems_of(diagnostics: list[Diagnostic] | None = None, lines: list[str] | None = None) -> list[Problem]:
    """The validator's diagnostics, or the lines MkDocs printed (located when they start with file:line:col:)."""
    out = []
    for d in sorted(set(diagnostics or [])):
        where = f"{d.file}:{d.line}:{d.column}" if d.file else ""
        out.append(Problem(where, d.message + (f" ({d.path})" if d.path else ""), d.file, d.line))
    for line in lines or []:
        m = _LOCATED.match(line)
        if m:
            out.append(Problem(f"{m['file']}:{m['line']}:{m['col']}", m["text"], m["file"], int(m["line"])))
        else:
            out.append(Problem("", line))
    return out


@cache
def _templates():
    env = Environment(loader=FileSystemLoader(str(SERVE_TEMPLATES)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template(TEMPLATE).module


def _words(count: int) -> dict[str, str]:
    return {k: render(f"diagnostics.serve.{k}", {"count": count}) for k in WORDS}


def show_failure(site: Path, problems: list[Problem]) -> Path:
    """Write the error page (and a view of each file) into `site` and put the banner on every page; returns
    the error page."""
    site = Path(site)
    words, module = _words(len(problems)), _templates()
    folder = site / ERRORS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted({p.file for p in problems if p.file})
    rows = []
    for p in problems:
        href = ""
        if p.file and Path(p.file).is_file():
            href = f"/{ERRORS_DIR}/file-{files.index(p.file) + 1}.html#L{p.line}"
        rows.append({"where": p.where, "text": p.text, "href": href})
    for n, name in enumerate(files, 1):
        path = Path(name)
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        marked: dict[int, list[str]] = {}
        for p in problems:
            if p.file == name:
                marked.setdefault(p.line, []).append(p.text)
        (folder / f"file-{n}.html").write_text(str(module.source(words, name, lines, marked)), encoding="utf-8")
    page = folder / "index.html"
    page.write_text(str(module.page(words, rows)), encoding="utf-8")
    banner = str(module.banner(words, f"/{ERRORS_DIR}/index.html")) + "\n"
    for html in site.rglob("*.html"):
        if folder in html.parents:
            continue
        text = _BANNER.sub("", html.read_text(encoding="utf-8"))
        m = _BODY.search(text)
        if m:
            html.write_text(text[:m.end()] + "\n" + banner + text[m.end():], encoding="utf-8")
    return page
