"""MobileNet V1 as an ONNX graph whose node names are the paper's layer names.

Graph convention (the runner maps profiled nodes back to layers by the prefix before "/"):
  input "input" float32 [1, 3, R, R], already normalised ((rgb - mean) / std);
  per conv layer a Conv node named like the layer (conv1, dw1, pw1, …, dw13, pw13;
  group = C for depthwise) then Clip(0, 6) named "<layer>/relu6" whose output tensor
  is named like the layer (the feature map after ReLU6);
  GlobalAveragePool "pool"; Flatten "fc/flatten" + Gemm "fc"; Softmax "softmax";
  output "probs" [1, classes].
Model metadata (alpha, resolution, classes, trained, source, input_mean, input_std,
standard_conv) lets a saved .onnx be described again by `describe_onnx` / `load_onnx`.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from visualizer.net.checkpoints.weights import NetworkWeights
from visualizer.net.graph.common import (IR_VERSION, OPSET, PRODUCER, check_weights,
                                         model_metadata, spec_for)
from visualizer.net.model.mobilenet import build_layers


def build_onnx(weights: NetworkWeights) -> onnx.ModelProto:
    """The ONNX model of `weights` (checked by onnx.checker). Raises OnnxModelError."""
    spec = spec_for(weights)
    layers = build_layers(spec)
    check_weights(weights, layers)
    r = weights.resolution
    inits = [numpy_helper.from_array(np.array(0.0, np.float32), "relu6/min"),
             numpy_helper.from_array(np.array(6.0, np.float32), "relu6/max")]
    nodes = []
    x = "input"
    by_name = {l.name: l for l in layers}
    for lw in weights.layers:
        layer = by_name[lw.name]
        w_name, b_name = f"{lw.name}/weight", f"{lw.name}/bias"
        inits.append(numpy_helper.from_array(np.ascontiguousarray(lw.weight, np.float32), w_name))
        inits.append(numpy_helper.from_array(np.ascontiguousarray(lw.bias, np.float32), b_name))
        if lw.type == "fc":
            nodes.append(helper.make_node("Flatten", [x], ["fc/flat"], name="fc/flatten", axis=1))
            out = "logits" if not lw.relu6 else "fc/linear"
            nodes.append(helper.make_node("Gemm", ["fc/flat", w_name, b_name], [out],
                                          name="fc", transB=1))
            if lw.relu6:  # unusual, but honour the flag
                nodes.append(helper.make_node("Clip", [out, "relu6/min", "relu6/max"],
                                              ["logits"], name="fc/relu6"))
            x = "logits"
            continue
        k = layer.kernel
        conv_out = f"{lw.name}/conv" if lw.relu6 else lw.name
        nodes.append(helper.make_node(
            "Conv", [x, w_name, b_name], [conv_out], name=lw.name, kernel_shape=[k, k],
            strides=[lw.stride, lw.stride], pads=list(lw.pads), group=layer.groups,
            dilations=[1, 1]))
        if lw.relu6:
            nodes.append(helper.make_node("Clip", [conv_out, "relu6/min", "relu6/max"],
                                          [lw.name], name=f"{lw.name}/relu6"))
        x = lw.name
        if lw.name == layers[-3].name:  # last conv layer: the pool follows
            nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="pool"))
            x = "pool"
    nodes.append(helper.make_node("Softmax", [x], ["probs"], name="softmax", axis=1))
    graph = helper.make_graph(
        nodes, "mobilenet_v1",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, r, r])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, weights.classes])],
        initializer=inits)
    model = helper.make_model(graph, producer_name=PRODUCER,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    helper.set_model_props(model, model_metadata(weights, spec.standard_conv))
    onnx.checker.check_model(model, full_check=True)
    return model
