"""The repository itself: no file grows past what its kind needs.

benchmarks/README.md once became 12 MB (a str.replace("", table) inserted the table between every
character) and was committed unnoticed; a size limit on tracked files catches that kind of slip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 256 * 1024  # bytes
VENDORED = {"docs_static/assets/vendor/mermaid/mermaid.min.js"}  # third-party, kept as released


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_no_tracked_file_is_oversized():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    sizes = {name: (ROOT / name).stat().st_size for name in files if name and (ROOT / name).is_file()}
    assert len(sizes) > 100
    too_big = {name: size for name, size in sizes.items() if size > LIMIT and name not in VENDORED}
    assert not too_big, f"tracked files over {LIMIT // 1024} KB: {too_big}"
    assert all(name in sizes for name in VENDORED)  # the exception list is not stale


def test_one_variable_names_the_screenshot_folder_and_the_readme_says_which():
    """The browser tests keep their screenshots in the folder JXJY_SCREENSHOT_DIR names — one name for every
    test (the calculator's tests once read another), and README says it."""
    import re

    pattern = re.compile("JXJY_" + r"SCREENSHOT\w*")  # (split so that this line is not a match itself)
    names = {name for f in sorted((ROOT / "tests").glob("*.py"))
             for name in pattern.findall(f.read_text(encoding="utf-8"))}
    docs = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    documented = {name for f in docs for name in pattern.findall(f.read_text(encoding="utf-8"))}
    assert names == {"JXJY_SCREENSHOT_DIR"}, names
    assert documented == {"JXJY_SCREENSHOT_DIR"}, documented
    assert "JXJY_SCREENSHOT_DIR" in (ROOT / "README.md").read_text(encoding="utf-8")
