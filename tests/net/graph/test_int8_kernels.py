"""The exact rewrites into the integer formats onnxruntime's fastest kernels want, and the
exact float islands, on synthetic layers (every scale and zero point derived from the
checkpoint's) and on the shared checkpoints (identical outputs, LiteRT's top-1)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import _tflite_files as tf
from litert_agreement import CHECKPOINTS, litert_probs, photos, square_rgb
from visualizer.net.analysis.cpu_features import from_info, int8_target
from visualizer.net.checkpoints.tflite_quant import (QParams, QuantLayer, QuantNetwork,
                                                     import_quantized)
from visualizer.net.graph import int8_kernels as k8
from visualizer.net.graph.float_island import (EXACT_LIMIT, accumulator_bound, exact_layers,
                                               island_exact, requantize_multiplier)
from visualizer.net.graph.onnx_files import add_features_output
from visualizer.net.graph.onnx_int8 import build_int8_onnx
from visualizer.net.graph.common import OnnxModelError


def _layer(weight, zp, *, per_channel=False, x_zp=0, x_dtype=np.uint8, bias=None,
           clamp=None) -> QuantLayer:
    w = np.asarray(weight)
    cout = w.shape[0]
    scale = np.linspace(0.01, 0.02, cout).astype(np.float32) if per_channel \
        else np.array(0.015, np.float32)
    zpa = np.full(cout, zp, w.dtype) if per_channel else np.array(zp, w.dtype)
    b = np.arange(cout, dtype=np.int32) * 7 - 3 if bias is None else np.asarray(bias, np.int32)
    return QuantLayer("dw1", w, QParams(scale, zpa), b,
                      QParams(np.array(0.1, np.float32), np.array(x_zp, x_dtype)),
                      QParams(np.array(0.05, np.float32), np.array(x_zp, x_dtype)), clamp)


def _same_arithmetic(a: QuantLayer, b: QuantLayer) -> None:
    """Same centred weights, same scales (bitwise), same bias and activations."""
    np.testing.assert_array_equal(k8.centred(a), k8.centred(b))
    assert a.weight_q.scale.tobytes() == b.weight_q.scale.tobytes()
    assert a.bias.tobytes() == b.bias.tobytes()
    assert (a.input_q, a.output_q, a.clamp) == (b.input_q, b.output_q, b.clamp)


def test_uint8_weights_become_int8_with_the_zero_point_shifted_alike():
    w = np.array([[[[0, 17, 255]]], [[[200, 3, 90]]]], np.uint8)
    layer = _layer(w, 204)
    s8 = k8.with_weights(layer, k8.INT8)
    assert s8.weight.dtype == np.int8 and s8.weight_q.zero_point.dtype == np.int8
    assert int(s8.weight_q.zero_point) == 204 - 128
    np.testing.assert_array_equal(s8.weight.astype(int), w.astype(int) - 128)
    _same_arithmetic(layer, s8)
    back = k8.with_weights(s8, k8.UINT8)
    np.testing.assert_array_equal(back.weight, w)
    assert int(back.weight_q.zero_point) == 204 and back.weight_q.zero_point.dtype == np.uint8
    assert k8.with_weights(layer, k8.SYMMETRIC) is None  # 255 − 204 fits, 0 − 204 does not


def test_symmetric_only_when_every_centred_weight_fits_int8():
    fits = _layer(np.array([[[[0, 128, 255]]]], np.uint8), 128)  # −128 … 127
    sym = k8.with_weights(fits, k8.SYMMETRIC)
    assert sym.weight.dtype == np.int8 and not sym.weight_q.zero_point.any()
    np.testing.assert_array_equal(sym.weight.reshape(-1), [-128, 0, 127])
    _same_arithmetic(fits, sym)
    assert k8.weight_format(sym) == k8.SYMMETRIC
    assert k8.with_weights(_layer(np.array([[[[0, 255]]]], np.uint8), 127), k8.SYMMETRIC) \
        is None  # 255 − 127 = 128 does not fit


def test_per_channel_int8_weights_keep_their_per_channel_scales():
    w = np.array([[[[-127, 5, 127]]], [[[-3, 0, 64]]]], np.int8)
    layer = _layer(w, 0, per_channel=True)
    assert k8.weight_format(layer) == k8.SYMMETRIC
    u8 = k8.with_weights(layer, k8.UINT8)
    assert u8.weight_q.zero_point.tolist() == [128, 128]
    _same_arithmetic(layer, u8)
    assert k8.with_weights(u8, k8.SYMMETRIC).weight.tobytes() == w.tobytes()


def test_the_format_each_cpu_family_gets():
    wide = _layer(np.array([[[[0, 100, 255]]]], np.uint8), 100)  # centred −100 … 155
    narrow = _layer(np.array([[[[70, 128, 190]]]], np.uint8), 128)  # centred −58 … 62
    assert k8.weight_format(k8.weights_for(wide, k8.X86_VNNI)) == k8.INT8
    assert k8.weight_format(k8.weights_for(narrow, k8.X86_VNNI)) == k8.SYMMETRIC
    assert k8.weight_format(k8.weights_for(wide, k8.ARM64)) == k8.INT8
    # x86 without VNNI: vpmaddubsw saturates unless the stored int8 weights fit ±64
    assert k8.weight_format(k8.weights_for(wide, k8.X86)) == k8.UINT8
    assert k8.weight_format(k8.weights_for(narrow, k8.X86)) == k8.SYMMETRIC
    assert k8.weights_for(wide, k8.OTHER) is wide
    for target in k8.TARGETS:
        _same_arithmetic(wide, k8.weights_for(wide, target))
    with pytest.raises(ValueError, match="unknown int8 target"):
        k8.for_kernels(None, "sparc")


def test_int8_activations_become_uint8_with_zero_points_and_clamps_shifted():
    layer = _layer(np.array([[[[-5, 0, 5]]]], np.int8), 0, x_zp=-128, x_dtype=np.int8,
                   clamp=(-128, -68))
    net = QuantNetwork(None, (layer,), layer.output_q, layer.output_q)
    u8 = k8.uint8_activations(net)
    got = u8.layers[0]
    assert got.input_q.zero_point.dtype == np.uint8 and int(got.input_q.zero_point) == 0
    assert got.clamp == (0, 60)
    assert got.input_q.scale.tobytes() == layer.input_q.scale.tobytes()
    assert int(u8.pool_input_q.zero_point) == 0 and u8.input_q is got.input_q


def test_float_island_bound_and_multiplier_follow_the_layer():
    w = np.array([[[[0, 255, 10]]], [[[128, 128, 128]]]], np.uint8)
    layer = _layer(w, 128, per_channel=True, bias=[1000, -5])
    centred = np.abs(w.astype(int) - 128).reshape(2, -1).sum(axis=1)  # [383, 0]
    assert accumulator_bound(layer) == max(centred[0] * 255 + 1000, 5)
    assert island_exact(layer)
    m = requantize_multiplier(layer)
    want = (np.float32(0.1) * layer.weight_q.scale) / np.float32(0.05)
    assert m.dtype == np.float32 and m.tobytes() == want.astype(np.float32).tobytes()
    big = _layer(np.full((1, 1, 1, 400), 255, np.uint8), 0)  # 400·255·255 > 2^24
    assert accumulator_bound(big) >= EXACT_LIMIT and not island_exact(big)


def test_cpu_features_choose_the_int8_target():
    def cpu(arch, *flags):
        return from_info({"arch": arch, "flags": list(flags), "count": 2})

    assert int8_target(cpu("X86_64", "avx2", "avx512f", "avx512_vnni")) == "x86-vnni"
    assert int8_target(cpu("X86_64", "avx2", "avx_vnni")) == "x86-vnni"
    assert int8_target(cpu("X86_64", "avx2", "fma")) == "x86"
    assert int8_target(cpu("X86_64", "avx512f", "avx512bw")) == "x86"  # AVX-512, no VNNI
    assert int8_target(cpu("ARM_8", "asimd", "asimddp")) == "arm64"
    assert int8_target(cpu("PPC_64", "altivec")) == "other"


# -- the shared checkpoints ---------------------------------------------------------------
def _outputs(model: onnx.ModelProto, xs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(probs, the last conv layer's integers) of every input."""
    with_features, name, _ = add_features_output(model)
    s = ort.InferenceSession(with_features.SerializeToString(),
                             providers=["CPUExecutionProvider"])
    out = [s.run(["probs", name], {"input": x}) for x in xs]
    return np.stack([o[0] for o in out]), np.stack([o[1] for o in out])


