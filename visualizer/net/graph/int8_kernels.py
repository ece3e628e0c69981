"""Exact rewrites of a quantized network into the integer formats onnxruntime's fastest
kernels want, and which of them a CPU family gets.

onnxruntime (its MLAS library) picks a QLinearConv kernel by the type of the activations,
the type of the weights and the weights' zero point:
- x86 runs uint8 activations × int8 weights ("U8S8") on VNNI dot products (vpdpbusd)
  where the CPU has them; uint8 × uint8 ("U8U8") never uses them (16-bit multiplies,
  about 2× slower on the pointwise layers), and int8 activations ("S8S8") have no fast
  QLinearConv kernel on x86 at all (about 10× slower, measured). Without VNNI, U8S8 runs
  on vpmaddubsw, whose int16 sums of two products saturate (onnxruntime's quantization
  documentation: use U8U8 or 7-bit weights there); uint8 × int8 pairs stay below
  2·255·64 = 32640 when every stored weight is within ±64, so only such layers get int8
  weights on x86 without VNNI.
- int8 weights with zero point 0 ("symmetric") take the ConvSym kernels, which requantize
  inside the kernel; among them is onnxruntime's only fast int8 depthwise kernel
  (channels a multiple of 16). Any other zero point runs depthwise layers on a 16-bit
  AVX2 kernel whose int32 sums are requantized in a second pass, about 1.7× slower than
  the float depthwise kernel.
- ARM64 runs U8S8 (and S8S8) on dot products (or NEON widening multiplies), exactly.

Every rewrite here keeps each (x − x_zero_point) and (w − w_zero_point) the same integer
and every scale the same float, so the integer sums, the requantization and thus every
output are unchanged: uint8 weights become int8 by w − 128 (zero point − 128), int8
become uint8 by w + 128, weights whose centred values fit int8 become symmetric, and
int8 activations become uint8 by x + 128 (zero points and RELU6 clamps + 128).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from visualizer.net.checkpoints.tflite_quant import QParams, QuantLayer, QuantNetwork

#: CPU families whose integer kernels differ (chosen from the CPU's features by
#: analysis/cpu_features.int8_target).
X86_VNNI, X86, ARM64, OTHER = "x86-vnni", "x86", "arm64", "other"
TARGETS = (X86_VNNI, X86, ARM64, OTHER)
#: the largest |stored int8 weight| whose uint8 × int8 pair sums fit int16 (vpmaddubsw)
SATURATION_FREE = 64
UINT8, INT8, SYMMETRIC = "uint8", "int8", "int8 symmetric"


def centred(layer: QuantLayer) -> np.ndarray:
    """w − zero point of every weight (int32), per output channel when per-channel."""
    zp = layer.weight_q.zero_point.astype(np.int32)
    if zp.ndim:
        zp = zp.reshape(-1, *([1] * (layer.weight.ndim - 1)))
    return layer.weight.astype(np.int32) - zp


def signed_int8(formats: dict[str, str], layers) -> bool:
    """Whether an int8 graph runs mostly on uint8 × int8 kernels: the weight formats of
    its integer conv layers ({layer name: weight_format}, float islands left out)
    weighted by their mult-adds, so the pointwise layers, nearly all of them, decide."""
    macs = {l.name: l.macs for l in layers}
    signed = sum(macs.get(n, 0) for n, f in formats.items() if f != "uint8")
    return 2 * signed > sum(macs.get(n, 0) for n in formats)


def weight_format(layer: QuantLayer) -> str:
    """uint8, int8 or int8 symmetric (all zero points 0), as the layer stores them."""
    if layer.weight.dtype == np.uint8:
        return UINT8
    return SYMMETRIC if not np.any(layer.weight_q.zero_point) else INT8


def _shift(layer: QuantLayer, by: int, dtype) -> QuantLayer:
    w = (layer.weight.astype(np.int16) + by).astype(dtype)
    zp = (layer.weight_q.zero_point.astype(np.int16) + by).astype(dtype)
    return replace(layer, weight=w, weight_q=QParams(layer.weight_q.scale, zp))


def with_weights(layer: QuantLayer, fmt: str) -> QuantLayer | None:
    """The layer with its weights stored as `fmt` (same centred values and scales), or
    None when they cannot be (symmetric needs every centred weight in [−128, 127])."""
    now = weight_format(layer)
    if fmt == now:
        return layer
    if fmt == SYMMETRIC:
        c = centred(layer)
        if c.min() < -128 or c.max() > 127:
            return None
        return replace(layer, weight=c.astype(np.int8), weight_q=QParams(
            layer.weight_q.scale, np.zeros_like(layer.weight_q.zero_point, np.int8)))
    if fmt == INT8:
        return _shift(layer, -128, np.int8) if now == UINT8 else layer  # symmetric is int8
    if fmt == UINT8:
        return _shift(layer, 128, np.uint8)
    raise ValueError(f"unknown weight format {fmt!r}")


def saturation_free(layer: QuantLayer) -> bool:
    """True when x86 U8S8 kernels without VNNI (vpmaddubsw) compute the layer exactly:
    every stored int8 weight within ±SATURATION_FREE."""
    return layer.weight.dtype == np.int8 and \
        int(np.abs(layer.weight.astype(np.int16)).max(initial=0)) <= SATURATION_FREE


def weights_for(layer: QuantLayer, target: str) -> QuantLayer:
    """The fastest exact weight format of `layer` on `target` (see the module's notes)."""
    if target == OTHER:
        return layer
    for fmt in (SYMMETRIC, INT8):
        candidate = with_weights(layer, fmt)
        if candidate is not None and (target != X86 or saturation_free(candidate)):
            return candidate
    return with_weights(layer, UINT8) if target == X86 else layer


def _act(q: QParams) -> QParams:
    if q.zero_point.dtype != np.int8:
        return q
    return QParams(q.scale, (q.zero_point.astype(np.int16) + 128).astype(np.uint8))


def uint8_activations(net: QuantNetwork) -> QuantNetwork:
    """int8 activations stored as uint8 (x + 128, zero points and clamps + 128)."""
    def layer(l: QuantLayer) -> QuantLayer:
        shift = 128 if l.output_q.zero_point.dtype == np.int8 else 0
        clamp = None if l.clamp is None else (l.clamp[0] + shift, l.clamp[1] + shift)
        return replace(l, input_q=_act(l.input_q), output_q=_act(l.output_q), clamp=clamp)

    return replace(net, layers=tuple(layer(l) for l in net.layers),
                   pool_input_q=_act(net.pool_input_q), pool_output_q=_act(net.pool_output_q))


def for_kernels(net: QuantNetwork, target: str) -> QuantNetwork:
    """`net` in the formats `target`'s fastest exact kernels want: uint8 activations on
    x86, and each layer's weights as weights_for chooses."""
    if target not in TARGETS:
        raise ValueError(f"unknown int8 target {target!r}: one of {', '.join(TARGETS)}")
    if target in (X86_VNNI, X86):
        net = uint8_activations(net)
    return replace(net, layers=tuple(weights_for(l, target) for l in net.layers))


def formats_summary(net: QuantNetwork) -> str:
    """e.g. "uint8 activations; weights int8 (27), int8 symmetric (1)"."""
    counts: dict[str, int] = {}
    for l in net.layers:
        counts[weight_format(l)] = counts.get(weight_format(l), 0) + 1
    act = str(net.input_q.zero_point.dtype)
    return f"{act} activations; weights " + ", ".join(f"{k} ({v})" for k, v in counts.items())


def weight_formats(model) -> dict[str, str]:
    """{layer: weight format} of the QLinearConv layers of an int8 graph (onnx_int8.py),
    read from the graph's own initializers."""
    from onnx import numpy_helper

    inits = {t.name: t for t in model.graph.initializer}
    out = {}
    for n in model.graph.node:
        if n.op_type == "QLinearConv" and len(n.input) > 5 and n.input[3] in inits:
            w, zp = (numpy_helper.to_array(inits[n.input[i]]) for i in (3, 5))
            out[n.name] = UINT8 if w.dtype == np.uint8 else SYMMETRIC if not zp.any() else INT8
    return out
