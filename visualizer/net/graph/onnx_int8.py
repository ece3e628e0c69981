"""A quantized MobileNet V1 as an int8 ONNX graph that onnxruntime runs on integer kernels.

Same interface and naming as the float graph (onnx_build.py), so the runner, the
profiler attribution and the views work unchanged:
  input "input" float32 [1, 3, R, R], normalised as the float graph's;
  QuantizeLinear "input/quantize" with the checkpoint's input scale and zero point;
  per conv layer a QLinearConv named like the layer (conv1, dw1, …, pw13) holding the
  checkpoint's integer weights, int32 bias and scales/zero points, whose output tensor
  is named like the layer; when the fused RELU6 is narrower than the output type's
  range, an integer Clip "<layer>/relu6" (TFLite's quantized activation range);
  a layer named in `islands` is an exact float island instead (float_island.py: a float
  Conv named like the layer between DequantizeLinear and QuantizeLinear, same outputs);
  QLinearGlobalAveragePool "pool" (onnxruntime's com.microsoft domain);
  the classifier as a 1×1 QLinearConv "fc", DequantizeLinear "fc/dequantize",
  Flatten "fc/flatten"; float Softmax "softmax"; output "probs" [1, classes].
Metadata as the float graph's, with precision "int8", the integer formats
("int8_formats", int8_kernels.formats_summary) and the float islands ("float_islands",
comma-separated layer names).
"""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from visualizer.net.model.mobilenet import build_layers
from visualizer.net.graph.common import (IR_VERSION, OPSET, PRODUCER, OnnxModelError,
                                         check_weights, model_metadata, spec_for)
from visualizer.net.graph.float_island import island_nodes
from visualizer.net.graph.int8_kernels import formats_summary
from visualizer.net.checkpoints.tflite_quant import QParams, QuantNetwork

MS_DOMAIN = "com.microsoft"


def build_int8_onnx(net: QuantNetwork, islands: Collection[str] = ()) -> onnx.ModelProto:
    """The int8 ONNX model of `net` (checked by onnx.checker), with the layers named in
    `islands` as exact float islands. Raises OnnxModelError (also for an island that is
    not a convolution of `net` or whose sums float32 cannot hold exactly)."""
    weights = net.weights
    unknown = set(islands) - {l.name for l in net.layers if l.name != "fc"}
    if unknown:
        raise OnnxModelError(f"no convolution layer {sorted(unknown)[0]!r} for a float island")
    spec = spec_for(weights)
    layers = build_layers(spec)
    check_weights(weights, layers)
    by_name = {l.name: l for l in layers}
    inits: list[onnx.TensorProto] = []

    def params(prefix: str, q: QParams) -> list[str]:
        names = [f"{prefix}_scale", f"{prefix}_zero_point"]
        inits.append(numpy_helper.from_array(np.asarray(q.scale, np.float32), names[0]))
        inits.append(numpy_helper.from_array(np.asarray(q.zero_point), names[1]))
        return names

    nodes = [helper.make_node("QuantizeLinear", ["input"] + params("input", net.input_q),
                              ["input/q"], name="input/quantize")]
    x = "input/q"
    for ql, lw in zip(net.layers, weights.layers):
        layer = by_name[ql.name]
        k = layer.kernel if lw.type != "fc" else 1
        out = ql.name if ql.clamp is None else f"{ql.name}/conv"
        attrs = dict(kernel_shape=[k, k], strides=[lw.stride, lw.stride], pads=list(lw.pads),
                     group=layer.groups if lw.type != "fc" else 1, dilations=[1, 1])
        if ql.name in islands:
            try:
                island, island_inits = island_nodes(ql, x, out, attrs)
            except ValueError as e:
                raise OnnxModelError(str(e)) from None
            nodes += island
            inits += island_inits
        else:
            w_name, b_name = f"{ql.name}/weight", f"{ql.name}/bias"
            inits.append(numpy_helper.from_array(ql.weight, w_name))
            inits.append(numpy_helper.from_array(ql.bias.astype(np.int32), b_name))
            inputs = [x, *params(f"{ql.name}/input", ql.input_q), w_name,
                      *params(f"{ql.name}/weight", ql.weight_q),
                      *params(f"{ql.name}/output", ql.output_q), b_name]
            nodes.append(helper.make_node("QLinearConv", inputs, [out], name=ql.name, **attrs))
        if ql.clamp is not None:
            dtype = ql.output_q.zero_point.dtype
            lo, hi = f"{ql.name}/clamp_min", f"{ql.name}/clamp_max"
            inits.append(numpy_helper.from_array(np.array(ql.clamp[0], dtype), lo))
            inits.append(numpy_helper.from_array(np.array(ql.clamp[1], dtype), hi))
            nodes.append(helper.make_node("Clip", [out, lo, hi], [ql.name],
                                          name=f"{ql.name}/relu6"))
        x = ql.name
        if ql.name == layers[-3].name:  # last conv layer: the pool follows
            nodes.append(helper.make_node(
                "QLinearGlobalAveragePool",
                [x, *params("pool/input", net.pool_input_q),
                 *params("pool/output", net.pool_output_q)],
                ["pool"], name="pool", domain=MS_DOMAIN, channels_last=0))
            x = "pool"
    fc = net.layers[-1]
    nodes.append(helper.make_node("DequantizeLinear", [x, *params("fc/logits", fc.output_q)],
                                  ["fc/logits"], name="fc/dequantize"))
    nodes.append(helper.make_node("Flatten", ["fc/logits"], ["logits"], name="fc/flatten",
                                  axis=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1))
    r = weights.resolution
    graph = helper.make_graph(
        nodes, "mobilenet_v1_int8",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, r, r])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, weights.classes])],
        initializer=inits)
    model = helper.make_model(graph, producer_name=PRODUCER, opset_imports=[
        helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)])
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {
        **model_metadata(weights, spec.standard_conv, "int8"),
        "int8_formats": formats_summary(net),
        "float_islands": ",".join(l.name for l in net.layers if l.name in islands)})
    onnx.checker.check_model(model, full_check=True)
    return model