def _photo_inputs(coral, res: int, mean: float, std: float) -> list[np.ndarray]:
    return [((square_rgb(p, res).astype(np.float32) - mean) / std).transpose(2, 0, 1)[None]
            for p in photos(coral)]


@pytest.mark.parametrize("name,alpha,res,_", CHECKPOINTS)
def test_signed_formats_and_float_islands_compute_the_same_integers(coral, litert, name,
                                                                    alpha, res, _):
    """The checkpoint's own uint8 formats, this CPU's formats, the x86-VNNI formats
    (int8 weights, symmetric where they fit) and every exact conv/depthwise layer as a
    float island: the same last-layer integers and probabilities on all 21 photos, bit
    for bit, and LiteRT's top-1."""
    data = (coral / f"{name}.tflite").read_bytes()
    net = import_quantized(data)
    xs = _photo_inputs(coral, res, net.weights.input_mean, net.weights.input_std)
    own_probs, own_ints = _outputs(build_int8_onnx(net), xs)
    variants = {"this CPU": build_int8_onnx(k8.for_kernels(net, int8_target()))}
    if int8_target() in (k8.X86_VNNI, k8.ARM64):  # elsewhere U8S8 kernels may saturate
        signed = k8.for_kernels(net, k8.X86_VNNI)
        assert all(l.weight.dtype == np.int8 for l in signed.layers)
        variants["signed"] = build_int8_onnx(signed)
        islands = [l.name for l in signed.layers if l.name[:2] in ("co", "dw")]
        assert set(islands) <= set(exact_layers(variants["signed"]))
        variants["signed + islands"] = build_int8_onnx(signed, islands)
        ops = {n.name: n.op_type for n in variants["signed + islands"].graph.node}
        assert ops["dw1"] == "Conv" and ops["pw1"] == "QLinearConv"
    for what, model in variants.items():
        probs, ints = _outputs(model, xs)
        assert np.array_equal(ints, own_ints), what
        assert np.array_equal(probs, own_probs), what
    interp = litert(model_content=data)
    interp.allocate_tensors()
    ref = [litert_probs(interp, square_rgb(p, res), net.weights.input_mean,
                        net.weights.input_std).argmax() for p in photos(coral)]
    agree = int(np.sum(np.array(ref) == own_probs[:, 0].argmax(axis=1)))
    print(f"{name}: {len(variants) + 1} graphs identical on 21 photos; top-1 = LiteRT "
          f"on {agree}/21")
    assert agree >= 20


