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
