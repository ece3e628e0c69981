"""The runner against plain onnxruntime, numpy and LiteRT; profile parsing and attribution."""
from __future__ import annotations

import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from visualizer.net.models import load_model
from visualizer.net.runtime.preprocess import PreprocessError, preprocess, resize_rgb
from visualizer.net.runtime.profiling import LayerAttribution, parse_profile
from visualizer.net.runtime.probes import feature_maps, latency_samples
from visualizer.net.runtime.runner import (FLUSH_BUDGET, MAX_PROFILE_EVERY, MIN_PROFILE_EVERY, Runner,
                                   automatic_profile_every, profile_due)
from visualizer.net.checkpoints.untrained import untrained_weights


@pytest.fixture(scope="module")
def small():
    return load_model("untrained:0.25_128")


def _frame(seed: int, h: int = 150, w: int = 190) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _plain_probs(model, frame: np.ndarray) -> np.ndarray:
    """A plain onnxruntime run of the same graph, default options."""
    session = ort.InferenceSession(model.onnx_bytes, providers=["CPUExecutionProvider"])
    x = preprocess(frame, model.spec.resolution, model.input_mean, model.input_std)
    return session.run(None, {"input": x})[0][0]


def test_top5_is_sorted_and_equals_a_plain_onnxruntime_run(small) -> None:
    frame = _frame(1)
    with Runner(small, threads=1, per_layer=False) as runner:
        result = runner.infer(frame, frame_id=7)
    ref = _plain_probs(small, frame)
    probs = [p.prob for p in result.top5]
    assert len(result.top5) == 5 and probs == sorted(probs, reverse=True)
    assert sum(probs) <= 1.0 + 1e-6 and all(p > 0 for p in probs)
    assert [p.index for p in result.top5] == list(np.argsort(-ref, kind="stable")[:5])
    np.testing.assert_allclose(probs, np.sort(ref)[::-1][:5], rtol=1e-4, atol=1e-7)
    assert result.top5[0].label == f"class {result.top5[0].index}"  # untrained: no labels
    assert result.frame_id == 7 and result.trained is False and result.layers == ()
    assert result.total_ms > 0 and result.preprocess_ms > 0  # both measured


def test_every_profiled_node_is_attributed_and_every_layer_is_timed(small) -> None:
    frames = [_frame(s, 120 + 7 * s, 200 - 5 * s) for s in range(5)]
    with Runner(small, threads=1, keep_history=True, profile_every=100) as runner:
        results = [runner.infer(f, i) for i, f in enumerate(frames)]
        runner.flush()
        history = list(runner.history)
        unattributed = [runner.unattributed(run) for _, run, _ in history]
    assert len(history) == 5 and all(r.layers == () for r in results)
    assert unattributed == [[]] * 5
    expected = [l.name for l in small.spec.layers]
    assert len(expected) == 27 + 2  # conv1, dw1…dw13, pw1…pw13, pool, fc
    coverage = []
    for wall, run, layers in history:
        names = [l.name for l in layers]
        assert names[:len(expected)] == expected and "other" not in names
        assert all(l.ms > 0 for l in layers[:len(expected)])  # conv…pool, fc all ran
        coverage.append(sum(l.ms for l in layers) / wall)
        assert math.isclose(sum(l.ms for l in layers), run.kernel_us / 1000)
        by_name = {l.name: l for l in layers}
        assert by_name["pw3"].macs == next(l.macs for l in small.spec.layers if l.name == "pw3")
    # the goal is ≥ 0.9; asserted loosely (median, wide band) so machine load cannot flake it
    assert 0.5 <= float(np.median(coverage)) <= 1.05


def test_profile_schedule_is_dense_then_one_in_n() -> None:
    """Every frame is timed until `dense` frames were, then one frame in `every`."""
    timed, since, pattern = 0, 0, []
    for _ in range(30):
        since += 1
        due = profile_due(since, timed, every=7, dense=4)
        pattern.append(due)
        if due:
            timed, since = timed + 1, 0
    assert pattern[:4] == [True] * 4
    assert [i for i, d in enumerate(pattern) if d][4:] == [10, 17, 24]
    assert not profile_due(6, 4, every=7, dense=4) and profile_due(7, 4, every=7, dense=4)
    assert profile_due(1, 0, every=500, dense=1) and not profile_due(1, 0, every=2, dense=0)


def test_profiled_frames_come_dense_then_every_n_and_agree_with_plain_frames(small) -> None:
    frame = _frame(5)
    with Runner(small, threads=1, profile_every=3, dense=2) as runner:
        results = [runner.infer(frame, i) for i in range(9)]
        assert runner.timed_frames == 4
    assert [bool(r.layers) for r in results] == [True, True] + [False, False, True] * 2 + [False]
    assert all(r.model is small for r in results)  # each result names its model
    plain, profiled = results[2], results[4]
    assert [p.index for p in plain.top5] == [p.index for p in profiled.top5]
    np.testing.assert_allclose([p.prob for p in plain.top5], [p.prob for p in profiled.top5],
                               rtol=1e-5)


