"""Minify the calculator's scripts for the site: smaller downloads for teachers on phones.

The sources in calculator/ stay readable and run as they are (no build step is needed to use or
test them); `jxjy build` ships a minified copy made by terser (an npm package pinned in
package-lock.json, run through scripts/minify.mjs) with a source map beside each file. Property
names are never mangled, so the minified engine evaluates exactly like the source: the tests run
the conformance vectors through both.

Where node or node_modules/terser is missing (`npm ci` installs it) the readable sources are
shipped unchanged; `minify_available()` says which will happen.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from generator.base.paths import ROOT

SCRIPT = ROOT / "scripts" / "minify.mjs"
TERSER = ROOT / "node_modules" / "terser" / "package.json"


class MinifyError(RuntimeError):
    """terser could not run or refused a script."""


def minify_available() -> bool:
    """True when node and the pinned terser are installed."""
    return shutil.which("node") is not None and TERSER.is_file() and SCRIPT.is_file()


def minify_scripts(sources: dict[str, bytes]) -> dict[str, tuple[bytes, bytes]]:
    """{file name: source} → {file name: (minified code, source map)}; one node process for all.

    The code ends with ``//# sourceMappingURL=<name>.map``. Same sources and terser version → same bytes.
    """
    if not minify_available():
        raise MinifyError("node or node_modules/terser is missing: run `npm ci` in the project folder")
    request = {"files": {name: data.decode("utf-8") for name, data in sources.items()}}
    try:
        done = subprocess.run(["node", str(SCRIPT)], input=json.dumps(request).encode(), capture_output=True,
                              cwd=ROOT, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise MinifyError(f"terser did not run: {err}") from err
    if done.returncode != 0:
        raise MinifyError("terser failed: " + done.stderr.decode("utf-8", "replace").strip()[-2000:])
    result = json.loads(done.stdout)
    return {name: ((result[name]["code"] + "\n").encode(), (result[name]["map"] + "\n").encode()) for name in sources}


__all__ = ["MinifyError", "minify_available", "minify_scripts"]
