"""Ctrl-C (SIGINT) and SIGTERM stop a headless live run and the window cleanly: exit code
130, no traceback, the report still written, no profile folder left behind."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from live_fakes import square_frame
from visualizer.net.runtime.profile_dirs import PREFIX
from visualizer.video.frames import rgb_to_qimage

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def start(tmp_path: Path, *args) -> tuple[subprocess.Popen, Path]:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(temp),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}  # no cached checkpoint: untrained
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                             cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    return child, temp


def wait_for_runner(child: subprocess.Popen, temp: Path, timeout: float = 60) -> None:
    """Until the child's runner exists (its profile folder, named after its pid): the
    model has loaded, so the event loop runs and frames flow."""
    deadline = time.monotonic() + timeout
    while not list(temp.glob(f"{PREFIX}{child.pid}-*")):
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            out, err = child.communicate()
            pytest.fail(f"no runner came up (exit {child.returncode}): {err[-2000:]}")
        time.sleep(0.05)


def stop_with(child: subprocess.Popen, signum: int) -> tuple[int, str]:
    child.send_signal(signum)
    try:
        _, err = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"still running 60 s after signal {signum}: {err[-2000:]}")
    return child.returncode, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_headless_live_run_stops_with_130_and_writes_its_report(tmp_path, signum):
    rgb_to_qimage(square_frame(5)).save(str(tmp_path / "a.png"))
    report = tmp_path / "r.json"
    child, temp = start(tmp_path, "--source", tmp_path / "a.png", "--model",
                        "untrained:0.25_128", "--autostart", "--exit-after-frames",
                        10_000_000, "--report", report)
    wait_for_runner(child, temp)
    code, err = stop_with(child, signum)
    assert code == 130, err
    assert "Traceback" not in err and "Destroyed while" not in err, err
    data = json.loads(report.read_text())
    assert data["ended_by"] == "interrupted" and data["error"] is None
    assert data["frames_received"] == data["frames_inferred"] + data["frames_dropped"]
    assert not list(temp.glob(PREFIX + "*"))  # profile folders removed


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_the_window_stops_with_130(tmp_path, signum):
    child, temp = start(tmp_path, "--tab", "live")  # the Live tab loads a model when shown
    wait_for_runner(child, temp)
    code, err = stop_with(child, signum)
    assert code == 130, err
    assert "Traceback" not in err and "Destroyed while" not in err, err
    assert not list(temp.glob(PREFIX + "*"))