@pytest.mark.parametrize("flush, profiled, plain", [
    (8.0, [12.0], [9.0, 11.0, 10.0]),  # profiled run 2 ms dearer than the plain mean
    (8.0, [9.0], [10.0, 10.0]),  # profiled run cheaper: no negative cost
    (8.1, [10.0], [10.0]),  # 16.2 frames: rounds up, never over budget
    (5.0, [20.0, 20.0], []),  # no plain frame yet: the profiled runs are the mean
    (3.0, [4.0, 6.0], [0.5] * 20),  # fast network, slow profile: every frame counts
])
def test_automatic_profile_every_spends_the_flush_budget(flush, profiled, plain) -> None:
    """Per cycle of `every` frames, profiling costs the flush plus what profiled runs
    take beyond plain ones; `every` is the fewest frames that keep that cost within
    FLUSH_BUDGET of the cycle's inference time."""
    every = automatic_profile_every(flush, profiled, plain)
    mean = float(np.mean(plain or profiled))
    cost = flush + max(0.0, sum(profiled) - mean * len(profiled))
    assert MIN_PROFILE_EVERY < every < MAX_PROFILE_EVERY  # (not clamped in these cases)
    # within budget, and one frame fewer would not be
    assert cost <= FLUSH_BUDGET * every * mean < cost + FLUSH_BUDGET * mean


def test_automatic_profile_every_is_clamped() -> None:
    assert automatic_profile_every(0.01, [10.0], [10.0]) == MIN_PROFILE_EVERY
    assert automatic_profile_every(1e4, [10.0], [10.0]) == MAX_PROFILE_EVERY


def test_runner_profiles_at_the_automatic_rate(small, monkeypatch) -> None:
    """After each profiled frame the runner asks for the rate with that flush's cost, the
    profiled run and the plain runs since, and profiles again after that many frames."""
    import visualizer.net.runtime.runner as runner_module

    asked = []

    def rate(flush_ms, profiled_ms, plain_ms):
        asked.append((flush_ms, list(profiled_ms), list(plain_ms)))
        return 7

    monkeypatch.setattr(runner_module, "automatic_profile_every", rate)
    with Runner(small, threads=1, dense=0) as runner:
        first = runner.profile_every
        results = [runner.infer_tensor(runner.preprocess(_frame(i)))
                   for i in range(first + 14)]
        flushes = list(runner.flush_ms)
    profiled = [i for i, (_, _, layers) in enumerate(results) if layers]
    assert profiled == [first - 1, first + 6, first + 13]
    walls = [ms for _, ms, _ in results]
    # the flush cost asked with is the mean of the flushes so far (they vary a lot)
    assert len(asked) == 3
    assert [a[0] for a in asked] == pytest.approx(
        [float(np.mean(flushes[:k + 1])) for k in range(3)])
    assert asked[0][1] == [walls[first - 1]] and asked[0][2] == walls[:first - 1]
    assert asked[1][1] == [walls[first + 6]]
    assert asked[1][2] == walls[:first - 1] + walls[first:first + 6]  # the plain runs


def test_bad_frame_raises_preprocess_error(small) -> None:
    with Runner(small, threads=1, per_layer=False) as runner:
        with pytest.raises(PreprocessError):
            runner.infer(np.zeros((0, 5, 3), np.uint8))


