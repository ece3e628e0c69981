"""Roof calibration: its wiring and units against a made-up machine (fake benches of known
speeds on the real calibration graphs), passes that must agree, busy passes discarded,
what is cached and what is refused; one real tiny calibration; the CPU feature report."""
from __future__ import annotations

import json
import math

import numpy as np
import onnx
import pytest

from visualizer.net.analysis import roofs as rf
from visualizer.net.analysis.machine_load import MachineLoad
from visualizer.net.analysis.roof_benches import (calibration_graphs, conv_chain,
                                                  qlinear_conv_chain, relu_chain)
from visualizer.net.analysis.cpu_features import CpuFeatures, cpu_features, detect, from_info

#: the made-up machine: GMAC/s of each kernel, GB/s from memory and in cache
MACHINE = {"Conv": 50.0, "QLinearConv/uint8": 80.0, "QLinearConv/int8": 200.0,
           "dram": 20.0, "cache": 64.0}
LLC_BYTES = 8 << 20  # tensors larger than this stream from main memory


class FakeBench:
    """Times a calibration graph as the made-up machine would, from the graph itself:
    its operator, weight type and tensor size (not from the roof's name)."""

    def __init__(self, graph, threads, factor=lambda: 1.0):
        model = onnx.load_from_string(graph.onnx)
        ops = {n.op_type for n in model.graph.node}
        self.work, self.factor = graph.work, factor
        if ops == {"Relu"}:
            tensor_bytes = math.prod(graph.shape) * np.dtype(graph.dtype).itemsize
            rate = MACHINE["dram" if tensor_bytes > LLC_BYTES else "cache"]
        elif ops == {"Conv"}:
            rate = MACHINE["Conv"]
        else:
            (op,) = ops
            w = next(t for t in model.graph.initializer if t.name == "w0")
            kind = "int8" if w.data_type == onnx.TensorProto.INT8 else "uint8"
            rate = MACHINE[f"{op}/{kind}"]
        self.seconds = graph.work / (rate * 1e9)

    def run(self) -> float:
        return self.seconds * self.factor()


def quiet(threads):
    return _Watch(MachineLoad(0.0, 2, threads or 2, 0.5))


class _Watch:
    def __init__(self, load):
        self.load = load

    def stop(self):
        return self.load


def watch_sequence(*others_percent):
    """A watch whose n-th pass saw others use others_percent[n] (the last one repeats)."""
    seen = iter(others_percent)
    last = [others_percent[-1]]

    def watch(threads):
        last[0] = next(seen, last[0])
        return _Watch(MachineLoad(last[0], 2, threads or 2, 0.5))

    return watch


def measure(size=rf.DEFAULT_SIZE, threads=2, bench=FakeBench, watch=quiet):
    return rf.measure_roofs(threads, size, bench=bench, watch=watch)


def test_each_roof_comes_from_its_own_graph_in_its_own_units():
    """Memory and cache swapped, GB/s off by 1000, a float roof for int8: each fails."""
    r = measure()
    assert r.peak_gmacs == pytest.approx(50.0, rel=1e-9)
    assert r.int8_peak_gmacs == pytest.approx(80.0, rel=1e-9)
    assert r.int8_s8_peak_gmacs == pytest.approx(200.0, rel=1e-9)
    assert r.bandwidth_gbs == pytest.approx(20.0, rel=1e-9)
    assert r.cache_bandwidth_gbs == pytest.approx(64.0, rel=1e-9)
    want = {"compute": 50.0, "int8_compute": 80.0, "int8_s8_compute": 200.0, "memory": 20.0,
            "cache": 64.0}
    assert {n: round(r.value(n), 6) for n in rf.FIELDS} == want  # by roof name, too
    assert r.peak() == r.peak_gmacs and r.peak("int8") == r.int8_peak_gmacs
    assert r.peak("int8", signed_weights=True) == r.int8_s8_peak_gmacs
    with pytest.raises(ValueError):
        r.peak("float16")
    assert r.trusted and r.agreed and r.passes == 2 and not r.busy
    assert r.spread == {n: 0.0 for n in rf.FIELDS}
    assert r.summary()["bandwidth_gbs"] == r.bandwidth_gbs and r.summary()["trusted"]


