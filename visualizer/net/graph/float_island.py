"""An exact float island: one quantized convolution computed by onnxruntime's float
kernels on the same integers, for layers where its integer kernel is slow.

onnxruntime's QLinearConv computes acc = Σ (x − x_zp)(w − w_zp) + bias in int32, then
y = clamp(round_half_even(float(acc) · M) + y_zp) with M = float32(x_scale · w_scale) /
y_scale (float32 arithmetic, per output channel when the weights are per channel). The
island computes the same in float32:

  DequantizeLinear "<layer>/to_float"  (scale 1, the input's zero point): x − x_zp
  Conv "<layer>"                       weights w − w_zp and the bias, as floats
  Clip "<layer>/keep"                  ±2^24: never active; it keeps onnxruntime from
                                       folding the Mul below into the Conv's weights
  Mul "<layer>/requantize_scale"       · M per output channel
  QuantizeLinear "<layer>/requantize"  (scale 1, the output's zero point): round half
                                       to even, saturate

Every product and partial sum is an integer of magnitude < 2^24 (island_exact checks the
bound from the weights, the bias and the input type's range), so float32 holds each
exactly whatever the kernel's order of additions; float(acc)·M is the same single
float32 multiplication, and QuantizeLinear with scale 1 rounds and saturates as the
integer kernel's requantization does. The outputs are therefore the integer kernel's,
bit for bit (tests check it on photos). Whether an island is faster than the integer
kernel, despite its layout conversions (NHWC integers to NCHWc floats and back), is
measured (analysis/precision_choice.py), never assumed.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from visualizer.net.checkpoints.tflite_quant import QuantLayer
from visualizer.net.graph.int8_kernels import centred

#: float32 represents every integer of smaller magnitude exactly
EXACT_LIMIT = 1 << 24


def requantize_multiplier(layer: QuantLayer) -> np.ndarray:
    """M per output channel, computed as onnxruntime computes it (float32)."""
    sx, sy = np.float32(layer.input_q.scale), np.float32(layer.output_q.scale)
    m = (sx * layer.weight_q.scale.astype(np.float32)) / sy
    return np.broadcast_to(np.asarray(m, np.float32), (layer.weight.shape[0],)).copy()


def accumulator_bound(layer: QuantLayer) -> int:
    """The largest |partial sum| the layer's convolution can reach (any input)."""
    info = np.iinfo(layer.input_q.zero_point.dtype)
    zp = int(layer.input_q.zero_point)
    x_max = max(abs(int(info.min) - zp), abs(int(info.max) - zp))
    w = np.abs(centred(layer)).reshape(layer.weight.shape[0], -1).sum(axis=1).astype(np.int64)
    return int((w * x_max + np.abs(layer.bias.astype(np.int64))).max(initial=0))


def island_exact(layer: QuantLayer) -> bool:
    """True when float32 computes the layer's integer sums exactly."""
    return accumulator_bound(layer) < EXACT_LIMIT


def island_nodes(layer: QuantLayer, x: str, out: str, conv_attrs: dict
                 ) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """The island's nodes (input tensor `x`, output tensor `out`) and initializers.
    Raises ValueError when float32 would not compute the layer exactly."""
    if not island_exact(layer):
        raise ValueError(f"{layer.name}: its sums can reach {accumulator_bound(layer)}, "
                         f"beyond float32's exact integers (2^24)")
    p = layer.name
    cout = layer.weight.shape[0]
    inits = [
        numpy_helper.from_array(np.array(1.0, np.float32), f"{p}/unit_scale"),
        numpy_helper.from_array(np.asarray(layer.input_q.zero_point), f"{p}/input_zero_point"),
        numpy_helper.from_array(centred(layer).astype(np.float32), f"{p}/weight"),
        numpy_helper.from_array(layer.bias.astype(np.float32), f"{p}/bias"),
        numpy_helper.from_array(np.array(-EXACT_LIMIT, np.float32), f"{p}/keep_min"),
        numpy_helper.from_array(np.array(EXACT_LIMIT, np.float32), f"{p}/keep_max"),
        numpy_helper.from_array(requantize_multiplier(layer).reshape(1, cout, 1, 1),
                                f"{p}/multiplier"),
        numpy_helper.from_array(np.asarray(layer.output_q.zero_point), f"{p}/output_zero_point"),
        # what the integers stand for (feature maps read it; the nodes do not)
        numpy_helper.from_array(np.asarray(layer.output_q.scale, np.float32),
                                f"{p}/output_scale"),
    ]
    nodes = [
        helper.make_node("DequantizeLinear", [x, f"{p}/unit_scale", f"{p}/input_zero_point"],
                         [f"{p}/centred"], name=f"{p}/to_float"),
        helper.make_node("Conv", [f"{p}/centred", f"{p}/weight", f"{p}/bias"], [f"{p}/acc"],
                         name=p, **conv_attrs),
        helper.make_node("Clip", [f"{p}/acc", f"{p}/keep_min", f"{p}/keep_max"],
                         [f"{p}/acc_kept"], name=f"{p}/keep"),
        helper.make_node("Mul", [f"{p}/acc_kept", f"{p}/multiplier"], [f"{p}/scaled"],
                         name=f"{p}/requantize_scale"),
        helper.make_node("QuantizeLinear", [f"{p}/scaled", f"{p}/unit_scale",
                                            f"{p}/output_zero_point"], [out],
                         name=f"{p}/requantize"),
    ]
    return nodes, inits


def exact_layers(model: onnx.ModelProto) -> tuple[str, ...]:
    """The QLinearConv layers of an int8 graph (onnx_int8.py) that an island computes
    exactly, read from the graph's own integers."""
    from visualizer.net.checkpoints.tflite_quant import QParams

    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    out = []
    for n in model.graph.node:
        if n.op_type != "QLinearConv" or len(n.input) < 9 or n.input[3] not in inits:
            continue
        x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, b = (inits.get(i) for i in n.input[1:9])
        layer = QuantLayer(n.name, w, QParams(w_scale, w_zp), b, QParams(x_scale, x_zp),
                           QParams(y_scale, y_zp), None)
        if island_exact(layer):
            out.append(n.name)
    return tuple(out)
