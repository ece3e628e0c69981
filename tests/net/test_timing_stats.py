"""TimingAverage: the per-layer mean of recent frames, without their slowest spikes."""
from __future__ import annotations

import pytest

from visualizer.net.results import InferenceResult, LayerTiming
from visualizer.net.timing_stats import TimingAverage


def frame(ms: dict[str, float], frame_id: int = 0) -> InferenceResult:
    layers = tuple(LayerTiming(name.split("#")[0], "depthwise", 1000, 10, t)
                   for name, t in ms.items())
    return InferenceResult((), sum(ms.values()), 0.1, layers, False, frame_id)


def test_the_slowest_fifth_of_each_layers_frames_is_left_out():
    """Ten frames, trim 0.2: each layer's two slowest frames (the spikes) are dropped and
    the mean is that of its eight fastest, whichever frames those are for each layer."""
    avg = TimingAverage(window=10, trim=0.2)
    dw = [3.0, 1.0, 50.0, 2.0, 4.0, 40.0, 5.0, 6.0, 7.0, 8.0]  # spikes in frames 2 and 5
    pw = [2.0, 90.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 30.0, 2.0]  # spikes in frames 1 and 8
    for i, (a, b) in enumerate(zip(dw, pw)):
        avg.add(frame({"dw1": a, "pw1": b}, i))
    assert avg.frames == 10
    assert avg.mean_ms() == {"dw1": pytest.approx((1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) / 8),
                             "pw1": pytest.approx(2.0)}


def test_few_frames_keep_all_and_the_window_forgets_old_ones():
    avg = TimingAverage(window=5, trim=0.2)
    for i, t in enumerate([9.0, 1.0, 3.0]):  # int(3 × 0.2) = 0 frames trimmed
        avg.add(frame({"dw1": t}, i))
    assert avg.mean_ms() == {"dw1": pytest.approx(13.0 / 3)}
    for i, t in enumerate([2.0, 4.0, 6.0, 100.0], start=3):  # the 9 and the 1 fall out
        avg.add(frame({"dw1": t}, i))
    assert avg.frames == 5
    assert avg.mean_ms() == {"dw1": pytest.approx((2 + 3 + 4 + 6) / 4)}  # 100 trimmed


def test_nodes_of_one_layer_add_up_within_a_frame():
    avg = TimingAverage(window=4, trim=0.0)
    avg.add(frame({"pw2": 1.0, "pw2#relu": 0.5}))  # two profiled nodes of one layer
    avg.add(frame({"pw2": 2.0, "pw2#relu": 0.5}))
    avg.add(frame({}))  # a frame without per-layer times changes nothing
    assert avg.frames == 2 and avg.mean_ms() == {"pw2": pytest.approx(2.0)}
    assert avg.type_of("pw2") == "depthwise" and avg.type_of("fc") == "other"
    avg.clear()
    assert avg.frames == 0 and avg.mean_ms() == {}
