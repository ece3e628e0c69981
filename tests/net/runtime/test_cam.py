"""Class activation maps: the runner's map equals a numpy computation from the same last
feature map and FC weights, read independently from the ONNX graph; and the map's mean
plus the class's bias is that class's logit (what makes a CAM exact for MobileNet V1)."""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper
from PIL import Image

from visualizer.net.runtime.cam import (class_activation_map, dequantized, fc_weights,
                                        normalised)
from visualizer.net.models import load_model
from visualizer.net.graph.onnx_files import OnnxModelError, add_features_output
from visualizer.net.runtime.preprocess import preprocess
from visualizer.net.runtime.runner import Runner


def reference(model, frame: np.ndarray, last_layer: str):
    """(features (C, h, w), W (classes, C), b, probs) from a plain session of the graph
    with the last layer's tensor added as an output by hand."""
    proto = onnx.load_from_string(model.onnx_bytes)
    proto.graph.output.append(onnx.helper.make_tensor_value_info(
        last_layer, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    x = preprocess(frame, model.spec.resolution, model.input_mean, model.input_std)
    probs, feats = session.run(["probs", last_layer], {"input": x})
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    return feats[0], inits["fc/weight"], inits["fc/bias"], probs[0]


@pytest.mark.parametrize("source,photo", [("mobilenet_v1_0.25_128_quant", "parrot.jpg"),
                                          ("mobilenet_v1_0.75_192_quant", "cat_720p.jpg")])
def test_runner_cam_equals_numpy_from_the_same_features_and_weights(coral, source, photo):
    model = load_model(str(coral / f"{source}.tflite"),
                       labels_path=coral / "imagenet_labels.txt")
    frame = np.asarray(Image.open(coral / photo).convert("RGB"))
    with Runner(model, 1, per_layer=False, cam=True) as runner:
        result = runner.infer(frame)
    feats, w, b, probs = reference(model, frame, "pw13")
    top = int(np.argmax(probs))
    assert result.top5[0].index == top
    res = model.spec.resolution // 32
    raw = np.einsum("c,chw->hw", w[top].astype(np.float64), feats.astype(np.float64))
    assert raw.shape == (res, res) and result.cam.shape == (res, res)
    want = np.maximum(raw, 0) / np.maximum(raw, 0).max()
    np.testing.assert_allclose(result.cam, want, atol=1e-4)
    assert not result.cam.flags.writeable
    # global average pooling makes the map exact: mean(map) + bias = the class's logit
    logits = w.astype(np.float64) @ feats.mean(axis=(1, 2)) + b
    e = np.exp(logits - logits.max())
    np.testing.assert_allclose(e / e.sum(), probs, atol=1e-5)
    assert raw.mean() + b[top] == pytest.approx(logits[top], rel=1e-5, abs=1e-5)


def test_cam_helpers_and_runner_without_cam():
    model = load_model("untrained:0.25_128")
    proto = onnx.load_from_string(model.onnx_bytes)
    w = fc_weights(proto)
    assert w.shape == (1001, 256)
    with_out, name, dequant = add_features_output(proto)
    assert name == "pw13" and dequant is None and [o.name for o in with_out.graph.output] == ["probs", "pw13"]
    assert [o.name for o in proto.graph.output] == ["probs"]  # the original is untouched
    f = np.random.default_rng(0).standard_normal((1, 256, 4, 4)).astype(np.float32)
    assert class_activation_map(f, w, 7) == pytest.approx(np.tensordot(w[7], f[0], 1))
    assert not normalised(-np.ones((4, 4))).any()
    frame = np.zeros((64, 80, 3), np.uint8)
    with Runner(model, 1, per_layer=False) as runner:
        assert runner.infer(frame).cam is None
    bare = onnx.ModelProto()
    bare.CopyFrom(proto)
    for node in bare.graph.node:
        if node.op_type == "GlobalAveragePool":
            node.op_type = "ReduceMean"
    with pytest.raises(OnnxModelError, match="GlobalAveragePool"):
        add_features_output(bare)


def test_int8_cam_equals_numpy_from_the_dequantized_features_and_weights(coral):
    model = load_model(str(coral / "mobilenet_v1_0.5_160_quant.tflite"),
                       labels_path=coral / "imagenet_labels.txt", precision="int8")
    frame = np.asarray(Image.open(coral / "parrot.jpg").convert("RGB"))
    with Runner(model, 1, per_layer=False, cam=True) as runner:
        result = runner.infer(frame)
    proto = onnx.load_from_string(model.onnx_bytes)
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    zp = inits["pw13/output_zero_point"]
    proto.graph.output.append(onnx.helper.make_tensor_value_info(
        "pw13", onnx.helper.np_dtype_to_tensor_dtype(zp.dtype), None))
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    x = preprocess(frame, 160, model.input_mean, model.input_std)
    probs, q = session.run(["probs", "pw13"], {"input": x})
    feats = (q[0].astype(np.float64) - zp) * inits["pw13/output_scale"]
    w = inits["fc/weight"].reshape(1001, -1).astype(np.float64)
    w = (w - inits["fc/weight_zero_point"].reshape(-1, 1)) * \
        inits["fc/weight_scale"].reshape(-1, 1)
    top = int(np.argmax(probs[0]))
    assert result.top5[0].index == top and result.top5[0].label == "macaw"
    raw = np.einsum("c,chw->hw", w[top], feats)
    want = np.maximum(raw, 0) / np.maximum(raw, 0).max()
    assert result.cam.shape == (5, 5)
    np.testing.assert_allclose(result.cam, want, atol=1e-4)


def test_int8_features_are_dequantized_with_their_zero_point():
    """(q − zero point) · scale: a map computed without the zero point would be shifted
    by zero point · scale everywhere, and a CAM from it differs."""
    q = np.array([[[10, 30], [50, 70]]], np.uint8)  # (C=1, 2, 2)
    got = dequantized(q, (np.float32(0.5), np.uint8(10)))
    np.testing.assert_array_equal(got, np.array([[[0, 10], [20, 30]]], np.float32))
    weights = np.array([[2.0]], np.float32)
    assert class_activation_map(got, weights, 0)[0, 0] == 0.0
