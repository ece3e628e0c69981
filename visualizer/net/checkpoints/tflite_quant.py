"""The integer side of a quantized MobileNet V1 TFLite file, for the int8 ONNX graph.

TFLite's quantized convolution computes, per layer,
  acc = Σ (x_q − x_zp)·(w_q − w_zp) + bias_q              (int32)
  y_q = clamp(round(acc · s_x·s_w / s_y) + y_zp, lo, hi)
where [lo, hi] is the fused activation's range (RELU6: 0 and 6 in real terms, as integers
of the output's scale) intersected with the type's range. ONNX QLinearConv computes the
same from the same parameters, so they are copied as they are: the weights stay
uint8/int8 (per tensor, or per output channel), the bias stays int32 (its scale is
s_x·s_w, zero point 0), and every activation keeps its own scale and zero point.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from visualizer.net.checkpoints.tflite_import import TFLiteError, import_tflite, mobilenet_ops
from visualizer.net.checkpoints.tflite_reader import (ACT_RELU6, CONV_2D, DEPTHWISE_CONV_2D, Op,
                                          Reader)
from visualizer.net.checkpoints.weights import NetworkWeights


@dataclass(frozen=True)
class QParams:
    """Scale and zero point of a quantized tensor: scalars, or one per channel."""
    scale: np.ndarray  # float32, shape () or (C,)
    zero_point: np.ndarray  # uint8/int8 (int32 for a bias), same shape as scale

    @property
    def per_channel(self) -> bool:
        return self.scale.ndim == 1


@dataclass(frozen=True)
class QuantLayer:
    name: str  # paper layer name (conv1, dw1, …, pw13, fc)
    #: uint8/int8, ONNX layout (C_out, C_in/groups, k, k); fc: (classes, C_in, 1, 1)
    weight: np.ndarray
    weight_q: QParams
    bias: np.ndarray  # int32 (C_out,): scale s_x·s_w, zero point 0
    input_q: QParams
    output_q: QParams
    #: the fused activation's output range in integers, when narrower than the type's
    clamp: tuple[int, int] | None


@dataclass(frozen=True)
class QuantNetwork:
    weights: NetworkWeights  # the same network dequantized: shapes, strides, pads, input
    layers: tuple[QuantLayer, ...]  # conv1, dw1, pw1, …, dw13, pw13, fc
    pool_input_q: QParams
    pool_output_q: QParams

    @property
    def input_q(self) -> QParams:
        return self.layers[0].input_q


def is_quantized(data: bytes) -> bool:
    """True when the TFLite file's convolutions run on integers (a `_quant` checkpoint)."""
    try:
        reader = Reader(bytes(data))
        ops = mobilenet_ops(reader)
    except Exception:
        return False
    return reader.dtype(ops[0].inputs[1]) in (np.uint8, np.int8)


def import_quantized(data: bytes, source: str = "") -> QuantNetwork:
    """The integer weights and quantization parameters of a quantized MobileNet V1.

    Raises TFLiteError (one line) for a float checkpoint or anything not MobileNet V1.
    """
    weights = import_tflite(data, source)  # checks the graph is MobileNet V1
    try:
        reader = Reader(bytes(data))
        ops = mobilenet_ops(reader)
        if not is_quantized(data):
            raise TFLiteError("this checkpoint holds float weights: int8 needs a quantized "
                              "checkpoint (an official *_quant name or a quantized .tflite)")
        names = [l.name for l in weights.layers]
        layers = tuple(_layer(reader, op, name) for op, name in
                       zip(ops[:27] + [ops[28]], names))
        pool = ops[27]
        return QuantNetwork(weights, layers, _params(reader, pool.inputs[0], pool_of=True),
                            _params(reader, pool.outputs[0], pool_of=True))
    except TFLiteError:
        raise
    except Exception as e:
        raise TFLiteError(f"the quantized TFLite file is damaged ({type(e).__name__})") \
            from None