def test_the_default_graphs_stream_memory_beyond_and_within_the_caches():
    g = calibration_graphs(rf.DEFAULT_SIZE)
    assert g["memory"].work == 2 * 4 * math.prod(g["memory"].shape) >= 256 << 20
    assert 4 * math.prod(g["cache"].shape) <= 2 << 20  # ~1 MB tensors
    assert g["compute"].work == g["int8_compute"].work == 512 * 512 * 28 * 28


def test_calibration_graph_work_counts():
    _, shape, macs = conv_chain(8, 4, 3)
    assert shape == (1, 8, 4, 4) and macs == 3 * 16 * 8 * 8
    _, shape, macs = qlinear_conv_chain(8, 4, 2, signed_weights=True)
    assert shape == (1, 8, 4, 4) and macs == 2 * 16 * 8 * 8
    _, shape, moved = relu_chain(100, 5)
    assert shape == (100,) and moved == 5 * 2 * 100 * 4


def test_passes_repeat_until_two_consecutive_ones_agree():
    # the memory roof drifts 20 %, 10 %, 2 %, 0 % below its best from pass to pass
    slow = iter([1.25, 1.11, 1.02, 1.0] + [1.0] * 100)
    state = {"factor": 1.25}

    class Drifting(FakeBench):
        def run(self):
            return self.seconds * (state["factor"] if self.work > 1e8 else 1.0)

    passes = []

    def watch(threads):
        state["factor"] = next(slow)
        passes.append(state["factor"])
        return _Watch(MachineLoad(0.0, 2, 2, 0.5))

    r = measure(bench=Drifting, watch=watch)
    assert r.agreed and r.passes == 4  # 1.11 vs 1.02 differ 8 %; 1.02 vs 1.0 agree
    assert r.bandwidth_gbs == pytest.approx(20.0 / 1.0, rel=1e-9)  # the better of the two
    assert r.spread["memory"] == pytest.approx(1 - 1 / 1.02, rel=1e-6)


def test_passes_that_never_agree_are_said_and_not_cached(tmp_path):
    flip = [1.0]

    def alternating():
        return flip[0]

    def watch(threads):
        flip[0] = 1.3 if flip[0] == 1.0 else 1.0
        return _Watch(MachineLoad(0.0, 2, 2, 0.5))

    r = measure(bench=lambda g, t: FakeBench(g, t, alternating), watch=watch)
    assert not r.agreed and not r.trusted and r.passes == rf.MAX_PASSES
    assert "never agreed within 5%" in r.problem() and "varied by 23 %" in r.problem()
    assert r.peak_gmacs == pytest.approx(50.0)  # the best pass
    assert not rf.save_roofs(r, cache=tmp_path)
    assert rf.cached_roofs(2, cache=tmp_path) is None


def test_busy_passes_are_discarded():
    r = measure(watch=watch_sequence(150.0, 0.0))
    assert r.trusted and r.passes == 3 and r.busy_passes == 1
    assert r.others_cpu_percent == 0.0


def test_roofs_measured_while_the_machine_is_busy_are_refused(tmp_path):
    busy = measure(watch=watch_sequence(150.0))
    assert busy.busy and not busy.trusted and busy.busy_passes == busy.passes
    assert "other programs used 150 % CPU" in busy.problem()
    assert busy.summary()["trusted"] is False and busy.summary()["others_cpu_percent"] == 150

    def fake(result):
        return lambda threads, size, progress, cancel: result

    # nothing cached: the refused roofs are shown (with their problem), never cached
    got = rf.load_or_measure(2, cache=tmp_path, measure=fake(busy))
    assert got == busy and rf.cached_roofs(2, cache=tmp_path) is None
    # quiet roofs are cached; a busy re-measurement leaves them, saying so
    good = measure()
    assert rf.load_or_measure(2, cache=tmp_path, measure=fake(good)) == good
    assert rf.cached_roofs(2, cache=tmp_path) == good
    kept = rf.load_or_measure(2, cache=tmp_path, refresh=True, measure=fake(busy))
    assert kept.peak_gmacs == good.peak_gmacs and "A new measurement was refused" in kept.note
    assert rf.cached_roofs(2, cache=tmp_path) == good
    # refused after a layer ran above them: forgotten, then measured again
    rf.forget_roofs(2, cache=tmp_path)
    assert rf.cached_roofs(2, cache=tmp_path) is None


