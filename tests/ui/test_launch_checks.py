"""Live-run and window options refused before the window toolkit starts: outputs that
would replace an input or each other, sources that would block, and runs that would
never end. Exit 2, one line, every file as it was."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from visualizer.app import main
from visualizer.ui import headless, launch

ROOT = Path(__file__).resolve().parents[2]
RUN = ["--model", "untrained:0.25_128", "--autostart", "--exit-after-frames", "3"]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")


@pytest.fixture
def no_run(monkeypatch):
    """Fails the test if the run (or the window's screenshot) starts."""
    def started(*_a, **_k):
        raise AssertionError("the run started")

    monkeypatch.setattr(headless, "run_live", started)
    monkeypatch.setattr(launch, "save_screenshot", started)


@pytest.fixture
def inputs(tmp_path, coral):
    shutil.copy(coral / "owl.jpg", tmp_path / "p.jpg")
    shutil.copy(coral / "mobilenet_v1_0.25_128_quant.tflite", tmp_path / "m.tflite")
    (tmp_path / "photos").mkdir()
    shutil.copy(coral / "parrot.jpg", tmp_path / "photos" / "b.png")  # a JPEG named .png
    return {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def refused(capsys, argv, needle: str) -> str:
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and needle in err, err
    return err


def unchanged(files: dict) -> bool:
    return all(p.read_bytes() == data for p, data in files.items())


@posix_only
def test_the_report_never_replaces_the_source_the_model_or_the_screenshot(
        tmp_path, capsys, inputs, no_run):
    d = tmp_path
    refused(capsys, ["--source", d / "p.jpg", *RUN, "--report", d / "p.jpg"],
            "--report must end in .json, not 'p.jpg'")
    (d / "p.json").symlink_to(d / "p.jpg")
    refused(capsys, ["--source", d / "p.jpg", *RUN, "--report", d / "p.json"],
            f"--report {d / 'p.json'} is the --source file")
    (d / "m.json").symlink_to(d / "m.tflite")
    refused(capsys, ["--source", d / "p.jpg", "--model", d / "m.tflite", "--autostart",
                     "--exit-after-frames", "3", "--report", d / "m.json"],
            f"--report {d / 'm.json'} is the --model file")
    (d / "shot.png").symlink_to(d / "r.json")  # r.json does not exist yet
    refused(capsys, ["--source", d / "p.jpg", *RUN, "--report", d / "r.json",
                     "--screenshot", d / "shot.png"],
            "--screenshot and --report name the same file")
    refused(capsys, ["--source", d / "photos", *RUN, "--screenshot", d / "photos" / "b.png"],
            "is a file in the --source folder")
    shutil.copy(d / "p.jpg", d / "old.json")
    refused(capsys, ["--source", d / "p.jpg", *RUN, "--report", d / "old.json"],
            "exists and is a JPEG image, not a JSON file")
    assert unchanged(inputs) and not (d / "r.json").exists()


@pytest.mark.parametrize("extra", [[], ["--model", "untrained:0.25_128"], ["--report", "r.json"],
                                   ["--model", "untrained", "--autostart"]])
def test_a_screenshot_of_a_live_run_needs_its_end(tmp_path, capsys, coral, no_run, extra,
                                                  monkeypatch):
    """It waited forever: the screenshot is taken when the run ends."""
    monkeypatch.chdir(tmp_path)
    err = refused(capsys, ["--source", coral / "owl.jpg", *extra, "--screenshot", "s.png"],
                  "(a live run) needs --autostart and --exit-after-frames N")
    assert err.startswith("error: --screenshot with --source") and list(tmp_path.iterdir()) == []
    refused(capsys, ["--precision", "int8", "--screenshot", "s.png"],
            "--screenshot with --precision (a live run) needs")


@pytest.mark.parametrize("argv, needle", [
    (["--exit-after-frames", "3"], "--exit-after-frames needs --autostart"),
    (["--autostart"], "--autostart needs --source"),
    (["--source", "camera:x"], "camera:N needs a camera number"),
    (["--source", "/no/such/clip.mp4"], "no such file or folder: /no/such/clip.mp4"),
])
def test_live_option_combinations(capsys, no_run, argv, needle):
    refused(capsys, argv, needle)


@posix_only
def test_a_fifo_model_is_refused_before_qt(tmp_path, capsys, no_run, coral):
    os.mkfifo(tmp_path / "m.tflite")
    refused(capsys, ["--source", coral / "owl.jpg", "--model", tmp_path / "m.tflite",
                     "--autostart", "--exit-after-frames", "3"],
            f"{tmp_path / 'm.tflite'} is a named pipe (FIFO), not a model file")


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_source_that_would_block_is_refused_before_qt(tmp_path, kind):
    """A FIFO hung the run, deaf to Ctrl-C and SIGTERM (a decoder thread held the GIL
    while waiting for a writer); refused now, before the window toolkit is imported."""
    if kind == "fifo":
        source = tmp_path / "photo.jpg"
        os.mkfifo(source)
    else:
        source = Path("/dev/zero")
        if not source.exists():
            pytest.skip("no /dev/zero")
    code = ("import sys; from visualizer.app import main; "
            f"rc = main(['--source', {str(source)!r}, *{RUN!r}]); "
            "assert 'PySide6' not in sys.modules, 'Qt imported'; sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    what = "a named pipe (FIFO)" if kind == "fifo" else "a device"
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"error: {source} is {what}, not a video, an image or a folder" + \
        (" (a camera is camera:N)" if kind == "device" else "") + "\n"


def test_window_options_with_a_command_are_refused(capsys, tmp_path):
    for argv, option in ((["--screenshot", tmp_path / "s.png", "cost"], "--screenshot"),
                         (["--model", "untrained", "net"], "--model"),
                         (["--autostart", "cost"], "--autostart")):
        err = refused(capsys, argv, f"{option} is a window option: it does nothing with the")
        assert "command" in err
    assert list(tmp_path.iterdir()) == []
    assert main(["--verbose", "cost"]) == 0 and main(["cost", "--verbose"]) == 0  # general
