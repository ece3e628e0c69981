"""Probes of a model outside the live runner: one layer's feature maps for a frame, and
the whole network's latency without profiling (the latency sweep).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable

import numpy as np
import onnx
import onnxruntime as ort

from visualizer.net.runtime.preprocess import preprocess
from visualizer.net.runtime.sessions import enter_live, leave_live, providers, session_options

if TYPE_CHECKING:
    from visualizer.net.models import LoadedModel

WARMUP_MS = 30.0  # shortest warm-up of latency_samples (when warmup > 0)

_maps_lock = threading.Lock()
_maps: "OrderedDict[int, tuple[bytes, ort.InferenceSession, dict[str, str], dict]]" = \
    OrderedDict()
_MAPS_CACHE = 2


def layer_outputs(model: onnx.ModelProto, layer_names: list[str]) -> dict[str, str]:
    """Tensor name of each paper layer's output: after its ReLU6 when it has one."""
    nodes = {n.name: n for n in model.graph.node}
    out = {}
    for name in layer_names:
        # an int8 layer's clamp, a float island's requantization, else the layer's node
        node = nodes.get(f"{name}/relu6") or nodes.get(f"{name}/requantize") or \
            nodes.get(name)
        if node is not None:
            out[name] = node.output[0]
    return out


def _maps_session(model: "LoadedModel") -> tuple[ort.InferenceSession, dict[str, str], dict]:
    """A session that also outputs every layer's feature map; for an int8 graph, the
    (scale, zero point) that dequantize each layer's integer output."""
    key = id(model.onnx_bytes)
    with _maps_lock:
        hit = _maps.get(key)
        if hit is not None and hit[0] is model.onnx_bytes:
            _maps.move_to_end(key)
            return hit[1], hit[2], hit[3]
    proto = onnx.load_from_string(model.onnx_bytes)
    names = [l.name for l in model.spec.layers]
    tensors = layer_outputs(proto, names)
    inits = {t.name: t for t in proto.graph.initializer}
    quant = {n: (onnx.numpy_helper.to_array(inits[f"{n}/output_scale"]),
                 onnx.numpy_helper.to_array(inits[f"{n}/output_zero_point"]))
             for n in names if f"{n}/output_zero_point" in inits}  # int8 graphs
    present = {o.name for o in proto.graph.output}
    for n, t in tensors.items():
        if t not in present:
            elem = onnx.helper.np_dtype_to_tensor_dtype(quant[n][1].dtype) if n in quant \
                else onnx.TensorProto.FLOAT
            proto.graph.output.append(onnx.helper.make_tensor_value_info(t, elem, None))
    session = ort.InferenceSession(proto.SerializeToString(), session_options(None, False),
                                   providers=providers())
    with _maps_lock:
        _maps[key] = (model.onnx_bytes, session, tensors, quant)
        while len(_maps) > _MAPS_CACHE:
            _maps.popitem(last=False)
    return session, tensors, quant


def feature_maps(model: "LoadedModel", frame_rgb: np.ndarray, layer: str) -> np.ndarray:
    """(C, H, W) output of paper layer `layer` (after its ReLU6) for one frame; pool and
    fc give (C, 1, 1). Raises ValueError for an unknown layer, PreprocessError for a bad
    frame."""
    names = [l.name for l in model.spec.layers]
    if layer not in names:
        raise ValueError(f"unknown layer {layer!r}: expected one of {', '.join(names)}")
    session, tensors, quant = _maps_session(model)
    if layer not in tensors:
        raise ValueError(f"the model has no node for layer {layer!r}")
    x = preprocess(frame_rgb, model.spec.resolution, model.input_mean, model.input_std)
    opts = ort.RunOptions()
    opts.only_execute_path_to_fetches = True
    y = session.run([tensors[layer]], {"input": x}, opts)[0]
    if layer in quant:  # an int8 graph: the real values the integers stand for
        scale, zero = quant[layer]
        y = (y.astype(np.float32) - zero.astype(np.float32)) * scale
    return np.ascontiguousarray(y.reshape(y.shape[1], *(y.shape[2:] or (1, 1))))


# latency --------------------------------------------------------------------------
def latency_samples(model: "LoadedModel", runs: int, warmup: int, threads: int | None,
                    cancel: Callable[[], bool] | None = None) -> list[float]:
    """Wall time (ms) of each of `runs` whole-graph inferences without profiling, on a
    fresh session after its warm-up; fewer (or none) when `cancel()` became true."""
    if runs < 1 or warmup < 0:
        raise ValueError(f"runs must be at least 1 and warmup at least 0 (got {runs}, {warmup})")
    others = enter_live()
    try:
        o = session_options(threads, spin=others == 0)
        o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(model.onnx_bytes, o, providers=providers())
        r = model.spec.resolution
        x = np.random.default_rng(0).standard_normal((1, 3, r, r), dtype=np.float32)
        feed = {"input": x}
        # At least `warmup` runs and WARMUP_MS of them: a small model's first runs after
        # a fresh session (threads waking, caches, clock ramping) are slow for longer
        # than two runs take.
        t0, done = time.perf_counter(), 0
        while done < warmup or (warmup and done < 200
                                and (time.perf_counter() - t0) * 1e3 < WARMUP_MS):
            if cancel and cancel():
                return []
            session.run(["probs"], feed)
            done += 1
        times = []
        for _ in range(runs):
            if cancel and cancel():
                break
            t = time.perf_counter()
            session.run(["probs"], feed)
            times.append((time.perf_counter() - t) * 1e3)
        return times
    finally:
        leave_live()
