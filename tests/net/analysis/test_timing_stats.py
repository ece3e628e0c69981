"""The one statistic of per-layer times: robust to an interrupted frame, with its n and
spread, and one account of a frame whose rows add up to the whole frame."""
from __future__ import annotations

import numpy as np
import pytest

from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.results import InferenceResult, LayerTiming
from visualizer.net.analysis.shares import MIN_FRAMES, explain, type_shares
from visualizer.net.analysis.timing_stats import OVERHEAD, LayerStats, robust_ms, unlike_twins

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
    rows = stats.rows()
    assert stats.frames == stats.total == 4
    assert [r["name"] for r in rows] == [l.name for l in LAYERS] + [OVERHEAD]
    kernels = sum(0.1 + l.macs / 1e8 for l in LAYERS)
    for row, layer in zip(rows, LAYERS):
        assert row["n"] == 4 and row["macs"] == layer.macs and row["type"] == layer.type
        assert row["ms"] == pytest.approx(0.1 + layer.macs / 1e8)
        assert row["gmacs_per_s"] == (pytest.approx(layer.macs / (row["ms"] * 1e6))
                                      if layer.macs else None)  # the pool: no arithmetic
    # the profiled run lasted 5 ms: the rest of it is the overhead row
    assert rows[-1]["ms"] == pytest.approx(5.0 - kernels) and rows[-1]["macs"] == 0
    assert rows[-1]["gmacs_per_s"] is None
    for i in range(3):  # the window keeps the last 5 timed frames
        stats.add(frame(2.0, 10 + i))
    assert stats.frames == 5 and stats.total == 7
    assert stats.ms()["pw1"] == pytest.approx(2 * (0.1 + LAYERS[2].macs / 1e8))
    stats.clear()
    assert stats.frames == 0 and stats.rows() == [] and stats.ms() == {}
    assert stats.account() is None


def test_rows_are_scaled_to_add_up_to_the_plain_frame():
    """Profiled frames of 10 ms (8 in kernels), plain frames of 5 ms: the account is the
    profiled frame's decomposition scaled by 5/10, and its rows add up to 5 ms."""
    stats = LayerStats()
    for i in range(6):
        stats.add(named_frame({"dw1": 6.0, "pw1": 2.0}, i, wall=10.0))
        stats.add(InferenceResult((), 5.0 + 0.1 * (i % 2), 0.1, (), False, 100 + i))
    acc = stats.account()
    assert acc.frame_ms == pytest.approx(5.05) and acc.plain_n == 6 and acc.n == 6
    assert acc.profiled_ms == pytest.approx(10.0)
    assert acc.scale == pytest.approx(0.505)
    assert acc.ms() == {"dw1": pytest.approx(3.03), "pw1": pytest.approx(1.01),
                        OVERHEAD: pytest.approx(1.01)}
    assert sum(r.ms for r in acc.rows) == pytest.approx(acc.frame_ms)
    assert acc.row("dw1").raw_ms == pytest.approx(6.0)
    assert (acc.frame_p25, acc.frame_p75) == pytest.approx((5.0, 5.1))
    assert "plain frames" in acc.conditions() and "×0.51" in acc.conditions()


def test_without_plain_frames_the_total_is_the_profiled_frame():
    stats = LayerStats()
    stats.add(named_frame({"dw1": 6.0, "pw1": 2.0}, 0, wall=10.0))
    acc = stats.account()
    assert acc.scale == 1.0 and acc.plain_n == 0 and acc.frame_ms == pytest.approx(10.0)
    assert acc.ms()[OVERHEAD] == pytest.approx(2.0)


