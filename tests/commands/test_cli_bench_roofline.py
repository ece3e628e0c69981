"""`bench`: bytes, intensity and GMAC/s per layer and the roofs object (tiny calibration)."""
from __future__ import annotations

import json

import pytest

from visualizer.app import main
from visualizer.net.analysis import roofs
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.analysis.roofline import layer_traffic

ARGS = ["bench", "--runs", "4", "--warmup", "1", "--threads", "1", "--calibration-size", "tiny"]


def _json(capsys, *extra: str, shape=("--alpha", "0.25", "--resolution", "96")) -> dict:
    code = main([*ARGS, *shape, "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_json_has_per_layer_roofline_figures_and_the_roofs(capsys, command_cache):
    r = _json(capsys)
    spec = NetSpec(0.25, 96, 1001)
    by_name = {l["name"]: l for l in r["layers"]}
    for layer in spec.layers:
        row, t = by_name[layer.name], layer_traffic(layer)
        assert row["bytes"] == t.bytes and row["intensity"] == pytest.approx(t.intensity)
        if row["ms"] > 0 and layer.macs:
            assert row["gmacs_per_s"] == pytest.approx(layer.macs / (row["ms"] * 1e6))
        else:  # no time of its own, or no arithmetic (the pool): no speed
            assert row["gmacs_per_s"] is None
    assert by_name["softmax"]["bytes"] is None and by_name["softmax"]["intensity"] is None
    s = r["roofs"]
    assert set(s) == {"peak_gmacs", "bandwidth_gbs", "cache_bandwidth_gbs", "threads",
                      "cpu_features"}
    assert min(s["peak_gmacs"], s["bandwidth_gbs"], s["cache_bandwidth_gbs"]) > 0
    assert s["threads"] == 1 and isinstance(s["cpu_features"], list)
    # cached: the second run reports the same roofs; --recalibrate measures again
    cached = roofs.cached_roofs(1, roofs.TINY_SIZE, command_cache)
    assert cached is not None and cached.summary() == s
    assert _json(capsys)["roofs"] == s
    again = _json(capsys, "--recalibrate")["roofs"]
    assert roofs.cached_roofs(1, roofs.TINY_SIZE, command_cache).summary() == again
    assert "roofs" not in _json(capsys, "--no-roofs")


def test_text_report_prints_the_roofline_table(capsys):
    assert main([*ARGS, "--alpha", "0.25", "--resolution", "96"]) == 0
    out = capsys.readouterr().out
    assert "MAC/byte" in out and "% of cache roof" in out
    line = next(l for l in out.splitlines() if l.startswith("roofs (onnxruntime"))
    assert "GMAC/s" in line and "GB/s" in line and "CPU features" in line
    dw1 = next(l for l in out.splitlines() if l.split()[:2] == ["dw1", "depthwise"]
               and len(l.split()) == 7)
    assert float(dw1.split()[3]) == pytest.approx(layer_traffic(NetSpec(0.25, 96).layers[1])
                                                  .intensity, abs=0.005)


def test_an_int8_model_counts_one_byte_per_element(capsys, coral):
    r = _json(capsys, "--model", str(coral / "mobilenet_v1_0.25_128_quant.tflite"),
              "--precision", "int8", "--no-roofs", shape=())
    assert r["precision"] == "int8"
    by_name = {l["name"]: l for l in r["layers"]}
    for layer in NetSpec(0.25, 128, 1001).layers:
        assert by_name[layer.name]["bytes"] == layer_traffic(layer, "int8").bytes
