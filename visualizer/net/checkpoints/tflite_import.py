"""Read an official MobileNet V1 TFLite file into `NetworkWeights`.

The flatbuffer is parsed with the `tflite` package. The importer accepts exactly the
graph Google published: CONV_2D, 13 × (DEPTHWISE_CONV_2D, CONV_2D), AVERAGE_POOL_2D,
a 1×1 CONV_2D (or FULLY_CONNECTED) classifier, optional RESHAPE/SQUEEZE and SOFTMAX,
each feeding the next. Weights are float32 or uint8/int8 quantized, per tensor or per
channel, and come out dequantized as (q − zero_point)·scale, in ONNX layout.

Two details matter for agreement with TFLite itself: TF "SAME" padding puts the odd
pixel at the bottom/right (a stride-2 3×3 conv on an even size pads 0 before, 1 after),
and the input quantization of the quantized files, scale 1/128 and zero point 128,
means the float model expects (x − 128)/128.
"""
from __future__ import annotations

import numpy as np

from visualizer.net.model.mobilenet import NetSpec, SpecError, build_layers
from visualizer.net.checkpoints.tflite_reader import (ACT_NONE, ACT_RELU6, AVERAGE_POOL_2D, CONV_2D,
                                          DEPTHWISE_CONV_2D, DEQUANTIZE, DTYPES,
                                          FULLY_CONNECTED, QUANTIZE, RESHAPE, SAME, SOFTMAX,
                                          SQUEEZE, Op, Reader, TFLiteError, op_name,
                                          same_pads)
from visualizer.net.checkpoints.weights import LayerWeights, NetworkWeights

__all__ = ["TFLiteError", "import_tflite", "mobilenet_ops", "same_pads", "op_name"]
_FLOAT_MEAN = _FLOAT_STD = 127.5  # the float checkpoints expect (x − 127.5)/127.5


def _input_normalisation(reader: Reader, t: int) -> tuple[float, float]:
    dtype = DTYPES.get(int(reader.graph.Tensors(t).Type()))
    q = reader.quantization(t)
    if dtype in (np.float32, np.float16) or q is None:
        return _FLOAT_MEAN, _FLOAT_STD
    scale, zp, _ = q
    # real = (q − zp)·scale; an int8 input holds the uint8 pixel minus 128.
    shift = 128.0 if dtype == np.int8 else 0.0
    return float(zp.flat[0]) + shift, 1.0 / float(scale.flat[0])


def _chain(ops: list[Op]) -> list[Op]:
    """Drop I/O (de)quantize ops at the ends and check that every op feeds the next."""
    while ops and ops[0].code in (QUANTIZE, DEQUANTIZE):
        ops = ops[1:]
    while ops and ops[-1].code in (QUANTIZE, DEQUANTIZE):
        ops = ops[:-1]
    for prev, op in zip(ops, ops[1:]):
        if not op.inputs or op.inputs[0] != prev.outputs[0]:
            raise TFLiteError(f"{op_name(op.code)} does not take the output of "
                              f"{op_name(prev.code)}: not a plain MobileNet V1 chain")
    return ops


def _check_sequence(ops: list[Op]) -> None:
    expected = [CONV_2D] + [DEPTHWISE_CONV_2D, CONV_2D] * 13 + [AVERAGE_POOL_2D]
    got = [op.code for op in ops]
    head = got[:len(expected)]
    tail = got[len(expected):]
    ok = head == expected and tail and tail[0] in (CONV_2D, FULLY_CONNECTED) \
        and all(c in (RESHAPE, SQUEEZE, SOFTMAX) for c in tail[1:])
    if not ok:
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                raise TFLiteError(f"not a MobileNet V1: operator {i + 1} is {op_name(g)}, "
                                  f"expected {op_name(e)}")
        raise TFLiteError(f"not a MobileNet V1: {len(got)} operators "
                          f"({', '.join(sorted({op_name(c) for c in got}))}), expected "
                          f"{len(expected) + 1} layers then RESHAPE/SOFTMAX")


def _conv_layer(reader: Reader, op: Op, name: str, kind: str) -> LayerWeights:
    depthwise = op.code == DEPTHWISE_CONV_2D
    opts = reader.options(op, "DepthwiseConv2DOptions" if depthwise else "Conv2DOptions")
    if opts.DilationHFactor() not in (0, 1) or opts.DilationWFactor() not in (0, 1):
        raise TFLiteError(f"{name}: dilated convolutions are not part of MobileNet V1")
    sh, sw = int(opts.StrideH()), int(opts.StrideW())
    if sh != sw:
        raise TFLiteError(f"{name}: unequal strides {sh}×{sw}")
    act = int(opts.FusedActivationFunction())
    want_act = ACT_NONE if kind == "fc" else ACT_RELU6
    if act != want_act:
        raise TFLiteError(f"{name}: activation #{act}, expected "
                          f"{'none' if want_act == ACT_NONE else 'RELU6'}")
    w = reader.array(op.inputs[1])
    if w.ndim != 4:
        raise TFLiteError(f"{name}: weights of shape {list(w.shape)}, expected 4-D")
    if depthwise:
        if w.shape[0] != 1:
            raise TFLiteError(f"{name}: depthwise weights {list(w.shape)}, expected [1,H,W,C]")
        weight = np.ascontiguousarray(w.transpose(3, 0, 1, 2))  # [1,H,W,C] -> [C,1,H,W]
    else:
        weight = np.ascontiguousarray(w.transpose(0, 3, 1, 2))  # OHWI -> OIHW
    cout = weight.shape[0]
    bias = reader.array(op.inputs[2]).reshape(-1) if len(op.inputs) > 2 and op.inputs[2] >= 0 \
        else np.zeros(cout, np.float32)
    if bias.size != cout:
        raise TFLiteError(f"{name}: {bias.size} biases for {cout} outputs")
    _, in_h, in_w, _ = reader.shape(op.inputs[0])
    k = weight.shape[2]
    if int(opts.Padding()) == SAME:
        top, bottom = same_pads(in_h, weight.shape[2], sh)
        left, right = same_pads(in_w, weight.shape[3], sw)
        pads = (top, left, bottom, right)
    else:
        pads = (0, 0, 0, 0)
    if kind == "fc":
        if weight.shape[2:] != (1, 1):
            raise TFLiteError(f"classifier kernel {k}×{k}, expected 1×1")
        weight = weight.reshape(cout, -1)
    return LayerWeights(name, kind, weight, bias.astype(np.float32), stride=sh, pads=pads,
                        relu6=kind != "fc")


