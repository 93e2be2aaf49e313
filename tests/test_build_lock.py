"""Two builds at once, Ctrl-C and killed builds (issue 12, item 10): `jxjy build` takes a lock per docs dir
and per site (a second build says it waits, and waits), removes the temporary sites that killed builds
left, and ends on SIGINT with 已中止 and status 130, no traceback and no temporary site left behind."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.outputs.site.build import lock_files

ROOT = Path(__file__).resolve().parent.parent
POLICY = "tests/fixtures/policies/demo/2020.yaml"


def _build(tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, JXJY_LANG="zh", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "generator", "build", POLICY, "--no-forms",
                             "--site-dir", str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_second_build_waits_for_the_first_and_killed_builds_leave_nothing(tmp_path):
    left = tmp_path / ".site.tmp-killed"
    (left / "assets").mkdir(parents=True)
    (left / "assets" / "big.bin").write_bytes(b"x" * 1000)
    held = []
    for path in lock_files((tmp_path / "docs").resolve(), (tmp_path / "site").resolve()):
        handle = open(path, "a+")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.append(handle)
    proc = _build(tmp_path)
    assert proc.stderr is not None
    first = proc.stderr.readline()  # blocks until the build says it waits
    assert first.startswith("另一个 jxjy build 正在使用同一个文件夹"), first
    assert left.exists()  # nothing is touched while another build holds the lock
    for handle in held:
        handle.close()
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert not left.exists()
    assert (tmp_path / "site" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")) == [".site.lock"]


@pytest.mark.slow
def test_ctrl_c_ends_a_build_in_words_with_nothing_left_behind(tmp_path):
    proc = _build(tmp_path)
    while not list(tmp_path.glob(".site.tmp-*")) and proc.poll() is None:
        time.sleep(0.05)  # until MkDocs is writing the temporary site
    assert proc.poll() is None, "the build ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1] == "已中止"
    assert list(tmp_path.glob(".site.tmp-*")) == []
    assert not (tmp_path / "site").exists()