def test_tiny_calibration_gives_positive_roofs_and_reports_progress():
    stages = []
    r = rf.measure_roofs(1, rf.TINY_SIZE, progress=lambda s, f: stages.append((s, f)))
    s = r.summary()
    assert {"peak_gmacs", "int8_peak_gmacs", "int8_s8_peak_gmacs", "bandwidth_gbs",
            "cache_bandwidth_gbs", "threads", "cpu_features", "spread", "passes",
            "trusted", "others_cpu_percent"} <= set(s)
    assert all(r.value(n) > 0 for n in rf.FIELDS)
    assert s["threads"] == 1 and s["cpu_features"] == list(detect().notable)
    assert 2 <= r.passes <= rf.MAX_PASSES
    assert all(n >= rf.ROUNDS * 2 for n in r.runs.values())
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] < 1
    assert any("compute" in t for t, _ in stages) and any("cache" in t for t, _ in stages)
    assert any("int8" in t for t, _ in stages)


def test_cancel_stops_the_calibration():
    with pytest.raises(rf.CalibrationCancelled):
        rf.measure_roofs(1, rf.TINY_SIZE, cancel=lambda: True)


def test_roofs_are_cached_per_thread_count_and_remeasured_on_demand(tmp_path, monkeypatch):
    calls = []
    real = rf.measure_roofs

    def counting(threads, size, progress=None, cancel=None):
        calls.append(threads)
        return real(threads, size, bench=FakeBench, watch=quiet)

    monkeypatch.setattr(rf, "measure_roofs", counting)
    assert rf.cached_roofs(1, rf.TINY_SIZE, tmp_path) is None
    first = rf.load_or_measure(1, size=rf.TINY_SIZE, cache=tmp_path)
    again = rf.load_or_measure(1, size=rf.TINY_SIZE, cache=tmp_path)
    assert again == first and calls == [1]
    rf.load_or_measure(2, size=rf.TINY_SIZE, cache=tmp_path)  # another thread count
    fresh = rf.load_or_measure(1, size=rf.TINY_SIZE, cache=tmp_path, refresh=True)
    assert calls == [1, 2, 1] and fresh.measured_at >= first.measured_at
    assert rf.cache_file(1, rf.TINY_SIZE, tmp_path) != rf.cache_file(2, rf.TINY_SIZE, tmp_path)
    # the environment override picks the folder when none is given
    monkeypatch.setenv("MOBILENET_VISUALIZER_CACHE", str(tmp_path / "env"))
    assert rf.cache_file(1, rf.TINY_SIZE).is_relative_to(tmp_path / "env")


def test_a_corrupt_non_positive_or_untrusted_cache_entry_is_not_used(tmp_path):
    path = rf.cache_file(2, rf.TINY_SIZE, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert rf.cached_roofs(2, rf.TINY_SIZE, tmp_path) is None
    good = measure(rf.TINY_SIZE)
    assert rf.save_roofs(good, rf.TINY_SIZE, tmp_path)
    assert rf.cached_roofs(2, rf.TINY_SIZE, tmp_path) == good
    for key, value in (("bandwidth_gbs", 0.0), ("int8_peak_gmacs", float("nan")),
                       ("busy", True), ("agreed", False)):
        d = good.to_json()
        d[key] = value
        path.write_text(json.dumps(d))
        assert rf.cached_roofs(2, rf.TINY_SIZE, tmp_path) is None, key


def test_cpu_features_from_a_py_cpuinfo_report():
    cpu = from_info({"brand_raw": "Test CPU", "arch": "X86_64", "count": 4,
                     "flags": ["avx2", "FMA", "avx512f", "avx512vnni", "sse4_2"]})
    assert (cpu.brand, cpu.arch, cpu.logical_cores) == ("Test CPU", "X86_64", 4)
    assert cpu.notable == ("sse4_2", "fma", "avx2", "avx512f", "avx512_vnni")
    assert cpu.vnni and cpu.has("avx512_vnni") and not cpu.has("avx_vnni")
    arm = from_info({"arch": "ARM_8", "flags": ["asimd", "asimddp"]})
    assert arm.notable == ("asimd", "asimddp") and arm.vnni
    assert not from_info({"flags": ["avx2"]}).vnni
    here = detect()
    assert isinstance(here, CpuFeatures) and here.logical_cores >= 1
    assert here.notable == cpu_features()  # one reading, two views