def _same_pad(x: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    top, left, bottom, right = pads
    return np.pad(x, ((0, 0), (top, bottom), (left, right)))


def test_feature_maps_match_numpy_convolutions(small) -> None:
    from visualizer.conv.reference import conv2d

    weights = {w.name: w for w in untrained_weights(small.spec).layers}
    frame = _frame(9)
    x = preprocess(frame, 128, small.input_mean, small.input_std)[0].astype(np.float64)
    maps = {}
    for name in ("conv1", "dw1", "pw1"):
        w = weights[name]
        groups = x.shape[0] if w.type == "depthwise" else 1
        x = conv2d(_same_pad(x, w.pads), w.weight, stride=w.stride, groups=groups)
        x = np.clip(x + w.bias[:, None, None], 0.0, 6.0)
        maps[name] = x
    for name, want in maps.items():
        got = feature_maps(small, frame, name)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    pool = feature_maps(small, frame, "pool")
    pw13 = feature_maps(small, frame, "pw13")
    assert pool.shape == (pw13.shape[0], 1, 1)
    np.testing.assert_allclose(pool[:, 0, 0], pw13.mean(axis=(1, 2)), rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="unknown layer"):
        feature_maps(small, frame, "dw14")


def test_latency_samples_are_positive_and_cancellable(small) -> None:
    times = latency_samples(small, runs=3, warmup=1, threads=1)
    assert len(times) == 3 and all(math.isfinite(ms) and ms > 0 for ms in times)
    assert latency_samples(small, runs=3, warmup=1, threads=1, cancel=lambda: True) == []
    with pytest.raises(ValueError):
        latency_samples(small, runs=0, warmup=0, threads=1)


PROFILE = """[
{"cat" : "Session","pid" :1,"tid" :1,"dur" :50,"ts" :1,"ph" : "X","name" :"model_loading_uri","args" : {}},
{"cat" : "Node","pid" :1,"tid" :1,"dur" :30,"ts" :10,"ph" : "X","name" :"conv1_nchwc_kernel_time","args" : {"op_name" : "Conv","provider" : "CPUExecutionProvider"}},
{"cat" : "Node","pid" :1,"tid" :1,"dur" :5,"ts" :40,"ph" : "X","name" :"ReorderOutput_kernel_time","args" : {"provider" : "CPUExecutionProvider", "op_name" : "ReorderOutput"}},
{"cat" : "Session","pid" :1,"tid" :1,"dur" :40,"ts" :9,"ph" : "X","name" :"model_run","args" : {}},
{"ph" : "X", "cat" : "Node", "name" : "fc/flatten_kernel_time", "dur" : 2, "ts" : 60, "args" : {"op_name" : "Flatten"}},
{"cat" : "Node","pid" :1,"tid" :1,"dur" :7,"ts" :62,"ph" : "X","name" :"odd \\"name\\"_kernel_time","args" : {"op_name" : "Add"}},
{"cat" : "Node","pid" :1,"tid" :1,"dur" :1,"ts" :63,"ph" : "X","name" :"softmax_fence_before","args" : {}},
{"cat" : "Session","pid" :1,"tid" :1,"dur" :12,"ts" :59,"ph" : "X","name" :"model_run","args" : {}}
]
"""


def test_profile_parsing_and_attribution(small) -> None:
    runs = parse_profile(PROFILE)
    assert [r.wall_us for r in runs] == [40, 12]
    assert [(n.name, n.op, n.us) for n in runs[0].nodes] == [
        ("conv1_nchwc", "Conv", 30), ("ReorderOutput", "ReorderOutput", 5)]
    assert [(n.name, n.op, n.us) for n in runs[1].nodes] == [
        ("fc/flatten", "Flatten", 2), ('odd "name"', "Add", 7)]
    assert parse_profile(PROFILE, last=1) == runs[1:]
    attribution = LayerAttribution(onnx.load_from_string(small.onnx_bytes), small.spec.layers)
    assert attribution.layer_of("conv1_nchwc", "Conv") == "conv1"
    assert attribution.layer_of("dw7", "Conv") == "dw7"
    assert attribution.layer_of("pw13/relu6", "Clip") == "pw13"
    assert attribution.layer_of("ReorderInput", "ReorderInput") == "layout"
    assert attribution.layer_of("dw3_nchwc", "ReorderOutput") == "layout"
    assert attribution.layer_of("fc/flatten", "Flatten") == "fc"
    assert attribution.layer_of("softmax", "Softmax") == "softmax"
    assert attribution.layer_of("mystery", "Add") == "other"
    rows = {t.name: t.ms for t in attribution.timings(runs[1])}
    assert rows["fc"] == 0.002 and rows["other"] == 0.007 and rows["conv1"] == 0.0


def _litert_top(litert, path, rgb: np.ndarray, k: int) -> list[int]:
    interp = litert(model_path=str(path), num_threads=1)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.set_tensor(inp["index"], rgb[None].astype(inp["dtype"]))
    interp.invoke()
    y = interp.get_tensor(out["index"])[0].astype(np.float64)
    return list(np.argsort(-y, kind="stable")[:k])


@pytest.mark.parametrize("name", ["mobilenet_v1_0.75_192_quant", "mobilenet_v1_0.25_128_quant"])
def test_official_checkpoints_agree_with_litert_on_photos(coral, litert, name: str) -> None:
    from PIL import Image

    path = coral / f"{name}.tflite"
    model = load_model(str(path), labels_path=coral / "imagenet_labels.txt")
    assert model.trained and model.labels is not None
    photos = ["grace_hopper.bmp", "cat.bmp", "bird.bmp", "parrot.jpg", "sunflower.bmp"]
    with Runner(model, threads=2, per_layer=False) as runner:
        for photo in photos:
            frame = np.asarray(Image.open(coral / photo).convert("RGB"))
            top5 = runner.infer(frame).top5
            reference = _litert_top(litert, path, resize_rgb(frame, model.spec.resolution), 3)
            # the float graph of a quantized checkpoint may swap close runners-up
            assert top5[0].index in reference, (photo, top5[0], reference)
            if photo == "grace_hopper.bmp" and name.startswith("mobilenet_v1_0.75"):
                assert top5[0].label == "military uniform"
