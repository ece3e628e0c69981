"""The `cost` command: published seed figures, JSON output and clean failures."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from visualizer.app import main

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_defaults_print_the_seed_figures():
    r = _cli("cost")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    for figure in ("3,888", "243", "432", "675", "82.64%"):
        assert figure in r.stdout
    lines = {line.split()[0]: line for line in r.stdout.splitlines()}
    assert lines["standard"].endswith("= 3,888")
    assert lines["depthwise"].endswith("= 243")
    assert lines["pointwise"].endswith("= 432")
    assert lines["separable"].endswith("= 675")
    assert "82.64%" in lines["reduction"]
    assert "3×3×16" in lines["input"]


def test_json_in_a_subprocess():
    r = _cli("cost", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["output"] == [3, 3, 16]
    assert (d["standard"], d["depthwise"], d["pointwise"], d["separable"]) == (3888, 243, 432,
                                                                               675)
    assert round(d["reduction_percent"], 2) == 82.64


def test_json_keys_and_types(capsys):
    # Table 3 of the MobileNet paper: 3×3, 512 -> 512 channels, 14×14: 462M vs 52.3M
    assert main(["cost", "--json", "--height", "14", "--width", "14", "--channels", "512",
                 "--filters", "512", "--padding", "1"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) == {"output", "standard", "depthwise", "pointwise", "separable",
                      "reduction_percent"}
    assert d["output"] == [14, 14, 512]
    assert all(type(d[k]) is int for k in ("standard", "depthwise", "pointwise", "separable"))
    assert type(d["reduction_percent"]) is float
    assert round(d["standard"] / 1e6) == 462 and round(d["separable"] / 1e6, 1) == 52.3
    assert d["reduction_percent"] == pytest.approx(100 * (1 - 1 / 512 - 1 / 9), abs=1e-3)


def test_stride_padding_and_non_square_input(capsys):
    assert main(["cost", "--json", "--height", "9", "--width", "6", "--kernel", "3",
                 "--stride", "2", "--padding", "1", "--channels", "4", "--filters", "8"]) == 0
    d = json.loads(capsys.readouterr().out)
    # padded 11×8: 3×3 windows start at rows 0,2,4,6,8 (5) and columns 0,2,4 (3)
    assert d["output"] == [5, 3, 8]
    assert d["standard"] == 9 * 4 * 8 * 15 and d["pointwise"] == 4 * 8 * 15


@pytest.mark.parametrize("args, words", [
    (["--kernel", "7"], "kernel 7 is larger than the padded input 5×5"),
    (["--height", "0"], "must be at least 1"),
    (["--width", "-3"], "must be at least 1"),
    (["--filters", "0"], "must be at least 1"),
    (["--stride", "0"], "must be at least 1"),
    (["--padding", "-1"], "must be 0 or more"),
    (["--padding", "3"], "padding 3 must be less than the kernel 3"),
    (["--kernel", "1", "--padding", "1"], "padding 1 must be less than the kernel 1"),
    (["--height", "abc"], "'abc' is not a whole number"),
    (["--channels", "2.5"], "'2.5' is not a whole number"),
    (["--kernel", "nan"], "is not a whole number"),
    (["--height", ""], "is not a whole number"),
    (["--height", "99999"], "larger than the limit"),
    (["--height", "9" * 5000], "is not a whole number"),
    (["--height"], "expected one argument"),
    (["--depth", "3"], "unrecognized arguments"),
])
def test_invalid_input_exits_2_with_one_line(capsys, args, words):
    with pytest.raises(SystemExit) as info:
        code = main(["cost", *args])
        raise SystemExit(code)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "error" in err and words in err
    assert "Traceback" not in err and len(err) < 300


@pytest.mark.parametrize("args", [["cost", "--kernel", "9", "--height", "4"],
                                  ["cost", "--stride", "x"], ["nonsense"]])
def test_invalid_input_in_a_subprocess_has_no_traceback(args):
    r = _cli(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_help_works(capsys):
    with pytest.raises(SystemExit) as info:
        main(["cost", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--height", "--width", "--channels", "--kernel", "--filters", "--stride",
                   "--padding", "--json"):
        assert option in out
    r = _cli("--help")
    assert r.returncode == 0 and "cost" in r.stdout


@pytest.mark.parametrize("args", [["--threads", "0"], ["--threads", "-2"],
                                  ["--exit-after-frames", "x"], ["--tab", "nowhere"]])
def test_bad_window_options_exit_2_before_any_window(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err and "Traceback" not in err
