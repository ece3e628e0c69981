"""`bench`: bytes, intensity, GMAC/s and where each layer sits against the roofs, and the
roofs object: wired to made-up roofs (so their values are known), cached only when
trusted, refused and measured again once when a layer runs above them; the compute roof
of the precision that ran."""
from __future__ import annotations

import dataclasses
import itertools
import json

import pytest

from visualizer.app import main
from visualizer.net.analysis import roofs
from visualizer.net.analysis.roofline import RooflinePoint, layer_traffic
from visualizer.net.analysis.roofline_caption import place
from visualizer.net.model.mobilenet import NetSpec

ARGS = ["bench", "--runs", "4", "--warmup", "1", "--threads", "1", "--calibration-size", "tiny"]
# generous roofs, so that no layer of this machine lands above them (which would redo them)
FAKE = roofs.Roofs(peak_gmacs=500.0, bandwidth_gbs=200.0, cache_bandwidth_gbs=640.0, threads=1,
                   cpu_features=("avx2",), int8_peak_gmacs=800.0, int8_s8_peak_gmacs=2000.0,
                   spread={n: 0.02 for n in roofs.FIELDS}, passes=2,
                   others_cpu_percent=3.0)


class Calibrations(list):
    """Calibrations made (their thread counts); each returns the next of `results`, the
    last one again when they run out (FAKE by default). Setting `results` starts anew."""

    def __init__(self) -> None:
        super().__init__()
        self._results, self._next = [FAKE], 0
        self._clock = itertools.count(1)

    @property
    def results(self):
        return self._results

    @results.setter
    def results(self, value):
        self._results, self._next = value, 0

    def __call__(self, threads, size, progress=None, cancel=None):
        self.append(threads)
        result = self._results[min(self._next, len(self._results) - 1)]
        self._next += 1
        return dataclasses.replace(result, threads=threads, measured_at=next(self._clock))


@pytest.fixture
def measured(monkeypatch):
    calls = Calibrations()
    monkeypatch.setattr(roofs, "measure_roofs", calls)
    return calls


