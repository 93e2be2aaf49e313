"""`jxjy … | head -1` (issue 12, item 14): the reader stops reading; jxjy ends quietly (no BrokenPipeError
traceback, no "Exception ignored" at exit) with the status of a command ended by SIGPIPE, 141."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args", [
    ["check", "chengdu-teachers/2018", "examples/chengdu-teachers-sample.yaml", "--json"],
    ["check", "chengdu-teachers/2018", "examples/chengdu-teachers-sample.yaml"],
    ["test", "-v", "policies/chengdu-teachers"],
])
def test_a_reader_that_stops_reading_ends_the_command_quietly(args):
    env = dict(os.environ, JXJY_LANG="zh")
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line (`| head -0`): every write meets a closed pipe
    err = proc.stderr.read().decode("utf-8")
    proc.wait()
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err
    assert proc.returncode == 141, err
