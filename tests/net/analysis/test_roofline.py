"""Bytes, intensity and achieved speed per layer against an independent count taken from
the ONNX graph itself (shape inference and initializer sizes), for several α/resolutions."""
from __future__ import annotations

import math

import numpy as np
import onnx
import pytest

from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.graph.onnx_float import build_onnx
from visualizer.net.model.rates import gmacs_per_s
from visualizer.net.analysis.roofline import (attainable, layer_traffic, ridge,
                                     roofline_points, type_ranges)
from visualizer.net.checkpoints.untrained import untrained_weights


def graph_counts(spec: NetSpec, size: int) -> dict[str, tuple[int, int]]:
    """{paper layer: (bytes, mult-adds)} counted from the ONNX graph of `spec`: the
    node's input and output tensors (shape inference) and its initializers, `size` bytes
    per element (biases 4)."""
    model = onnx.shape_inference.infer_shapes(build_onnx(untrained_weights(spec)))
    g = model.graph
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.value_info) + list(g.input) + list(g.output)}
    inits = {t.name: list(t.dims) for t in g.initializer}
    out = {}
    for node in g.node:
        if node.op_type not in ("Conv", "Gemm", "GlobalAveragePool"):
            continue
        x, y = shapes[node.input[0]], shapes[node.output[0]]
        weights = [inits[n] for n in node.input[1:]]
        w_bytes = sum(math.prod(d) * (size if len(d) > 1 else 4) for d in weights)
        if node.op_type == "Conv":
            w = weights[0]  # (C_out, C_in/groups, k, k)
            macs = math.prod(y) * math.prod(w[1:])
        elif node.op_type == "Gemm":
            macs = math.prod(weights[0])
        else:
            macs = 0
        out[node.name] = ((math.prod(x) + math.prod(y)) * size + w_bytes, macs)
    return out


@pytest.mark.parametrize("alpha,resolution", [(1.0, 224), (0.5, 160), (0.25, 128),
                                              (0.75, 96), (0.35, 64)])
@pytest.mark.parametrize("dtype,size", [("float32", 4), ("int8", 1)])
def test_bytes_and_intensity_equal_the_graph_count(alpha, resolution, dtype, size):
    spec = NetSpec(alpha, resolution, 1001)
    counted = graph_counts(spec, size)
    assert set(counted) == {l.name for l in spec.layers}
    for layer in spec.layers:
        t = layer_traffic(layer, dtype)
        want_bytes, want_macs = counted[layer.name]
        assert (t.bytes, t.macs) == (want_bytes, want_macs), layer.name
        assert t.intensity == pytest.approx(want_macs / want_bytes)


def test_mobilenet_1_0_224_intensities_match_the_published_ranges():
    """Depthwise ≈ 0.5-1 MAC/byte, pointwise 5-28, FC ≈ 0.25 in float32 (issue figures)."""
    ranges = type_ranges(roofline_points(NetSpec(1.0, 224, 1001).layers, {}))
    assert 0.4 < ranges["depthwise"].low and ranges["depthwise"].high < 1.2
    assert 5 < ranges["pointwise"].low and ranges["pointwise"].high < 28
    assert ranges["fc"].low == pytest.approx(0.25, abs=0.01)
    assert ranges["depthwise"].high < ranges["pointwise"].low
    assert "pool" not in ranges  # no mult-adds: no point


def test_int8_moves_a_quarter_of_the_activation_bytes():
    layer = NetSpec().layers[3]  # dw2
    f, q = layer_traffic(layer, "float32"), layer_traffic(layer, "int8")
    assert (q.input_bytes * 4, q.output_bytes * 4) == (f.input_bytes, f.output_bytes)
    assert q.intensity > 3 * f.intensity
    with pytest.raises(ValueError, match="unknown dtype"):
        layer_traffic(layer, "int4")


def test_points_carry_the_achieved_speed_of_the_measured_time():
    layers = NetSpec(0.5, 128, 1001).layers
    ms = {l.name: 0.1 * (i + 1) for i, l in enumerate(layers)}
    del ms["dw3"]
    points = {p.name: p for p in roofline_points(layers, ms)}
    for l in layers:
        if l.macs == 0:
            assert l.name not in points
        elif l.name == "dw3":
            assert points[l.name].gmacs_per_s is None
        else:
            assert points[l.name].gmacs_per_s == pytest.approx(l.macs / (ms[l.name] * 1e6))
    assert gmacs_per_s(10, 0.0) is None and gmacs_per_s(10, float("nan")) is None


def test_roofline_is_the_lower_of_the_two_roofs():
    assert attainable(0.5, 100.0, 40.0) == 20.0
    assert attainable(10.0, 100.0, 40.0) == 100.0
    assert ridge(100.0, 40.0) == 2.5
    xs = np.logspace(-2, 3, 50)
    ys = [attainable(x, 100.0, 40.0) for x in xs]
    assert all(b >= a for a, b in zip(ys, ys[1:])) and max(ys) == 100.0


def test_int8_bytes_equal_the_real_int8_graphs_tensors(coral):
    """Each QLinearConv of the int8 graph built from a real quantized checkpoint: its
    input and output tensors and weights in their own element types (shape inference),
    biases int32: the bytes the int8 roofline counts."""
    from visualizer.net.models import load_model

    for name in ("mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant"):
        model = load_model(str(coral / f"{name}.tflite"), precision="int8")
        proto = onnx.shape_inference.infer_shapes(onnx.load_from_string(model.onnx_bytes))
        g = proto.graph
        values = {v.name: v.type.tensor_type for v in
                  list(g.value_info) + list(g.input) + list(g.output)}
        inits = {t.name: t for t in g.initializer}

        def size(elem: int) -> int:
            return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem)).itemsize

        pools = {n.output[0]: n.input[0] for n in g.node
                 if n.op_type == "QLinearGlobalAveragePool"}

        def tensor_bytes(name: str) -> int:
            if name in inits:
                t = inits[name]
                return math.prod(t.dims) * size(t.data_type)
            if name in pools:  # a com.microsoft op: no shape inference; (1, C, 1, 1)
                t = values[pools[name]]
                return t.shape.dim[1].dim_value * size(t.elem_type)
            t = values[name]
            return math.prod(d.dim_value for d in t.shape.dim) * size(t.elem_type)

        counted = {}
        for node in g.node:
            if node.op_type == "QLinearConv":  # x, x_s, x_z, w, w_s, w_z, y_s, y_z, bias
                if node.output[0] in values:
                    out = tensor_bytes(node.output[0])
                else:  # after the pool (no shape inference): (1, C_out, 1, 1)
                    out = inits[node.input[3]].dims[0] * size(inits[node.input[7]].data_type)
                counted[node.name] = sum(tensor_bytes(node.input[i]) for i in (0, 3, 8)) + out
        layers = [l for l in model.spec.layers if l.macs]
        assert set(counted) == {l.name for l in layers}
        for layer in layers:
            assert layer_traffic(layer, "int8").bytes == counted[layer.name], layer.name
