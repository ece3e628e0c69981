"""The TFLite importer, checked against LiteRT running the original files.

Both sides get the same image: central square crop + bilinear resize with Pillow; LiteRT
takes it as uint8 (or int8 / float, as the file wants), onnxruntime as
(x − mean)/std NCHW float from the imported graph.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import _tflite_files as tf
from litert_agreement import CHECKPOINTS, compare
from visualizer.net.checkpoints.tflite_import import TFLiteError, import_tflite

@pytest.mark.parametrize("name,alpha,res,need", CHECKPOINTS)
def test_official_quantized_agrees_with_litert(coral, litert, name, alpha, res, need):
    data = (coral / f"{name}.tflite").read_bytes()
    agree, worst, n = compare(data, coral, litert)
    print(f"{name}: top-1 equal on {agree}/{n} photos, largest softmax difference {worst:.4f}")
    assert agree >= need
    # uint8 activations in LiteRT vs float here: close, not identical
    assert worst < 0.25


@pytest.mark.parametrize("name,alpha,res,need", CHECKPOINTS)
def test_shape_read_from_the_file(coral, name, alpha, res, need):
    w = import_tflite((coral / f"{name}.tflite").read_bytes(), source=name)
    assert (w.alpha, w.resolution, w.classes) == (alpha, res, 1001)
    assert [l.name for l in w.layers] == ["conv1"] + [
        f"{p}{i}" for i in range(1, 14) for p in ("dw", "pw")] + ["fc"]
    assert (w.input_mean, w.input_std) == (128.0, 128.0)  # input scale 1/128, zero point 128
    assert w.trained and w.source == name
    by = {l.name: l for l in w.layers}
    assert by["conv1"].weight.shape == (int(32 * alpha), 3, 3, 3)
    assert by["dw1"].weight.shape == (int(32 * alpha), 1, 3, 3)
    assert by["fc"].weight.shape == (1001, int(1024 * alpha)) and not by["fc"].relu6
    # TF "SAME": stride 2 on an even size pads only after; stride 1 pads one each side.
    for n in ("conv1", "dw2", "dw4", "dw6", "dw12"):
        assert by[n].stride == 2 and by[n].pads == (0, 0, 1, 1), n
    for n in ("dw1", "dw3", "dw7", "dw13"):
        assert by[n].stride == 1 and by[n].pads == (1, 1, 1, 1), n
    assert by["pw5"].pads == (0, 0, 0, 0)


def test_float_model_matches_litert_exactly(coral, litert):
    """A float32 rewrite of a checkpoint: no quantization anywhere, so the ONNX graph
    must reproduce LiteRT to float rounding."""
    g = tf.read((coral / "mobilenet_v1_0.5_160_quant.tflite").read_bytes())
    data = tf.write(tf.to_float(g))
    w = import_tflite(data)
    assert (w.input_mean, w.input_std) == (127.5, 127.5)
    agree, worst, n = compare(data, coral, litert)
    print(f"float rewrite: top-1 {agree}/{n}, largest softmax difference {worst:.2e}")
    assert agree == n and worst < 1e-4


def test_int8_per_channel_model(coral, litert):
    """int8 activations, per-channel weights, int32 biases at per-channel scales."""
    g = tf.read((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    original = import_tflite(tf.write(tf.to_float(g)))
    q8 = tf.to_int8_per_channel(g)
    data = tf.write(q8)
    w = import_tflite(data)
    assert (w.input_mean, w.input_std) == (128.0, 128.0)  # int8 zero point 0 = uint8 128
    for a, b, op in zip(original.layers[:-1], w.layers[:-1], q8.ops):
        # per output channel, rounding moved each weight by at most half a step
        step = np.abs(a.weight).reshape(a.weight.shape[0], -1).max(axis=1) / 127
        err = np.abs(a.weight - b.weight).reshape(a.weight.shape[0], -1).max(axis=1)
        assert np.all(err <= step / 2 + 1e-6), a.name
        bias_step = q8.tensors[op.inputs[2]].quant.scale
        assert bias_step.size == a.bias.size > 1
        assert np.all(np.abs(a.bias - b.bias) <= bias_step / 2 + 1e-6), a.name
    agree, worst, n = compare(data, coral, litert)
    print(f"int8 per-channel rewrite: top-1 {agree}/{n}, largest difference {worst:.4f}")
    assert agree >= n - 2


def _bad(data: bytes, match: str) -> None:
    with pytest.raises(TFLiteError, match=match):
        import_tflite(data)


def test_rejects_what_is_not_a_mobilenet(coral):
    real = (coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes()
    rng = np.random.default_rng(1)
    _bad(b"", "not a TFLite file")
    _bad(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes(), "not a TFLite file")
    # (the last ~4 % of the shared files are an appended label zip, not the flatbuffer)
    for cut in (64, len(real) // 3, len(real) // 2, 2 * len(real) // 3, 9 * len(real) // 10):
        with pytest.raises(TFLiteError, match="damaged or truncated"):
            import_tflite(real[:cut])
    g = tf.read(real)
    short = dataclasses.replace(g, ops=g.ops[:5], outputs=g.ops[4].outputs)
    _bad(tf.write(short), "not a MobileNet V1")
    swapped = dataclasses.replace(g, ops=[g.ops[0], g.ops[2], g.ops[1]] + g.ops[3:])
    _bad(tf.write(swapped), "MobileNet V1")
    relu = tf.read(real)
    relu.ops[3].options["act"] = 1  # RELU instead of RELU6
    _bad(tf.write(relu), "RELU6")


def test_expected_shape_is_enforced(coral):
    data = (coral / "mobilenet_v1_0.5_160_quant.tflite").read_bytes()
    assert import_tflite(data, expect=(0.5, 160)).alpha == 0.5
    with pytest.raises(TFLiteError, match="expected MobileNet V1 1.0-224"):
        import_tflite(data, expect=(1.0, 224))
