"""The numpy reference convolutions against onnxruntime's Conv and against plain loops."""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from conv_strategies import brute_conv, layer_specs
from visualizer.conv import reference


def _conv_model(x_shape, weights, stride, padding, groups, pointwise=None):
    """Conv (optionally followed by a 1×1 Conv) built with onnx.helper, opset 13."""
    k = weights.shape[-1]
    inits = [numpy_helper.from_array(weights.astype(np.float32), "W")]
    nodes = [helper.make_node("Conv", ["x", "W"], ["y"], kernel_shape=[k, k],
                              strides=[stride, stride], pads=[padding] * 4, group=groups)]
    out = "y"
    if pointwise is not None:
        inits.append(numpy_helper.from_array(pointwise.astype(np.float32), "P"))
        nodes.append(helper.make_node("Conv", ["y", "P"], ["z"], kernel_shape=[1, 1]))
        out = "z"
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, *x_shape])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, None, None, None])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def _run(model, x):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x[None].astype(np.float32)})[0][0]


def _tensors(spec, seed):
    """float32-representable random input and weights (so both sides see equal numbers)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((spec.channels, spec.height, spec.width)).astype(np.float32)
    w = rng.standard_normal((spec.filters, spec.channels_per_group, spec.kernel,
                             spec.kernel)).astype(np.float32)
    return x.astype(np.float64), w.astype(np.float64)


@settings(max_examples=40, deadline=None)
@given(layer_specs(max_side=10, max_channels=6), st.integers(0, 2**32 - 1))
def test_conv2d_equals_onnxruntime_for_any_groups(spec, seed):
    x, w = _tensors(spec, seed)
    ours = reference.conv2d(x, w, spec.stride, spec.padding, spec.groups)
    theirs = _run(_conv_model(x.shape, w, spec.stride, spec.padding, spec.groups), x)
    assert ours.shape == theirs.shape == (spec.filters, spec.out_height, spec.out_width)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("c, h, w, k, n, stride, padding, groups", [
    (3, 5, 5, 3, 16, 1, 0, 1),    # the classic example, group = 1
    (8, 9, 7, 3, 8, 2, 1, 8),     # depthwise: group = C_in, strided, padded, non-square
    (6, 8, 11, 5, 9, 3, 2, 3),    # grouped, 5×5, stride 3
    (4, 6, 6, 1, 10, 2, 0, 2),    # grouped 1×1 with stride
    (32, 14, 14, 3, 32, 1, 1, 32),  # a MobileNet-like depthwise layer
])
def test_conv2d_equals_onnxruntime_on_chosen_layers(c, h, w, k, n, stride, padding, groups):
    rng = np.random.default_rng(c * 1000 + h)
    x = rng.uniform(-2, 2, (c, h, w)).astype(np.float32).astype(np.float64)
    wt = rng.uniform(-1, 1, (n, c // groups, k, k)).astype(np.float32).astype(np.float64)
    ours = reference.conv2d(x, wt, stride, padding, groups)
    theirs = _run(_conv_model(x.shape, wt, stride, padding, groups), x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    if groups == c and n == c:
        np.testing.assert_allclose(reference.depthwise(x, wt, stride, padding), theirs,
                                   rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("c, h, w, k, n, stride, padding", [
    (3, 5, 5, 3, 16, 1, 0), (5, 8, 6, 3, 7, 2, 1), (4, 7, 7, 5, 2, 1, 2)])
def test_separable_equals_onnxruntime_depthwise_then_pointwise(c, h, w, k, n, stride, padding):
    rng = np.random.default_rng(n)
    x = rng.uniform(-2, 2, (c, h, w)).astype(np.float32).astype(np.float64)
    dw = rng.uniform(-1, 1, (c, 1, k, k)).astype(np.float32).astype(np.float64)
    pw = rng.uniform(-1, 1, (n, c, 1, 1)).astype(np.float32).astype(np.float64)
    ours = reference.separable(x, dw, pw, stride, padding)
    theirs = _run(_conv_model(x.shape, dw, stride, padding, c, pointwise=pw), x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    mid = reference.depthwise(x, dw, stride, padding)
    np.testing.assert_allclose(reference.pointwise(mid, pw), ours, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(layer_specs(max_side=7), st.integers(0, 2**32 - 1))
def test_conv2d_equals_plain_loops(spec, seed):
    x, w = _tensors(spec, seed)
    np.testing.assert_allclose(
        reference.conv2d(x, w, spec.stride, spec.padding, spec.groups),
        brute_conv(x, w, spec.stride, spec.padding, spec.groups), rtol=1e-10, atol=1e-10)


def test_conv2d_rejects_weights_that_do_not_fit():
    x = np.zeros((4, 5, 5))
    with pytest.raises(ValueError, match="do not fit"):
        reference.conv2d(x, np.zeros((6, 3, 3, 3)))  # 3 channels per filter, input has 4
    with pytest.raises(ValueError, match="do not fit"):
        reference.conv2d(x, np.zeros((6, 2, 3, 3)), groups=4)  # 4 groups need 1 channel
    with pytest.raises(ValueError, match="do not fit"):
        reference.conv2d(x, np.zeros((5, 1, 3, 3)), groups=4)  # 5 filters in 4 groups
