"""Roof calibration (a tiny size: milliseconds, meaningless figures), its cache and the
CPU feature report."""
from __future__ import annotations

import json

import pytest

from visualizer.net.analysis import roofs as rf
from visualizer.net.analysis.cpu_features import CpuFeatures, cpu_features, detect, from_info


def test_tiny_calibration_gives_positive_roofs_and_reports_progress(tmp_path):
    stages = []
    r = rf.measure_roofs(1, rf.TINY_SIZE, progress=lambda s, f: stages.append((s, f)))
    s = r.summary()
    assert set(s) == {"peak_gmacs", "bandwidth_gbs", "cache_bandwidth_gbs", "threads",
                      "cpu_features"}
    assert s["peak_gmacs"] > 0 and s["bandwidth_gbs"] > 0 and s["cache_bandwidth_gbs"] > 0
    assert s["threads"] == 1 and s["cpu_features"] == list(detect().notable)
    assert all(n >= rf.ROUNDS for n in r.runs.values())
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] < 1
    assert any("compute" in t for t, _ in stages) and any("cache" in t for t, _ in stages)


def test_calibration_graph_work_counts():
    _, shape, macs = rf.conv_chain(8, 4, 3)
    assert shape == (1, 8, 4, 4) and macs == 3 * 16 * 8 * 8
    _, shape, moved = rf.relu_chain(100, 5)
    assert shape == (100,) and moved == 5 * 2 * 100 * 4


def test_cancel_stops_the_calibration():
    with pytest.raises(rf.CalibrationCancelled):
        rf.measure_roofs(1, rf.TINY_SIZE, cancel=lambda: True)


def test_roofs_are_cached_per_thread_count_and_remeasured_on_demand(tmp_path, monkeypatch):
    calls = []
    real = rf.measure_roofs

    def counting(threads, size, progress=None, cancel=None):
        calls.append(threads)
        return real(threads, size, progress, cancel)

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


def test_a_corrupt_or_non_positive_cache_entry_is_measured_again(tmp_path):
    path = rf.cache_file(1, rf.TINY_SIZE, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert rf.cached_roofs(1, rf.TINY_SIZE, tmp_path) is None
    good = rf.load_or_measure(1, size=rf.TINY_SIZE, cache=tmp_path)
    d = good.to_json()
    d["bandwidth_gbs"] = 0.0
    path.write_text(json.dumps(d))
    assert rf.cached_roofs(1, rf.TINY_SIZE, tmp_path) is None


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
