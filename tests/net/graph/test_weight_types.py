"""Which int8 compute roof a graph runs under: its QLinearConv weights' type."""
from __future__ import annotations

from visualizer.net.checkpoints.tflite_quant import import_quantized, signed_weights
from visualizer.net.graph.onnx_files import signed_int8_weights
from visualizer.net.graph.onnx_int8 import build_int8_onnx
from visualizer.net.models import load_model


def test_uint8_and_int8_weights_and_a_float_graph(coral):
    net = import_quantized((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    assert not signed_int8_weights(build_int8_onnx(net).SerializeToString())
    assert signed_int8_weights(build_int8_onnx(signed_weights(net)).SerializeToString())
    assert not signed_int8_weights(load_model("untrained:0.25_128").onnx_bytes)
