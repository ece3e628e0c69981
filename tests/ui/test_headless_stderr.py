"""The scripted live run on stderr: nothing when it works, exactly one line when it fails
(Qt's and FFmpeg's diagnostics only with --verbose), and outputs that cannot be written
are refused before the run, never with a Qt abort."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from live_fakes import write_video

ROOT = Path(__file__).resolve().parents[2]
RUN = ["--model", "untrained:0.25_128", "--autostart", "--exit-after-frames", "3"]


def run_main(*args, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


@pytest.fixture(scope="module")
def mjpeg(tmp_path_factory):
    """Motion JPEG (yuvj420p): FFmpeg's scaler warns about its pixel format on every frame."""
    return write_video(tmp_path_factory.mktemp("mjpeg") / "clip.avi", frames=12,
                       codec="mjpeg")


def test_a_working_run_prints_nothing_and_verbose_shows_the_diagnostics(mjpeg, tmp_path):
    quiet = run_main("--source", mjpeg, *RUN, "--report", tmp_path / "r.json")
    assert quiet.returncode == 0 and quiet.stderr == ""
    verbose = run_main("--source", mjpeg, *RUN, "--verbose")
    assert verbose.returncode == 0
    assert "Input #0" in verbose.stderr  # FFmpeg's stream dump: kept, only gated
    assert "propagateSizeHints" in verbose.stderr  # a Qt warning (offscreen platform)


def one_error_line(r, needle: str) -> None:
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
    assert needle in r.stderr


def test_a_text_file_is_not_played_as_a_video(tmp_path):
    notes = tmp_path / "notes.txt"  # FFmpeg's tty demuxer would render it as frames
    notes.write_text("MobileNet notes\n" + "depthwise then pointwise, " * 300 + "\n")
    report = tmp_path / "r.json"
    r = run_main("--source", notes, *RUN, "--report", report)
    one_error_line(r, "notes.txt is a text file, not a video")
    assert not report.exists()


def test_a_model_failure_on_a_chatty_video_is_one_line(mjpeg, tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"not a model")
    r = run_main("--source", mjpeg, "--model", tmp_path / "bad.onnx", "--autostart",
                 "--exit-after-frames", "3")
    one_error_line(r, "bad.onnx: not a valid ONNX model")


def test_an_undecodable_video_is_one_line(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    r = run_main("--source", bad, *RUN)
    one_error_line(r, "broken.mp4")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
@pytest.mark.parametrize("live", [True, False])
def test_screenshot_into_proc_is_refused_before_the_run(mjpeg, live):
    """It used to abort (SIGABRT: "QThread: Destroyed while thread 'inference' is still
    running") after the whole run."""
    r = run_main(*(["--source", mjpeg, *RUN] if live else []), "--screenshot", "/proc/x.png")
    one_error_line(r, "--screenshot: cannot create a file in /proc")


@pytest.mark.parametrize("where,said", [("folder.json", "is a folder"),
                                        ("gone/r.json", "folder does not exist"),
                                        ("r.txt", "--report must end in .json")])
def test_report_path_is_checked_before_the_run(mjpeg, tmp_path, where, said):
    (tmp_path / "folder.json").mkdir()
    r = run_main("--source", mjpeg, *RUN, "--report", tmp_path / where)
    one_error_line(r, f"--report: {tmp_path / where}" if where == "folder.json" else said)
    assert said in r.stderr and list((tmp_path / "folder.json").iterdir()) == []
