"""`bench --provider`: onnxruntime's providers only (one line and exit 2 otherwise), and a
`fused` flag per layer (never set on the CPU, where every layer has its own kernels)."""
from __future__ import annotations

import json

import pytest

from visualizer.app import main
from visualizer.net.runtime import sessions


@pytest.fixture(autouse=True)
def cpu_again(monkeypatch):
    monkeypatch.setattr(sessions, "_provider", sessions.CPU)


def test_unknown_provider_exits_2_with_one_line(capsys):
    assert main(["bench", "--provider", "NoSuchExecutionProvider", "--no-roofs"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not available" in err and "CPUExecutionProvider" in err


def test_cpu_provider_reports_no_fused_layer(capsys):
    code = main(["bench", "--json", "--runs", "3", "--warmup", "1", "--threads", "1",
                 "--alpha", "0.25", "--resolution", "96", "--provider",
                 "CPUExecutionProvider", "--no-roofs"])
    assert code == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert all(l["fused"] is False for l in layers)
