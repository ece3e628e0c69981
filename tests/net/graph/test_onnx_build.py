"""The ONNX builder and untrained weights against numpy, onnxruntime and ONNX shape inference."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visualizer.conv import reference
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.graph.onnx_files import OnnxModelError, describe_onnx, load_onnx, spec_of
from visualizer.net.graph.onnx_float import build_onnx
from visualizer.net.checkpoints.untrained import untrained_weights


def session(model: onnx.ModelProto, extra_outputs: list[str] = ()) -> ort.InferenceSession:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for name in extra_outputs:
        m.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT,
                                                                 None))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def tf_same(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """Zero-pad (C, H, W) as TensorFlow "SAME" does: the odd pixel goes bottom/right."""
    pads = []
    for size in x.shape[1:]:
        total = max((math.ceil(size / stride) - 1) * stride + k - size, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, ((0, 0), *pads))


#: Stride-2 layers of Table 1 (and of its all-standard "Conv MobileNet" variant).
STRIDE2 = {"conv1", "dw2", "dw4", "dw6", "dw12", "conv3", "conv5", "conv7", "conv13"}


def numpy_forward(weights, x: np.ndarray) -> dict[str, np.ndarray]:
    """MobileNet V1 by hand with the numpy reference convolutions (float64)."""
    out = {}
    a = x[0].astype(np.float64)
    for lw in weights.layers:
        if lw.type == "fc":
            pooled = a.mean(axis=(1, 2))
            out["pool"] = pooled
            logits = lw.weight.astype(np.float64) @ pooled + lw.bias
            out["logits"] = logits
            e = np.exp(logits - logits.max())
            out["probs"] = e / e.sum()
            break
        k = lw.weight.shape[-1]
        stride = 2 if lw.name in STRIDE2 else 1
        groups = a.shape[0] if lw.type == "depthwise" else 1
        y = reference.conv2d(tf_same(a, k, stride), lw.weight, stride=stride, groups=groups)
        a = np.clip(y + lw.bias[:, None, None], 0.0, 6.0)
        out[lw.name] = a
    return out


@pytest.mark.parametrize("alpha,res,seed", [(0.25, 64, 0), (0.5, 96, 3)])
def test_onnxruntime_matches_numpy_forward(alpha, res, seed):
    weights = untrained_weights(NetSpec(alpha, res), classes=37, seed=seed)
    model = build_onnx(weights)
    x = np.random.default_rng(seed + 1).uniform(-1, 1, (1, 3, res, res)).astype(np.float32)
    names = ["conv1", "dw2", "pw6", "dw12", "pw13", "pool", "logits"]
    got = dict(zip(["probs"] + names, session(model, names).run(None, {"input": x})))
    want = numpy_forward(weights, x)
    for name in ["conv1", "dw2", "pw6", "dw12", "pw13"]:
        np.testing.assert_allclose(got[name][0], want[name], rtol=1e-4, atol=1e-4, err_msg=name)
        assert 0 < (got[name] > 0).mean() < 1, f"{name}: activations dead or all positive"
    np.testing.assert_allclose(got["pool"].ravel(), want["pool"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got["logits"][0], want["logits"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got["probs"][0], want["probs"], rtol=1e-4, atol=1e-7)
    assert got["probs"].shape == (1, 37)


def test_standard_conv_variant_runs():
    weights = untrained_weights(NetSpec(0.25, 64, standard_conv=True), classes=10)
    model = build_onnx(weights)
    x = np.random.default_rng(5).uniform(-1, 1, (1, 3, 64, 64)).astype(np.float32)
    got = session(model, ["conv7", "conv14"]).run(None, {"input": x})
    want = numpy_forward(weights, x)
    assert got[2].shape == (1, 256, 2, 2)
    np.testing.assert_allclose(got[1][0], want["conv7"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[2][0], want["conv14"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[0][0], want["probs"], rtol=1e-4, atol=1e-7)
    assert describe_onnx(model)["standard_conv"] is True


def test_node_names_follow_paper_layers():
    spec = NetSpec(0.25, 64)
    model = build_onnx(untrained_weights(spec, classes=1001))
    nodes = {n.name: n for n in model.graph.node}
    assert len(nodes) == len(model.graph.node)  # names are unique
    inits = {t.name: t for t in model.graph.initializer}
    for layer in spec.layers:
        node = nodes[layer.name]
        if layer.type in ("conv", "depthwise", "pointwise"):
            assert node.op_type == "Conv"
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            assert attrs["group"] == (layer.input_shape[2] if layer.type == "depthwise" else 1)
            assert attrs["strides"] == [layer.stride] * 2
            assert tuple(inits[node.input[1]].dims)[-1] == layer.kernel
            relu = nodes[f"{layer.name}/relu6"]
            assert relu.op_type == "Clip" and relu.input[0] == node.output[0]
    assert nodes["pool"].op_type == "GlobalAveragePool"
    assert nodes["fc"].op_type == "Gemm" and nodes["softmax"].op_type == "Softmax"
    paper = {l.name for l in spec.layers} | {"softmax"}
    assert {n.name.split("/")[0] for n in model.graph.node} == paper
    assert [i.name for i in model.graph.input] == ["input"]
    assert [o.name for o in model.graph.output] == ["probs"]


def test_tf_same_pads():
    weights = untrained_weights(NetSpec(1.0, 224))
    by = {l.name: l for l in weights.layers}
    assert by["conv1"].pads == (0, 0, 1, 1) and by["dw2"].pads == (0, 0, 1, 1)
    assert by["dw1"].pads == (1, 1, 1, 1) and by["dw13"].pads == (1, 1, 1, 1)
    assert all(by[f"pw{i}"].pads == (0, 0, 0, 0) for i in range(1, 14))


@settings(max_examples=12, deadline=None)
@given(alpha=st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.6, 0.75]),
       res=st.integers(1, 8).map(lambda k: 32 * k), classes=st.integers(1, 300),
       standard=st.booleans())
def test_shape_inference_matches_spec(alpha, res, classes, standard):
    spec = NetSpec(alpha, res, classes, standard)
    model = build_onnx(untrained_weights(spec, classes=classes))
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    shapes = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
              for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    inits = {t.name: tuple(t.dims) for t in model.graph.initializer}
    nodes = {n.name: n for n in model.graph.node}
    for layer in spec.layers[:-1]:
        n, c, h, w = shapes[layer.name]
        assert (h, w, c) == layer.output_shape, layer.name
        if layer.name != "pool":  # mult-adds from ONNX: output cells × weight size
            assert h * w * math.prod(inits[nodes[layer.name].input[1]]) == layer.macs
    assert shapes["probs"] == (1, classes)
    fc_w = inits[nodes["fc"].input[1]]
    assert math.prod(fc_w) == spec.layers[-1].macs == spec.layers[-1].params


def test_untrained_is_deterministic():
    a = untrained_weights(NetSpec(0.25, 64), seed=7)
    b = untrained_weights(NetSpec(0.25, 64), seed=7)
    c = untrained_weights(NetSpec(0.25, 64), seed=8)
    assert all(np.array_equal(x.weight, y.weight) for x, y in zip(a.layers, b.layers))
    assert not np.array_equal(a.layers[3].weight, c.layers[3].weight)
    assert a.trained is False and a.source == "untrained" and a.classes == 1001
    assert all(l.weight.dtype == np.float32 for l in a.layers)


def test_metadata_roundtrip(tmp_path):
    weights = replace(untrained_weights(NetSpec(0.75, 128), classes=12),
                      input_mean=128.0, input_std=128.0)
    path = tmp_path / "m.onnx"
    onnx.save(build_onnx(weights), str(path))
    _, info = load_onnx(path)
    assert info == {"alpha": 0.75, "resolution": 128, "classes": 12, "trained": False,
                    "source": "untrained", "input_mean": 128.0, "input_std": 128.0,
                    "standard_conv": False, "precision": "float"}
    assert spec_of(info) == NetSpec(0.75, 128, 12)


def test_describe_without_metadata_infers_from_graph():
    model = build_onnx(untrained_weights(NetSpec(0.5, 96), classes=5))
    del model.metadata_props[:]
    info = describe_onnx(model)
    assert (info["alpha"], info["resolution"], info["classes"]) == (0.5, 96, 5)


def test_load_onnx_rejects_bad_files(tmp_path):
    with pytest.raises(OnnxModelError, match="not found"):
        load_onnx(tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00not an onnx model at all\xff" * 10)
    with pytest.raises(OnnxModelError, match="not a valid ONNX"):
        load_onnx(junk)
    # A valid ONNX graph that is not a MobileNet.
    g = onnx.helper.make_graph(
        [onnx.helper.make_node("Relu", ["input"], ["probs"], name="relu")], "g",
        [onnx.helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 3, 64, 64])],
        [onnx.helper.make_tensor_value_info("probs", onnx.TensorProto.FLOAT, [1, 3, 64, 64])])
    other = tmp_path / "relu.onnx"
    onnx.save(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 17)]),
              str(other))
    with pytest.raises(OnnxModelError, match="output shape"):
        load_onnx(other)


def test_describe_rejects_renamed_or_reshaped_layers():
    model = build_onnx(untrained_weights(NetSpec(0.25, 64), classes=4))
    broken = onnx.ModelProto()
    broken.CopyFrom(model)
    next(n for n in broken.graph.node if n.name == "dw3").name = "layer7"
    with pytest.raises(OnnxModelError, match="dw3"):
        describe_onnx(broken)
    broken.CopyFrom(model)
    next(p for p in broken.metadata_props if p.key == "alpha").value = "0.5"
    with pytest.raises(OnnxModelError, match="weight shape"):
        describe_onnx(broken)


def test_build_rejects_mismatched_weights():
    weights = untrained_weights(NetSpec(0.25, 64), classes=4)
    with pytest.raises(OnnxModelError, match="conv1"):
        build_onnx(replace(weights, alpha=0.5))
    with pytest.raises(OnnxModelError, match="layers"):
        build_onnx(replace(weights, layers=weights.layers[:-1]))
