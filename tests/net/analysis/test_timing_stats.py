"""The one statistic of per-layer times: robust to an interrupted frame, with its n."""
from __future__ import annotations

import numpy as np
import pytest

from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.results import InferenceResult, LayerTiming
from visualizer.net.analysis.timing_stats import MIN_FRAMES, LayerStats, explain, robust_ms, type_shares

LAYERS = NetSpec(0.25, 128, 1001).layers


def frame(scale: float = 1.0, frame_id: int = 0) -> InferenceResult:
    timings = tuple(LayerTiming(l.name, l.type, l.macs, l.params, scale * (0.1 + l.macs / 1e8))
                    for l in LAYERS)
    return InferenceResult((), 5.0, 0.1, timings, False, frame_id)


@pytest.mark.parametrize("n", [3, 4, 5, 7, 10, 30, 50])
@pytest.mark.parametrize("where", [0, 1, -1])
def test_a_single_10x_outlier_is_ignored_wherever_it_comes(n, where):
    rng = np.random.default_rng(n)
    values = list(1.0 + 0.01 * rng.random(n))
    clean = list(values)
    values[where] *= 10
    got = robust_ms(values)
    assert min(clean) <= got <= max(clean)
    # and the same figure as without the outlier, to within the spread of the others
    assert got == pytest.approx(robust_ms(clean), abs=0.01)


def test_robust_ms_leaves_out_the_slowest_and_fastest_against_numpy():
    rng = np.random.default_rng(4)
    for n in range(1, 60):
        v = rng.lognormal(0, 0.5, n)
        k = 0 if n < 3 else max(1, int(0.2 * n))
        assert robust_ms(list(v)) == pytest.approx(float(np.mean(np.sort(v)[k:n - k])))
    assert robust_ms([1.0, 2.0, 30.0]) == 2.0  # the median of three
    assert robust_ms([1.0, 1.0, 1.0, 1.0, 10.0]) == 1.0  # the slow frame is left out
    assert robust_ms([0.1, 1.0, 1.0, 1.0, 1.0]) == 1.0  # and a fast one too
    with pytest.raises(ValueError):
        robust_ms([])


def test_layer_stats_rows_carry_n_and_the_robust_figure():
    stats = LayerStats(window=5)
    for i, scale in enumerate([1.0, 1.0, 10.0, 1.0]):  # one interrupted frame
        stats.add(frame(scale, i))
    stats.add(InferenceResult((), 5.0, 0.1, (), False, 9))  # not a timed frame
    rows = stats.rows()
    assert stats.frames == stats.total == 4
    assert [r["name"] for r in rows] == [l.name for l in LAYERS]
    for row, layer in zip(rows, LAYERS):
        assert row["n"] == 4 and row["macs"] == layer.macs and row["type"] == layer.type
        assert row["ms"] == pytest.approx(0.1 + layer.macs / 1e8)
        assert row["gmacs_per_s"] == pytest.approx(layer.macs / (row["ms"] * 1e6))
    for i in range(3):  # the window keeps the last 5 timed frames
        stats.add(frame(2.0, 10 + i))
    assert stats.frames == 5 and stats.total == 7
    assert stats.ms()["pw1"] == pytest.approx(2 * (0.1 + LAYERS[2].macs / 1e8))
    stats.clear()
    assert stats.frames == 0 and stats.rows() == [] and stats.ms() == {}


def test_the_sentence_waits_for_enough_frames():
    ms = {l.name: (5 if l.type == "depthwise" else 1) * l.macs / 1e9 for l in LAYERS}
    shares = type_shares(LAYERS, ms)
    early = explain(shares, MIN_FRAMES - 1)
    assert "% of the time" not in early and f"n = {MIN_FRAMES - 1} so far" in early
    assert "% of the time" in explain(shares, MIN_FRAMES) == explain(shares)


def named_frame(ms: dict[str, float], frame_id: int = 0) -> InferenceResult:
    layers = tuple(LayerTiming(name.split("#")[0], "depthwise", 1000, 10, t)
                   for name, t in ms.items())
    return InferenceResult((), sum(ms.values()), 0.1, layers, False, frame_id)


def test_each_layer_is_trimmed_on_its_own_frames():
    """Ten frames, trim 0.2: each layer's two slowest and two fastest frames are left out,
    whichever frames those are for each layer (spikes of dw1 and pw1 in different frames)."""
    stats = LayerStats(window=10, trim=0.2)
    dw = [3.0, 1.0, 50.0, 2.0, 4.0, 40.0, 5.0, 6.0, 7.0, 8.0]  # spikes in frames 2 and 5
    pw = [2.0, 90.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 30.0, 2.0]  # spikes in frames 1 and 8
    for i, (a, b) in enumerate(zip(dw, pw)):
        stats.add(named_frame({"dw1": a, "pw1": b}, i))
    assert stats.frames == 10
    assert stats.ms() == {"dw1": pytest.approx((3 + 4 + 5 + 6 + 7 + 8) / 6),
                          "pw1": pytest.approx(2.0)}


def test_the_window_forgets_old_frames():
    stats = LayerStats(window=5)
    for i, t in enumerate([9.0, 1.0, 3.0]):  # three frames: the median
        stats.add(named_frame({"dw1": t}, i))
    assert stats.ms() == {"dw1": pytest.approx(3.0)}
    for i, t in enumerate([2.0, 4.0, 6.0, 100.0], start=3):  # the 9 and the 1 fall out
        stats.add(named_frame({"dw1": t}, i))
    assert stats.frames == 5
    assert stats.ms() == {"dw1": pytest.approx((3 + 4 + 6) / 3)}  # 2 and 100 left out


def test_nodes_of_one_layer_add_up_within_a_frame():
    stats = LayerStats(window=4, trim=0.0)
    stats.add(named_frame({"pw2": 1.0, "pw2#relu": 0.5}))  # two profiled nodes of one layer
    stats.add(named_frame({"pw2": 2.0, "pw2#relu": 0.5}))
    stats.add(named_frame({}))  # a frame without per-layer times changes nothing
    assert stats.frames == 2 and stats.ms() == {"pw2": pytest.approx(2.0)}
    assert stats.type_of("pw2") == "depthwise" and stats.type_of("fc") == "other"
    stats.clear()
    assert stats.frames == 0 and stats.ms() == {}
