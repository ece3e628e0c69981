"""Class activation maps (Zhou et al., 2016): where in the frame the network found the
evidence for a class.

MobileNet V1 ends in a global average pool and one fully connected layer, so the logit of
class k is  b_k + Σ_c W[k, c] · mean_xy F[c, y, x]  =  b_k + mean_xy M_k[y, x]  with
M_k = Σ_c W[k, c] · F[c]: the map M_k of the last feature map F (res/32 × res/32) needs no
gradients, one weighted sum of its channels (about 50 k mult-adds at 1.0-224).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper


def fc_weights(model: onnx.ModelProto) -> np.ndarray:
    """The (classes, channels) float32 weights of the graph's "fc" layer: a Gemm (transB=1)
    in a float graph, a QLinearConv with 1×1 kernels in an int8 graph (dequantized with
    its own scales and zero points)."""
    node = next((n for n in model.graph.node if n.name == "fc"), None)
    init = {t.name: t for t in model.graph.initializer}
    if node is None or node.op_type not in ("Gemm", "QLinearConv"):
        raise ValueError("the graph has no Gemm or QLinearConv node named 'fc'")
    weight = node.input[3] if node.op_type == "QLinearConv" else node.input[1]
    if weight not in init:
        raise ValueError("the fc layer's weights are not an initializer")
    w = numpy_helper.to_array(init[weight])
    if node.op_type == "QLinearConv":
        scale, zero = (numpy_helper.to_array(init[node.input[i]]).astype(np.float32)
                       for i in (4, 5))
        w = w.reshape(w.shape[0], -1).astype(np.float32)
        return np.ascontiguousarray((w - zero.reshape(-1, 1)) * scale.reshape(-1, 1))
    w = w.astype(np.float32)
    trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
    return np.ascontiguousarray(w if trans_b else w.T)


def dequantized(features: np.ndarray, dequant: tuple | None) -> np.ndarray:
    """Integer features of an int8 graph as float ((q - zero point) · scale)."""
    if dequant is None:
        return features
    scale, zero = dequant
    return (features.astype(np.float32) - np.float32(zero)) * np.float32(scale)


def class_activation_map(features: np.ndarray, weights: np.ndarray, cls: int) -> np.ndarray:
    """(h, w) map of class `cls` from features (C, h, w) or (1, C, h, w) and FC weights
    (classes, C): Σ_c weights[cls, c] · features[c]."""
    f = features.reshape(features.shape[-3:])
    c, h, w = f.shape
    return (weights[cls] @ f.reshape(c, h * w)).reshape(h, w)


def normalised(cam: np.ndarray) -> np.ndarray:
    """The map scaled to 0..1 for display (negative evidence clipped to 0); all zeros when
    nothing is positive. Read-only, so it can travel inside an immutable result."""
    m = np.maximum(cam, 0.0)
    top = float(m.max()) if m.size else 0.0
    out = (m / top if top > 0 else np.zeros_like(m)).astype(np.float32)
    out.setflags(write=False)
    return out