def _params(reader: Reader, t: int, pool_of: bool = False) -> QParams:
    q = reader.quantization(t)
    dtype = reader.dtype(t)
    if q is None or dtype not in (np.uint8, np.int8, np.int32):
        raise TFLiteError(f"tensor {reader.name(t)!r} is not quantized")
    scale, zp, _ = q
    if scale.size == 1:
        scale, zp = scale.reshape(()), zp.reshape(-1)[:1].reshape(())
    elif zp.size == 1:
        zp = np.full_like(scale, zp.flat[0])
    if np.any(scale <= 0) or not np.all(np.isfinite(scale)):
        raise TFLiteError(f"tensor {reader.name(t)!r} has a non-positive scale")
    return QParams(scale.astype(np.float32), zp.astype(dtype))


def activation_range(q: QParams, relu6: bool) -> tuple[int, int] | None:
    """TFLite's quantized activation range (CalculateActivationRangeQuantized), or None
    when it is the type's whole range."""
    info = np.iinfo(q.zero_point.dtype)
    lo, hi = int(info.min), int(info.max)
    if relu6:
        s, zp = float(q.scale), int(q.zero_point)
        lo = max(lo, zp + _round(0.0 / s))
        hi = min(hi, zp + _round(6.0 / s))
    return None if (lo, hi) == (int(info.min), int(info.max)) else (lo, hi)


def _round(x: float) -> int:
    """Round half away from zero, as TfLiteRound."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _layer(reader: Reader, op: Op, name: str) -> QuantLayer:
    w_t = op.inputs[1]
    values = reader.values(w_t)
    wq = _params(reader, w_t)
    axis = reader.quantization(w_t)[2]
    depthwise = op.code == DEPTHWISE_CONV_2D
    if wq.per_channel and axis != (3 if depthwise else 0):
        raise TFLiteError(f"{name}: per-channel scales along axis {axis}")
    if depthwise:  # [1, H, W, C] -> [C, 1, H, W]
        weight = values.transpose(3, 0, 1, 2)
    elif values.ndim == 4:  # OHWI -> OIHW
        weight = values.transpose(0, 3, 1, 2)
    else:  # FULLY_CONNECTED [classes, C_in] -> 1×1 conv
        weight = values.reshape(values.shape[0], values.shape[1], 1, 1)
    cout = weight.shape[0]
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        bias = reader.values(op.inputs[2]).reshape(-1)
        if bias.dtype != np.int32:
            raise TFLiteError(f"{name}: bias of type {bias.dtype}, expected int32")
    else:
        bias = np.zeros(cout, np.int32)
    xq, yq = _params(reader, op.inputs[0]), _params(reader, op.outputs[0])
    if xq.per_channel or yq.per_channel:
        raise TFLiteError(f"{name}: activations must have one scale per tensor")
    if xq.zero_point.dtype != yq.zero_point.dtype:
        raise TFLiteError(f"{name}: input {xq.zero_point.dtype}, output {yq.zero_point.dtype}")
    options = "DepthwiseConv2DOptions" if depthwise else \
        "Conv2DOptions" if op.code == CONV_2D else "FullyConnectedOptions"
    act = int(reader.options(op, options).FusedActivationFunction())
    return QuantLayer(name, np.ascontiguousarray(weight), wq, np.ascontiguousarray(bias),
                      xq, yq, activation_range(yq, act == ACT_RELU6))


def signed_weights(net: QuantNetwork) -> QuantNetwork:
    """The same network with uint8 weights stored as int8 (w − 128, zero point − 128):
    every (w − zero point) is unchanged, so the results are too, but onnxruntime picks
    its uint8×int8 kernels. graph/int8_kernels.py chooses such formats per CPU family
    (without VNNI those kernels use vpmaddubsw, whose int16 pair sums can saturate)."""
    def shift(layer: QuantLayer) -> QuantLayer:
        if layer.weight.dtype != np.uint8:
            return layer
        w = (layer.weight.astype(np.int16) - 128).astype(np.int8)
        zp = (layer.weight_q.zero_point.astype(np.int16) - 128).astype(np.int8)
        return replace(layer, weight=w, weight_q=QParams(layer.weight_q.scale, zp))

    return replace(net, layers=tuple(shift(l) for l in net.layers))