def _json(capsys, *extra: str, shape=("--alpha", "0.25", "--resolution", "96")) -> dict:
    code = main([*ARGS, *shape, "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_json_has_per_layer_roofline_figures_and_the_roofs(capsys, measured):
    r = _json(capsys, "--recalibrate")
    spec = NetSpec(0.25, 96, 1001)
    by_name = {l["name"]: l for l in r["layers"]}
    for layer in spec.layers:
        row, t = by_name[layer.name], layer_traffic(layer)
        assert row["bytes"] == t.bytes and row["intensity"] == pytest.approx(t.intensity)
        if row["ms"] > 0 and layer.macs:
            assert row["gmacs_per_s"] == pytest.approx(layer.macs / (row["ms"] * 1e6))
        else:  # no time of its own, or no arithmetic (the pool): no speed
            assert row["gmacs_per_s"] is None
        if layer.macs and row["gmacs_per_s"]:
            p = place(RooflinePoint(layer.name, layer.type, layer.macs, t.bytes, t.intensity,
                                    row["gmacs_per_s"]), 500.0, 200.0, 640.0)
            assert row["roof_position"] == p.where
            assert row["percent_of_roof"] == pytest.approx(
                100 * row["gmacs_per_s"] / min(500.0, t.intensity * 640.0))
    assert by_name["softmax"]["bytes"] is None and by_name["softmax"]["intensity"] is None
    s = r["roofs"]
    assert (s["peak_gmacs"], s["bandwidth_gbs"], s["cache_bandwidth_gbs"]) == (500, 200, 640)
    assert s["compute_gmacs"] == 500.0 and s["compute_kernel"] == "float32 Conv"
    assert s["spread"]["memory"] == 0.02 and s["others_cpu_percent"] == 3.0
    assert s["trusted"] and s["problem"] == "" and s["threads"] == 1
    # trusted: cached, the next run reads them; --recalibrate measures again
    assert roofs.cached_roofs(1, roofs.TINY_SIZE) is not None
    assert _json(capsys)["roofs"]["peak_gmacs"] == 500.0 and len(measured) == 1
    _json(capsys, "--recalibrate")
    assert len(measured) == 2
    assert "roofs" not in _json(capsys, "--no-roofs") and len(measured) == 2


def test_roofs_measured_on_a_busy_machine_are_said_and_not_cached(capsys, measured):
    roofs.forget_roofs(1, roofs.TINY_SIZE)
    measured.results = [dataclasses.replace(FAKE, busy=True, busy_passes=6, passes=6,
                                            others_cpu_percent=140.0)]
    s = _json(capsys)["roofs"]
    assert not s["trusted"] and "other programs used 140 % CPU" in s["problem"]
    assert roofs.cached_roofs(1, roofs.TINY_SIZE) is None
    _json(capsys)
    assert len(measured) == 2  # measured again: nothing was cached


def test_layers_above_the_roofs_refuse_them_and_measure_again_once(capsys, measured):
    low = dataclasses.replace(FAKE, peak_gmacs=1e-3, bandwidth_gbs=1e-4,
                              cache_bandwidth_gbs=2e-4)
    measured.results = [low]
    r = _json(capsys, "--recalibrate")
    s = r["roofs"]
    assert len(measured) == 2 and s["redone"]  # once, not in a loop
    timed = [l["name"] for l in r["layers"] if l.get("bytes") and l["macs"]
             and l["gmacs_per_s"]]
    assert s["above"] == timed
    measured.results = [low, FAKE]  # the second measurement puts them under the roofs
    s = _json(capsys, "--recalibrate")["roofs"]
    assert s["redone"] and s["above"] == [] and s["peak_gmacs"] == 500.0


def test_text_report_prints_the_roofline_table_and_caption(capsys, measured):
    assert main([*ARGS, "--alpha", "0.25", "--resolution", "96", "--recalibrate"]) == 0
    out = capsys.readouterr().out
    assert "MAC/byte" in out and "% of cache roof" in out and "where" in out
    line = next(l for l in out.splitlines() if l.startswith("roofs (onnxruntime"))
    assert "compute 500.0 GMAC/s ±1.0% (float32 Conv)" in line
    assert "memory 200.0 GB/s ±1.0%" in line and "in cache 640.0 GB/s" in line
    assert "other programs used 3 % CPU" in line and "CPU features: avx2" in line
    assert "Depthwise (13 layers" in out and "of its attainable roof" in out
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if "KiB moved" in l)
    dw1 = next(l for l in lines[start:] if l.split()[:2] == ["dw1", "depthwise"])
    assert float(dw1.split()[3]) == pytest.approx(layer_traffic(NetSpec(0.25, 96).layers[1])
                                                  .intensity, abs=0.005)


def test_an_int8_model_counts_one_byte_per_element_under_the_int8_roof(capsys, coral,
                                                                      measured):
    r = _json(capsys, "--model", str(coral / "mobilenet_v1_0.25_128_quant.tflite"),
              "--precision", "int8", "--recalibrate", shape=())
    assert r["precision"] == "int8"
    by_name = {l["name"]: l for l in r["layers"]}
    for layer in NetSpec(0.25, 128, 1001).layers:
        assert by_name[layer.name]["bytes"] == layer_traffic(layer, "int8").bytes
    s = r["roofs"]
    # the roof of the integer kernels the graph runs: the checkpoint's uint8 weights, or
    # int8 weights where this CPU's kernels are exact with them (graph/int8_kernels.py)
    from visualizer.net.analysis.precision_load import load_precision
    from visualizer.net.graph.onnx_files import signed_int8_weights

    model = load_precision(str(coral / "mobilenet_v1_0.25_128_quant.tflite"), "int8")
    signed = signed_int8_weights(model.onnx_bytes)
    assert s["compute_gmacs"] == (2000.0 if signed else 800.0)
    assert s["compute_kernel"] == f"int8 QLinearConv, {'int8' if signed else 'uint8'} weights"
    assert s["precision"] == "int8"
