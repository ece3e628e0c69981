"""Deterministic random MobileNet V1 weights for any α and resolution (timing, not answers).

He-style scaling (std = sqrt(2 / fan_in)) keeps activations in a sane range through the
ReLU6 stack, so the untrained network exercises the same kernels with realistic values.
Padding follows TensorFlow "SAME", the convention of the official checkpoints.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from visualizer.net.model.mobilenet import NetLayer, NetSpec, build_layers
from visualizer.net.checkpoints.weights import LayerWeights, NetworkWeights


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF "SAME" padding along one axis: (before, after); the extra pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def layer_pads(layer: NetLayer) -> tuple[int, int, int, int]:
    """ONNX pads (top, left, bottom, right) of a conv layer under TF "SAME"."""
    h, w, _ = layer.input_shape
    top, bottom = same_pads(h, layer.kernel, layer.stride)
    left, right = same_pads(w, layer.kernel, layer.stride)
    return top, left, bottom, right


def untrained_weights(spec: NetSpec, classes: int = 1001, seed: int = 0) -> NetworkWeights:
    """Random weights shaped like `spec` with `classes` outputs (spec.classes is ignored).

    Same spec, classes and seed give bit-identical weights.
    """
    spec = replace(spec, classes=classes)  # validates classes (SpecError)
    rng = np.random.default_rng(seed)
    out: list[LayerWeights] = []
    for layer in build_layers(spec):
        if layer.type == "pool":
            continue
        cin, cout = layer.input_shape[2], layer.output_shape[2]
        if layer.type == "fc":
            # std 1/sqrt(fan_in): logits of order 1, so the softmax is not one-hot.
            w = rng.standard_normal((cout, cin), dtype=np.float32) / np.float32(math.sqrt(cin))
            b = np.zeros(cout, np.float32)
            out.append(LayerWeights(layer.name, "fc", w, b, relu6=False))
            continue
        per_group = cin // layer.groups
        fan_in = layer.kernel * layer.kernel * per_group
        shape = (cout, per_group, layer.kernel, layer.kernel)
        w = rng.standard_normal(shape, dtype=np.float32) * np.float32(math.sqrt(2.0 / fan_in))
        b = np.full(cout, 0.01, np.float32)  # a small positive bias keeps units alive
        out.append(LayerWeights(layer.name, layer.type, w, b, stride=layer.stride,
                                pads=layer_pads(layer)))
    return NetworkWeights(alpha=spec.alpha, resolution=spec.resolution, classes=classes,
                          layers=tuple(out), trained=False, source="untrained")
