"""run_sweep measures real latency; its costs match NetSpec; cancel stops it."""
from __future__ import annotations

import math

import numpy as np
import pytest

from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS, NetSpec
from visualizer.net.model.published import PUBLISHED, published
from visualizer.net.analysis.sweep import run_sweep


def test_tiny_sweep_measures_positive_latency_with_netspec_costs():
    calls = []
    points = run_sweep((0.25,), (128, 160), runs=2, warmup=1, threads=1,
                       progress=lambda done, total, p: calls.append((done, total, p)))
    assert [(p.alpha, p.resolution) for p in points] == [(0.25, 128), (0.25, 160)]
    for p in points:
        spec = NetSpec(p.alpha, p.resolution, 1001)  # official graphs have 1001 outputs
        assert p.macs == spec.total_macs and p.params == spec.total_params
        assert p.latency_ms > 0 and math.isfinite(p.latency_ms)
    # published top-1 of the tensorflow/models table (float models)
    assert [p.top1 for p in points] == [41.5, 45.5]
    assert [(d, t) for d, t, _ in calls] == [(1, 2), (2, 2)]
    assert [p for _, _, p in calls] == points


def test_each_setting_reports_the_latency_measured_on_its_own_network(monkeypatch):
    """Latency itself is not asserted against a clock (that would flake); the measuring
    function is replaced by one whose answer depends on the network it is given."""
    import visualizer.net.runtime.probes as probes

    measured = []

    def fake(model, runs, warmup, threads, cancel=None):
        measured.append((model.spec.alpha, model.spec.resolution, runs, warmup, threads))
        return [model.spec.total_macs / 1e7] * runs  # "ms": grows with the mult-adds

    monkeypatch.setattr(probes, "latency_samples", fake)
    points = run_sweep((0.25, 0.5), (128, 160), runs=4, warmup=2, threads=3, rounds=2)
    settings = [(0.25, 128), (0.25, 160), (0.5, 128), (0.5, 160)]
    assert [(p.alpha, p.resolution) for p in points] == settings
    for p in points:
        assert p.latency_ms == NetSpec(p.alpha, p.resolution, 1001).total_macs / 1e7
        assert p.p25_ms == p.p75_ms == p.latency_ms and p.runs == 4
    assert measured == [(a, r, 2, 2, 3) for a, r in settings for _ in range(2)]


def test_unofficial_setting_has_no_published_accuracy():
    (point,) = run_sweep((0.3,), (96,), runs=1, warmup=0)
    assert point.top1 is None and point.macs == NetSpec(0.3, 96, 1001).total_macs


def test_cancel_stops_the_sweep():
    assert run_sweep((0.25,), (128, 160), runs=2, warmup=0, cancel=lambda: True) == []
    seen = []
    points = run_sweep((0.25, 0.5), (128, 160), runs=2, warmup=0,
                       progress=lambda d, t, p: seen.append(p), cancel=lambda: len(seen) >= 1)
    assert len(points) == 1 and points == seen


def test_latency_is_the_median_of_batch_means(monkeypatch):
    import visualizer.net.runtime.probes as probes

    batch_means = iter([5.0, 100.0, 6.0])  # one batch spoiled by other work
    calls = []

    def fake(model, runs, warmup, threads, cancel=None):
        calls.append(runs)
        return [next(batch_means)] * runs

    monkeypatch.setattr(probes, "latency_samples", fake)
    (point,) = run_sweep((0.25,), (128,), runs=10, warmup=1, rounds=3)
    assert point.latency_ms == 6.0
    assert sorted(calls) == [3, 3, 4] and sum(calls) == 10
    # the spread of the single runs, against numpy: the spoiled batch shows in it
    every = [5.0] * 4 + [100.0] * 3 + [6.0] * 3
    assert (point.p25_ms, point.p75_ms) == pytest.approx(tuple(np.percentile(every, [25, 75])))


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError):
        run_sweep((0.25,), (128,), runs=0)
    with pytest.raises(ValueError):
        run_sweep((0.25,), (128,), runs=1, warmup=-1)
    with pytest.raises(ValueError):
        run_sweep((0.25,), (128,), runs=1, rounds=0)


def test_published_table_is_the_official_grid_and_agrees_with_the_paper_costs():
    assert set(PUBLISHED) == {(a, r) for a in OFFICIAL_ALPHAS for r in OFFICIAL_RESOLUTIONS}
    for (alpha, resolution), entry in PUBLISHED.items():
        spec = NetSpec(alpha, resolution, 1001)
        assert entry.million_params == pytest.approx(spec.total_params / 1e6, rel=0.03)
        if (alpha, resolution) != (0.25, 192):  # listed as 34 M in the table, a typo
            assert entry.million_macs == pytest.approx(spec.total_macs / 1e6, rel=0.03, abs=0.5)
        assert entry.top1 >= entry.top1_quant  # quantization costs a little accuracy
    # accuracy grows with width and with resolution
    for alpha in OFFICIAL_ALPHAS:
        tops = [published(alpha, r).top1 for r in sorted(OFFICIAL_RESOLUTIONS)]
        assert tops == sorted(tops)
    for r in OFFICIAL_RESOLUTIONS:
        tops = [published(a, r).top1 for a in sorted(OFFICIAL_ALPHAS)]
        assert tops == sorted(tops)
    assert published(1.0, 224).top1 == 70.9 and published(0.5, 96) is None
