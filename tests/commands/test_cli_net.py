"""`main.py net`: the per-layer table, its JSON form and clean failures on bad input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from visualizer.app import main

ROOT = Path(__file__).resolve().parents[2]


def run_json(capsys, *args: str) -> dict:
    assert main(["net", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_default_matches_paper(capsys):
    data = run_json(capsys)
    assert round(data["total_macs"] / 1e6) == 569  # Table 8: 1.0 MobileNet-224
    assert round(data["total_params"] / 1e6, 1) == 4.2
    layers = data["layers"]
    names = [l["name"] for l in layers]
    assert names == (["conv1"] + [f"{p}{i}" for i in range(1, 14) for p in ("dw", "pw")]
                     + ["pool", "fc"])
    assert {l["type"] for l in layers} == {"conv", "depthwise", "pointwise", "pool", "fc"}
    assert sum(l["macs"] for l in layers) == data["total_macs"]
    assert sum(l["params"] for l in layers) == data["total_params"]
    assert layers[0]["input_shape"] == [224, 224, 3]
    assert layers[-1]["output_shape"] == [1, 1, 1000]
    for a, b in zip(layers, layers[1:]):
        assert b["input_shape"] == a["output_shape"]
    shares = {s["type"]: s["macs_percent"] for s in data["summary"]}
    assert round(shares["pointwise"], 2) == 94.86  # Table 2


def test_json_options(capsys):
    data = run_json(capsys, "--alpha", "0.5", "--resolution", "160", "--classes", "1001")
    data1000 = run_json(capsys, "--alpha", "0.5", "--resolution", "160")
    # Table 7: 0.50 MobileNet-160 has 76 M mult-adds and 1.32 M parameters (1000 classes).
    assert abs(data1000["total_macs"] / 1e6 - 76) < 1
    assert round(data1000["total_params"] / 1e6, 2) == 1.32
    assert data["total_macs"] - data1000["total_macs"] == 512  # one more class × 512 inputs
    assert data["layers"][-1]["output_shape"] == [1, 1, 1001]
    std = run_json(capsys, "--standard-conv")
    assert {l["type"] for l in std["layers"]} == {"conv", "pool", "fc"}
    assert round(std["total_params"] / 1e6, 1) == 29.3  # Table 4


def test_text_table(capsys):
    assert main(["net", "--alpha", "0.25", "--resolution", "128"]) == 0
    out = capsys.readouterr().out
    data = run_json(capsys, "--alpha", "0.25", "--resolution", "128")
    lines = out.splitlines()
    for layer in data["layers"]:
        row = next(l for l in lines if l.split()[:1] == [layer["name"]])
        assert f"{layer['macs']:,}" in row and "×".join(map(str, layer["output_shape"])) in row
    assert f"{data['total_macs']:,}" in out and f"{data['total_params']:,}" in out
    assert "pointwise" in out and "%" in out


@pytest.mark.parametrize("args,word", [
    (["--alpha", "0"], "alpha"), (["--alpha", "1.5"], "alpha"), (["--alpha", "-1"], "alpha"),
    (["--alpha", "abc"], "alpha"), (["--alpha", "inf"], "alpha"),
    (["--resolution", "100"], "resolution"), (["--resolution", "16"], "resolution"),
    (["--resolution", "x"], "resolution"), (["--resolution", "-64"], "resolution"),
    (["--classes", "0"], "classes"), (["--classes", "ten"], "classes"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, args, word):
    with pytest.raises(SystemExit) as info:
        code = main(["net", *args])
        raise SystemExit(code)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and word in err and "Traceback" not in err


def test_subprocess_entry_point():
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "net", "--resolution", "33"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "resolution" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "net", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout)["total_macs"] > 0