def test_full_integer_checkpoint_runs_on_uint8_activations_identically(coral, litert):
    """An int8-activation, per-channel symmetric checkpoint (today's converters): its
    activations stored as uint8 for x86's kernels give the same integers."""
    g = tf.read((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    net = import_quantized(tf.write(tf.to_int8_per_channel(g)))
    assert net.input_q.zero_point.dtype == np.int8
    u8 = k8.for_kernels(net, k8.X86_VNNI)
    assert u8.input_q.zero_point.dtype == np.uint8
    assert {k8.weight_format(l) for l in u8.layers} == {k8.SYMMETRIC}
    xs = _photo_inputs(coral, 128, net.weights.input_mean, net.weights.input_std)[:6]
    a_probs, a_ints = _outputs(build_int8_onnx(net), xs)
    b_probs, b_ints = _outputs(build_int8_onnx(u8), xs)
    np.testing.assert_array_equal(b_ints.astype(np.int16) - 128, a_ints.astype(np.int16))
    np.testing.assert_array_equal(a_probs, b_probs)


def test_an_island_that_is_not_exact_or_not_a_conv_is_refused(coral):
    net = import_quantized((coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes())
    with pytest.raises(OnnxModelError, match="no convolution layer 'fc'"):
        build_int8_onnx(net, ["fc"])
    dw1 = net.layers[1]
    huge = replace(dw1, bias=np.full_like(dw1.bias, EXACT_LIMIT))
    net = replace(net, layers=(net.layers[0], huge) + net.layers[2:])
    with pytest.raises(OnnxModelError, match="beyond float32's exact integers"):
        build_int8_onnx(net, ["dw1"])
    assert "dw1" not in exact_layers(build_int8_onnx(net))


def test_a_graph_with_islands_exports_loads_and_shows_the_same_feature_maps(coral, tmp_path):
    """An int8 graph with float islands is a valid MobileNet graph: exported and loaded
    again it keeps its islands and formats; an island layer's feature map is the
    integer layer's, dequantized alike."""
    from PIL import Image

    from visualizer.net.models import load_model
    from visualizer.net.runtime.probes import feature_maps

    path = str(coral / "mobilenet_v1_0.25_128_quant.tflite")
    plain = load_model(path, precision="int8", int8_target=k8.X86_VNNI)
    islands = load_model(path, precision="int8", int8_target=k8.X86_VNNI,
                         islands=("conv1", "dw1"))
    assert islands.islands == ("conv1", "dw1") and plain.islands == ()
    assert islands.kernels == plain.kernels == "uint8 activations; weights int8 (28)"
    out = tmp_path / "islands.onnx"
    out.write_bytes(islands.onnx_bytes)
    again = load_model(str(out), precision="int8")
    assert again.islands == ("conv1", "dw1") and again.kernels == islands.kernels
    frame = np.asarray(Image.open(coral / "parrot.jpg").convert("RGB"))
    for layer in ("conv1", "dw1", "pw1"):
        np.testing.assert_array_equal(feature_maps(islands, frame, layer),
                                      feature_maps(plain, frame, layer), err_msg=layer)


def test_profiled_islands_are_timed_as_their_layers(coral):
    """Every node of an island goes to its paper layer (its layout conversions to the
    layout row), so the per-layer times and the island costs can be read."""
    from visualizer.net.models import load_model
    from visualizer.net.runtime.runner import Runner

    model = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"), precision="int8",
                       int8_target=k8.X86_VNNI, islands=("conv1", "dw1", "dw7"))
    x = np.zeros((1, 3, 128, 128), np.float32)
    with Runner(model, threads=1, keep_history=True, profile_every=3) as runner:
        for _ in range(3):
            runner.infer_tensor(x)
        runner.flush()
        for _, run, rows in runner.history:
            assert runner.unattributed(run) == []
            by = {r.name: r.ms for r in rows}
            assert all(by[n] > 0 for n in ("conv1", "dw1", "pw1", "dw7")), by
            ops = {n.op for n in run.nodes if n.name.split("/")[0] == "dw1"}
            assert "QLinearConv" not in ops and {"DequantizeLinear", "QuantizeLinear"} <= ops