def test_a_layer_missing_from_a_timed_frame_counts_as_0_ms_in_it():
    """Not skipped: the layer's figure rests on every timed frame, 0 where it had no node."""
    stats = LayerStats(trim=0.0)
    stats.add(named_frame({"dw1": 4.0, "pw1": 2.0}, 0, wall=6.0))
    stats.add(named_frame({"pw1": 2.0}, 1, wall=2.0))  # dw1 absent from this frame
    acc = stats.account()
    assert acc.row("dw1").ms == pytest.approx(2.0) and acc.row("dw1").n == 2
    assert acc.row("dw1").p25 == pytest.approx(1.0)


def test_spread_is_the_interquartile_range_against_numpy():
    rng = np.random.default_rng(7)
    values = rng.lognormal(0, 0.4, 23)
    stats = LayerStats(trim=0.2)
    for i, v in enumerate(values):
        stats.add(named_frame({"dw1": float(v)}, i))
    row = stats.account().row("dw1")
    assert (row.p25, row.p75) == pytest.approx(tuple(np.percentile(values, [25, 75])))
    assert row.p25 <= row.ms <= row.p75


def test_twins_whose_spreads_do_not_overlap_are_flagged():
    """pw7…pw11 do the same work: one of them timed far off its twins is flagged."""
    stats = LayerStats(trim=0.0)
    for i in range(5):
        stats.add(named_frame({"pw7": 1.0 + 0.01 * i, "pw8": 1.02 + 0.01 * i,
                               "pw9": 3.0 + 0.01 * i, "pw10": 1.01 + 0.01 * i}, i))
    shapes = {n: ("pointwise", (14, 14, 512), (14, 14, 512), 1)
              for n in ("pw7", "pw8", "pw9", "pw10")}
    assert unlike_twins(stats.account().rows, shapes) == ["pw9"]
    assert unlike_twins(stats.account().rows, {}) == []


def test_the_sentence_waits_for_enough_frames():
    ms = {l.name: (5 if l.type == "depthwise" else 1) * l.macs / 1e9 for l in LAYERS}
    shares = type_shares(LAYERS, ms)
    early = explain(shares, MIN_FRAMES - 1)
    assert "% of the time" not in early and f"n = {MIN_FRAMES - 1} so far" in early
    assert "% of the time" in explain(shares, MIN_FRAMES) == explain(shares)


def named_frame(ms: dict[str, float], frame_id: int = 0,
                wall: float | None = None) -> InferenceResult:
    """A timed frame of these node groups; its run lasted `wall` (default: their sum)."""
    layers = tuple(LayerTiming(name.split("#")[0], "depthwise", 1000, 10, t)
                   for name, t in ms.items())
    return InferenceResult((), sum(ms.values()) if wall is None else wall, 0.1, layers,
                           False, frame_id)


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
                          "pw1": pytest.approx(2.0), OVERHEAD: 0.0}


def test_the_window_forgets_old_frames():
    stats = LayerStats(window=5)
    for i, t in enumerate([9.0, 1.0, 3.0]):  # three frames: the median
        stats.add(named_frame({"dw1": t}, i))
    assert stats.ms() == {"dw1": pytest.approx(3.0), OVERHEAD: 0.0}
    for i, t in enumerate([2.0, 4.0, 6.0, 100.0], start=3):  # the 9 and the 1 fall out
        stats.add(named_frame({"dw1": t}, i))
    assert stats.frames == 5
    assert stats.ms()["dw1"] == pytest.approx((3 + 4 + 6) / 3)  # 2 and 100 left out


def test_nodes_of_one_layer_add_up_within_a_frame():
    stats = LayerStats(window=4, trim=0.0)
    stats.add(named_frame({"pw2": 1.0, "pw2#relu": 0.5}))  # two profiled nodes of one layer
    stats.add(named_frame({"pw2": 2.0, "pw2#relu": 0.5}))
    assert stats.frames == 2 and stats.ms() == {"pw2": pytest.approx(2.0), OVERHEAD: 0.0}
    assert stats.type_of("pw2") == "depthwise" and stats.type_of("fc") == "other"
    stats.clear()
    assert stats.frames == 0 and stats.ms() == {}