def _fc_layer(reader: Reader, op: Op) -> LayerWeights:
    if op.code == CONV_2D:
        return _conv_layer(reader, op, "fc", "fc")
    opts = reader.options(op, "FullyConnectedOptions")
    if int(opts.FusedActivationFunction()) != ACT_NONE:
        raise TFLiteError("fc: the classifier must have no activation")
    weight = reader.array(op.inputs[1])  # [classes, C_in]
    if weight.ndim != 2:
        raise TFLiteError(f"fc: weights of shape {list(weight.shape)}, expected 2-D")
    bias = reader.array(op.inputs[2]).reshape(-1) if len(op.inputs) > 2 and op.inputs[2] >= 0 \
        else np.zeros(weight.shape[0], np.float32)
    return LayerWeights("fc", "fc", np.ascontiguousarray(weight), bias.astype(np.float32),
                        relu6=False)


def import_tflite(data: bytes, source: str = "",
                  expect: tuple[float, int] | None = None) -> NetworkWeights:
    """Parse TFLite bytes into NetworkWeights; `expect` = (alpha, resolution) to verify.

    Raises TFLiteError with a one-line reason for anything that is not a MobileNet V1
    classifier (random bytes, truncated files, other graphs).
    """
    try:
        return _import(data, source, expect)
    except TFLiteError:
        raise
    except Exception as e:  # a damaged flatbuffer fails deep inside the reader
        raise TFLiteError(f"the TFLite file is damaged or truncated ({type(e).__name__})") \
            from None


def mobilenet_ops(reader: Reader) -> list[Op]:
    """The 29 operators of the paper layers (conv1 … pw13, pool, classifier), then any
    RESHAPE/SQUEEZE/SOFTMAX; raises TFLiteError when the graph is not MobileNet V1."""
    ops = _chain(reader.operators())
    _check_sequence(ops)
    return ops


def _import(data: bytes, source: str, expect: tuple[float, int] | None) -> NetworkWeights:
    reader = Reader(bytes(data))
    ops = mobilenet_ops(reader)
    in_shape = reader.shape(ops[0].inputs[0])
    if len(in_shape) != 4 or in_shape[0] != 1 or in_shape[3] != 3 or in_shape[1] != in_shape[2]:
        raise TFLiteError(f"input shape {list(in_shape)}, expected [1, R, R, 3]")
    resolution = in_shape[1]
    names = ["conv1"] + [f"{p}{i}" for i in range(1, 14) for p in ("dw", "pw")]
    kinds = ["conv"] + ["depthwise", "pointwise"] * 13
    layers = [_conv_layer(reader, op, n, k) for op, n, k in zip(ops, names, kinds)]
    _check_pool(reader, ops[27])
    fc = _fc_layer(reader, ops[28])
    layers.append(fc)
    alpha = layers[0].weight.shape[0] / 32
    try:
        spec = NetSpec(alpha=alpha, resolution=resolution, classes=int(fc.weight.shape[0]))
    except SpecError as e:
        raise TFLiteError(f"not a MobileNet V1: {e}") from None
    _check_against_spec(layers, spec)
    if expect is not None and (abs(expect[0] - alpha) > 1e-6 or expect[1] != resolution):
        raise TFLiteError(f"expected MobileNet V1 {expect[0]}-{expect[1]}, "
                          f"the file holds {alpha:g}-{resolution}")
    mean, std = _input_normalisation(reader, ops[0].inputs[0])
    return NetworkWeights(alpha=alpha, resolution=resolution, classes=spec.classes,
                          layers=tuple(layers), input_mean=mean, input_std=std,
                          trained=True, source=source)


def _check_pool(reader: Reader, op: Op) -> None:
    opts = reader.options(op, "Pool2DOptions")
    _, h, w, _ = reader.shape(op.inputs[0])
    if (opts.FilterHeight(), opts.FilterWidth()) != (h, w):
        raise TFLiteError(f"average pool {opts.FilterHeight()}×{opts.FilterWidth()} on a "
                          f"{h}×{w} map: expected a global pool")


def _check_against_spec(layers: list[LayerWeights], spec: NetSpec) -> None:
    expected = [l for l in build_layers(spec) if l.name != "pool"]
    for got, want in zip(layers, expected):
        if want.type == "fc":
            shape = (want.output_shape[2], want.input_shape[2])
        else:
            shape = (want.output_shape[2], want.input_shape[2] // want.groups,
                     want.kernel, want.kernel)
        if got.weight.shape != shape or got.stride != want.stride:
            raise TFLiteError(
                f"not a MobileNet V1 {spec.alpha:g}-{spec.resolution}: {want.name} has "
                f"weights {list(got.weight.shape)} stride {got.stride}, expected "
                f"{list(shape)} stride {want.stride}")
