"""The int8 path: a quantized checkpoint as an ONNX graph of integer kernels.

Checked against LiteRT running the same file (top-1 per shared photo, softmax
difference), against LiteRT's own reading of the file (every scale, zero point, weight
and bias in the graph), and against onnxruntime's optimised graph and profile (the
integer kernels really run, and each paper layer gets its own time).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper
from PIL import Image

import _tflite_files as tf
from litert_agreement import compare
from visualizer.net.models import ModelError, load_model
from visualizer.net.graph.onnx_int8 import build_int8_onnx
from visualizer.net.checkpoints.tflite_import import TFLiteError
from visualizer.net.checkpoints.tflite_quant import QParams, activation_range, import_quantized

QUANT = ["mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant",
         "mobilenet_v1_0.75_192_quant"]
PAPER = ["conv1"] + [f"{p}{i}" for i in range(1, 14) for p in ("dw", "pw")] + ["fc"]


def _int8_graph(data: bytes):
    net = import_quantized(data)
    return net.weights, build_int8_onnx(net)


def compare_int8(data: bytes, coral: Path, litert) -> tuple[int, float, int]:
    """(top-1 agreements, largest softmax difference, photos): int8 graph vs LiteRT."""
    return compare(data, coral, litert, build=_int8_graph)


@pytest.mark.parametrize("name", QUANT)
def test_int8_top1_equals_litert(coral, litert, name):
    agree, worst, n = compare_int8((coral / f"{name}.tflite").read_bytes(), coral, litert)
    print(f"{name} int8: top-1 equal to LiteRT on {agree}/{n} photos, "
          f"largest softmax difference {worst:.4f}")
    assert agree >= 20 and n == 21
    # LiteRT's softmax output is uint8 (steps of 1/256); ours is float on the same logits
    assert worst < 0.05


def test_int8_per_channel_rewrite_equals_litert(coral, litert):
    """int8 activations and per-channel int8 weights, as today's converters write them."""
    g = tf.read((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    data = tf.write(tf.to_int8_per_channel(g))
    net = import_quantized(data)
    assert net.layers[1].weight.dtype == np.int8 and net.layers[1].weight_q.per_channel
    agree, worst, n = compare_int8(data, coral, litert)
    print(f"int8 per-channel rewrite: top-1 {agree}/{n}, largest difference {worst:.4f}")
    assert agree >= 20


def _inits(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


@pytest.mark.parametrize("name", QUANT[:2])
def test_graph_holds_the_checkpoints_own_parameters(coral, litert, name):
    """Every QLinearConv's scales, zero points, weights and bias equal what LiteRT reads
    from the file (LiteRT's own parser, not ours)."""
    data = (coral / f"{name}.tflite").read_bytes()
    model = onnx.load_from_string(load_model(str(coral / f"{name}.tflite"),
                                             precision="int8").onnx_bytes)
    inits = _inits(model)
    interp = litert(model_content=data)
    tensors = {d["index"]: d for d in interp.get_tensor_details()}
    convs = [op for op in interp._get_ops_details()
             if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")]
    assert len(convs) == len(PAPER)
    for layer, op in zip(PAPER, convs):
        x, w, b = (tensors[i] for i in op["inputs"][:3])
        y = tensors[op["outputs"][0]]
        for role, t in (("input", x), ("weight", w), ("output", y)):
            q = t["quantization_parameters"]
            np.testing.assert_array_equal(inits[f"{layer}/{role}_scale"].reshape(-1),
                                          q["scales"].astype(np.float32), err_msg=layer)
            np.testing.assert_array_equal(inits[f"{layer}/{role}_zero_point"].reshape(-1),
                                          q["zero_points"], err_msg=layer)
            assert inits[f"{layer}/{role}_zero_point"].dtype == t["dtype"]
        raw = interp.get_tensor(w["index"])
        want = raw.transpose(3, 0, 1, 2) if op["op_name"] == "DEPTHWISE_CONV_2D" else \
            raw.transpose(0, 3, 1, 2)
        np.testing.assert_array_equal(inits[f"{layer}/weight"], want, err_msg=layer)
        np.testing.assert_array_equal(inits[f"{layer}/bias"], interp.get_tensor(b["index"]))
        assert inits[f"{layer}/bias"].dtype == np.int32
    inp = interp.get_input_details()[0]["quantization"]
    assert (float(inits["input_scale"]), int(inits["input_zero_point"])) == \
        (pytest.approx(inp[0], abs=0), inp[1])


def test_node_names_and_integer_kernels(coral, tmp_path):
    """One node per paper layer, by name; onnxruntime's optimised graph runs them as
    QLinearConv (integer kernels), with no float Conv left."""
    model = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"), precision="int8")
    assert model.precision == "int8"
    proto = onnx.load_from_string(model.onnx_bytes)
    ops = {n.name: n.op_type for n in proto.graph.node}
    for layer in PAPER:
        assert ops[layer] == "QLinearConv", layer
    assert ops["pool"] == "QLinearGlobalAveragePool" and ops["softmax"] == "Softmax"
    o = ort.SessionOptions()
    o.optimized_model_filepath = str(tmp_path / "optimised.onnx")
    o.log_severity_level = 3
    ort.InferenceSession(model.onnx_bytes, o, providers=["CPUExecutionProvider"])
    optimised = [n.op_type for n in onnx.load(str(tmp_path / "optimised.onnx")).graph.node]
    assert optimised.count("QLinearConv") == len(PAPER)
    assert "Conv" not in optimised and "DequantizeLinear" in optimised  # only the logits


def test_profiled_int8_run_times_every_paper_layer(coral):
    from visualizer.net.runtime.runner import Runner

    model = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"), precision="int8")
    x = np.zeros((1, 3, 128, 128), np.float32)
    with Runner(model, threads=1, keep_history=True, profile_every=3) as runner:
        for _ in range(3):
            runner.infer_tensor(x)
        runner.flush()
        history = list(runner.history)
        assert history
        for _, run, rows in history:
            assert runner.unattributed(run) == []
            by = {r.name: r.ms for r in rows}
            assert all(by[name] > 0 for name in PAPER + ["pool"]), by
            assert "other" not in by and by["layout"] > 0  # input quantize, transposes


def test_activation_range_is_tflites():
    u8 = QParams(np.array(6 / 255, np.float32), np.array(0, np.uint8))
    assert activation_range(u8, relu6=True) is None  # [0, 6] is the whole uint8 range
    wide = QParams(np.array(0.05, np.float32), np.array(10, np.uint8))
    assert activation_range(wide, relu6=True) == (10, 130)  # 0 -> 10, 6 -> 10 + 120
    s8 = QParams(np.array(0.1, np.float32), np.array(-128, np.int8))
    assert activation_range(s8, relu6=True) == (-128, -68)
    assert activation_range(s8, relu6=False) is None


def test_float_checkpoint_refuses_int8(coral, tmp_path):
    g = tf.read((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    data = tf.write(tf.to_float(g))
    with pytest.raises(TFLiteError, match="float weights"):
        import_quantized(data)
    path = tmp_path / "float.tflite"
    path.write_bytes(data)
    with pytest.raises(ModelError, match="int8 needs a quantized checkpoint"):
        load_model(str(path), precision="int8")
    with pytest.raises(ModelError, match="int8 needs a quantized checkpoint"):
        load_model("untrained:0.25_128", precision="int8")
    with pytest.raises(ModelError, match="unknown precision"):
        load_model("untrained", precision="half")


def test_exported_int8_onnx_loads_again(coral, tmp_path):
    model = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"), precision="int8")
    path = tmp_path / "m.onnx"
    path.write_bytes(model.onnx_bytes)
    again = load_model(str(path), precision="int8")
    assert again.precision == "int8" and again.spec == model.spec
    assert (again.input_mean, again.input_std) == (128.0, 128.0)
    with pytest.raises(ModelError, match="holds a graph in int8"):
        load_model(str(path))


def test_int8_feature_maps_are_dequantized_and_match_float(coral):
    """The Network tab's feature maps of an int8 model: the real values its integers
    stand for, close to the float graph's (one output step per layer of drift)."""
    from visualizer.net.runtime.probes import feature_maps

    path = str(coral / "mobilenet_v1_0.5_160_quant.tflite")
    q8, f32 = load_model(path, precision="int8"), load_model(path)
    frame = np.asarray(Image.open(coral / "parrot.jpg").convert("RGB"))
    inits = _inits(onnx.load_from_string(q8.onnx_bytes))
    for layer in ("conv1", "dw1", "pool"):
        a, b = feature_maps(q8, frame, layer), feature_maps(f32, frame, layer)
        assert a.dtype == np.float32 and a.shape == b.shape
        step = float(inits[f"{layer}/output_scale"])
        # the integers are multiples of the output scale, and near the float values
        np.testing.assert_allclose(a / step, np.round(a / step), atol=1e-3)
        assert np.abs(a - b).mean() < 2 * step, layer


def test_signed_weights_give_the_same_probabilities(coral):
    """uint8 weights shifted to int8 (and their zero points) keep every w − zp, so the
    graph computes the same integers."""
    from visualizer.net.checkpoints.tflite_quant import signed_weights

    net = import_quantized((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    s8 = signed_weights(net)
    for a, b in zip(net.layers, s8.layers):
        assert b.weight.dtype == np.int8
        np.testing.assert_array_equal(a.weight.astype(int) - a.weight_q.zero_point.astype(int),
                                      b.weight.astype(int) - b.weight_q.zero_point.astype(int))
    from visualizer.net.analysis.cpu_features import cpu_features

    if not {"avx512_vnni", "avx_vnni"} & set(cpu_features()):
        pytest.skip("x86 without VNNI: onnxruntime's uint8×int8 kernel may saturate")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 128, 128)).astype(np.float32)
    out = [ort.InferenceSession(build_int8_onnx(n).SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
           for n in (net, s8)]
    np.testing.assert_allclose(out[0], out[1], atol=2e-3)


def test_attribution_of_int8_node_names(coral):
    """The NHWC transformer's renamed nodes go to their layer; (de)quantization outside
    any paper layer goes to the layout row, inside one to that layer."""
    from visualizer.net.runtime.profiling import LayerAttribution

    model = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"), precision="int8")
    att = LayerAttribution(onnx.load_from_string(model.onnx_bytes), model.spec.layers)
    assert att.layer_of("conv1_token_2", "QLinearConv") == "conv1"
    assert att.layer_of("pw13_token_106", "QLinearConv") == "pw13"
    assert att.layer_of("Transpose_token_109", "Transpose") == "layout"
    assert att.layer_of("input/quantize", "QuantizeLinear") == "layout"
    assert att.layer_of("fc/dequantize", "DequantizeLinear") == "fc"
    assert att.layer_of("mystery", "Add") == "other"


def test_a_narrow_fused_relu6_is_applied(coral):
    """A layer whose RELU6 range is narrower than its output type keeps it as a Clip: the
    official checkpoints' RELU6 spans the whole uint8 range, so a narrower clamp is set
    on conv1 here, and every integer conv1 outputs stays inside it (without the Clip,
    some do not: the test can see a dropped clamp)."""
    import dataclasses

    from onnx import helper

    net = import_quantized((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    conv1 = net.layers[0]
    zp = int(conv1.output_q.zero_point)
    narrow = (zp, zp + 20)

    def conv1_outputs(clamp):
        layers = (dataclasses.replace(conv1, clamp=clamp),) + net.layers[1:]
        model = build_int8_onnx(dataclasses.replace(net, layers=layers))
        model.graph.output.append(helper.make_tensor_value_info("conv1", onnx.TensorProto.UINT8,
                                                                None))
        sess = ort.InferenceSession(model.SerializeToString(),
                                    providers=["CPUExecutionProvider"])
        rgb = np.asarray(Image.open(coral / "parrot.jpg").convert("RGB").resize((128, 128)))
        x = ((rgb.astype(np.float32) - 127.5) / 127.5).transpose(2, 0, 1)[None]
        return sess.run(["conv1"], {"input": x})[0]

    assert conv1_outputs(None).max() > narrow[1]  # the clamp has something to do
    clamped = conv1_outputs(narrow)
    assert clamped.min() >= narrow[0] and clamped.max() <= narrow[1]
    assert (clamped == narrow[1]).any()
