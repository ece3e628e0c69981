"""Headless commands whose output cannot be written, and inputs that are present but
empty or of the wrong kind: one line on stderr, exit 2, no traceback."""
from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from visualizer.app import main

ROOT = Path(__file__).resolve().parents[2]


class FullStream(io.StringIO):
    """A standard output on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("argv", [["cost"], ["net"], ["net", "--json"], ["cost", "--json"]])
def test_full_stdout_is_one_line(argv, monkeypatch, capsys):
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", FullStream())
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == "error: cannot write the output: No space left on device\n"


def test_a_command_s_own_file_error_is_not_blamed_on_stdout(monkeypatch, capsys):
    """Only a write to stdout is reported as "cannot write the output"."""
    from visualizer.commands import cost

    def broken(_args):
        raise PermissionError(errno.EACCES, "Permission denied", "/some/file")

    monkeypatch.setattr(cost, "run", broken)
    with pytest.raises(PermissionError):
        main(["cost"])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [
    ["cost"], ["net", "--json"],
    ["bench", "--model", "untrained:0.25_128", "--runs", "1", "--warmup", "0"],
    ["export-onnx", "--model", "untrained:0.25_128", "--out", "{tmp}/m.onnx"],
])
def test_redirect_to_dev_full_gives_one_line(argv, tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(ROOT / "main.py"),
                               *[a.format(tmp=tmp_path) for a in argv]],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == "error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("argv", [["bench", "--runs", "1"], ["export-onnx", "--out", "m.onnx"],
                                  ["--source", "x.jpg", "--autostart"]])
def test_an_empty_model_is_refused_everywhere(capsys, argv):
    """Not taken as 'no --model' (untrained 1.0-224): refused as the parse's one line."""
    with pytest.raises(SystemExit) as ended:
        main([*argv, "--model", ""])
    err = capsys.readouterr().err
    assert ended.value.code == 2
    assert "argument --model: must not be empty" in err and err.count("\n") == 1


def test_model_path_with_tilde_is_expanded(tmp_path, monkeypatch, capsys, coral):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "m.tflite").write_bytes((coral / "mobilenet_v1_0.25_128_quant.tflite")
                                        .read_bytes())
    out = tmp_path / "m.onnx"
    assert main(["export-onnx", "--model", "~/m.tflite", "--out", "~/m.onnx"]) == 0
    assert out.is_file() and "m.onnx" in capsys.readouterr().out


@pytest.mark.parametrize("name,said", [("dir.tflite", "is a folder, not a model file"),
                                       ("bad.onnx", "bad.onnx: not a valid ONNX model")])
def test_model_file_errors_say_what_is_wrong_once(tmp_path, capsys, name, said):
    model = tmp_path / name
    if name == "dir.tflite":
        model.mkdir()
    else:
        model.write_bytes(b"junk")
    assert main(["export-onnx", "--model", str(model), "--out", str(tmp_path / "o.onnx")]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and err.count(model.name) == 1, err


@pytest.mark.parametrize("out,said", [("{tmp}/folder.onnx", "is a folder"),
                                      ("{tmp}/gone/m.onnx", "folder does not exist"),
                                      ("/proc/m.onnx", "cannot create a file in /proc")])
def test_export_onnx_refuses_an_unwritable_out_before_converting(tmp_path, capsys, out,
                                                                  said, monkeypatch):
    if out.startswith("/proc") and not sys.platform.startswith("linux"):
        pytest.skip("/proc is Linux's")
    from visualizer.net import models

    def never(*_a, **_k):
        raise AssertionError("the model was loaded before the output path was checked")

    monkeypatch.setattr(models, "load_model", never)
    (tmp_path / "folder.onnx").mkdir()
    assert main(["export-onnx", "--model", "untrained", "--out", out.format(tmp=tmp_path)]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1, err


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_export_onnx_never_replaces_its_own_model(tmp_path, capsys):
    model = tmp_path / "m.onnx"
    assert main(["export-onnx", "--model", "untrained:0.25_128", "--out", str(model)]) == 0
    before = model.read_bytes()
    capsys.readouterr()
    (tmp_path / "alias.onnx").symlink_to(model)
    for out in (model, tmp_path / "alias.onnx"):
        assert main(["export-onnx", "--model", str(model), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"--out {out} is the --model file" in err and err.count("\n") == 1
    assert model.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs")
@pytest.mark.parametrize("argv, said", [
    (["bench", "--image", "{fifo}.png", "--runs", "1"], "{fifo}.png is a named pipe (FIFO), "
                                                       "not an image"),
    (["export-onnx", "--model", "{fifo}.tflite", "--out", "{tmp}/o.onnx"],
     "{fifo}.tflite is a named pipe (FIFO), not a model file"),
    (["bench", "--model", "{fifo}.tflite", "--runs", "1"], "is a named pipe (FIFO), not a "
                                                          "model file"),
])
def test_a_fifo_input_is_refused_not_waited_for(tmp_path, capsys, argv, said):
    """`bench --image fifo` waited for a writer until killed; 'model file not found' was
    said of a FIFO that exists."""
    fifo = tmp_path / "pipe"
    for suffix in (".png", ".tflite"):
        os.mkfifo(f"{fifo}{suffix}")
    argv = [a.format(fifo=fifo, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said.format(fifo=fifo) in err and err.count("\n") == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bench_shows_its_progress_on_a_terminal_and_clears_it(monkeypatch, capsys):
    """Plain `bench` ran ~50 s without a word."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["bench", "--alpha", "0.25", "--resolution", "64", "--runs", "3",
                 "--warmup", "1", "--no-roofs"]) == 0
    shown = terminal.getvalue()
    assert "\rbench: warming up…" in shown and "\rbench: timing layers, 0/3 frames" in shown
    assert "2/3 frames, about" in shown  # with the time left once a frame has been timed
    assert shown.endswith("\r\x1b[K")  # the line is gone before the result is printed
    assert "whole graph" in capsys.readouterr().out


def test_bench_says_nothing_on_stderr_when_it_is_no_terminal(capsys):
    assert main(["bench", "--alpha", "0.25", "--resolution", "64", "--runs", "1",
                 "--warmup", "0", "--no-roofs"]) == 0
    assert capsys.readouterr().err == ""
