"""onnxruntime profile folders: removed on close, at exit and after a kill (next start)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from visualizer.net.runtime.profile_dirs import PREFIX, remove_own, sweep_stale

ROOT = Path(__file__).resolve().parents[2]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sweep_removes_only_folders_of_processes_that_are_gone(tmp_path):
    dead = tmp_path / f"{PREFIX}{dead_pid()}-abc"
    parent = tmp_path / f"{PREFIX}{os.getppid()}-def"  # a running process
    own = tmp_path / f"{PREFIX}{os.getpid()}-ghi"
    other = tmp_path / f"{PREFIX}old-style"
    unrelated = tmp_path / "something-else-1-x"
    for d in (dead, parent, own, other, unrelated):
        d.mkdir()
        (d / "profile.json").write_text("[]")
    assert sweep_stale(tmp_path) == [dead]
    assert not dead.exists() and parent.exists() and own.exists() and other.exists()
    remove_own(tmp_path)
    assert not own.exists() and parent.exists() and unrelated.exists()


RUN = textwrap.dedent("""
    import sys, time
    from visualizer.net.models import load_model
    from visualizer.net.runtime.runner import Runner
    runner = Runner(load_model("untrained:0.25_128"), threads=1)
    print(runner._dir, flush=True)
    if sys.argv[1] == "exit":
        raise SystemExit(3)  # the runner is never closed
    if sys.argv[1] == "error":
        raise RuntimeError("boom")
    time.sleep(60)
""")


def run_child(how: str) -> tuple[subprocess.Popen, Path]:
    child = subprocess.Popen([sys.executable, "-c", RUN, how], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    folder = Path(child.stdout.readline().strip())
    assert folder.name.startswith(f"{PREFIX}{child.pid}-"), folder
    return child, folder


@pytest.mark.parametrize("how", ["exit", "error"])
def test_the_folder_goes_when_the_process_ends_without_closing_its_runner(how):
    child, folder = run_child(how)
    assert child.wait(60) != 0 and not folder.exists()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_runs_folder_is_swept_by_the_next_process():
    child, folder = run_child("sleep")
    try:
        assert folder.is_dir()
    finally:
        child.kill()
        child.wait(60)
    assert folder.is_dir()  # a killed process cannot clean up
    assert folder in sweep_stale()
    assert not folder.exists()
