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


def test_a_provider_that_cannot_run_the_network_exits_2_with_the_reason(capsys,
                                                                        monkeypatch):
    import onnxruntime as ort

    from visualizer.net.runtime import providers as pv

    monkeypatch.setattr(ort, "get_available_providers",
                        lambda: ["FakeGpuExecutionProvider", "CPUExecutionProvider"])
    monkeypatch.setattr(pv, "check_provider", lambda name: pv.ProviderCheck(
        name, False, "onnxruntime could not start it here and fell back to the CPU"))
    pv.forget_checks()
    try:
        assert main(["bench", "--provider", "FakeGpuExecutionProvider", "--no-roofs"]) == 2
    finally:
        pv.forget_checks()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "FakeGpuExecutionProvider is not usable here" in err and "fell back" in err


def test_every_layer_says_which_provider_ran_it(capsys):
    code = main(["bench", "--json", "--runs", "3", "--warmup", "1", "--threads", "1",
                 "--alpha", "0.25", "--resolution", "96", "--no-roofs"])
    assert code == 0
    r = json.loads(capsys.readouterr().out)
    assert r["session_providers"] == ["CPUExecutionProvider"]
    assert all(l["provider"] == "CPUExecutionProvider" for l in r["layers"] if l["macs"])
    assert main(["bench", "--runs", "3", "--warmup", "1", "--threads", "1", "--alpha",
                 "0.25", "--resolution", "96", "--no-roofs"]) == 0
    out = capsys.readouterr().out
    assert "ran                   on CPU  (session providers: CPUExecutionProvider)" in out
