"""Test helper: rewrite a real TFLite MobileNet into other numeric forms.

An official quantized checkpoint is read into a plain description (tensors, operators),
transformed, and written back as a new flatbuffer with the `flatbuffers` builder and the
`tflite` schema: a float32 model (all constants dequantized, activations float) and a
full-integer int8 model with per-channel weights (as today's converters produce). LiteRT
runs the results, so the importer can be checked against it on forms that are not shared
as files.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import flatbuffers
import numpy as np
import tflite

FLOAT32, INT32, UINT8, INT8 = 0, 2, 3, 9
_NP = {FLOAT32: np.float32, INT32: np.int32, UINT8: np.uint8, INT8: np.int8}
CONV, DW, POOL, RESHAPE, SOFTMAX = 3, 4, 1, 22, 25


@dataclass
class Quant:
    scale: np.ndarray
    zero_point: np.ndarray
    dim: int = 0


@dataclass
class Tensor:
    name: str
    shape: tuple[int, ...]
    type: int
    data: np.ndarray | None = None  # constants only
    quant: Quant | None = None


@dataclass
class Op:
    code: int
    inputs: list[int]
    outputs: list[int]
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]


def read(data: bytes) -> Graph:
    m = tflite.Model.GetRootAs(data, 0)
    g = m.Subgraphs(0)
    tensors = []
    for i in range(g.TensorsLength()):
        t = g.Tensors(i)
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        raw = m.Buffers(t.Buffer()).DataAsNumpy()
        arr = None if isinstance(raw, int) else \
            np.frombuffer(raw.tobytes(), _NP[t.Type()]).reshape(shape)
        q = t.Quantization()
        quant = None
        if q is not None and q.ScaleLength():
            quant = Quant(q.ScaleAsNumpy().copy(), q.ZeroPointAsNumpy().astype(np.int64),
                          q.QuantizedDimension())
        tensors.append(Tensor(t.Name().decode(), shape, t.Type(), arr, quant))
    ops = []
    for i in range(g.OperatorsLength()):
        o = g.Operators(i)
        oc = m.OperatorCodes(o.OpcodeIndex())
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        ops.append(Op(code, [int(x) for x in o.InputsAsNumpy()],
                      [int(x) for x in o.OutputsAsNumpy()], _read_options(o, code)))
    return Graph(tensors, ops, [int(x) for x in g.InputsAsNumpy()],
                 [int(x) for x in g.OutputsAsNumpy()])


def _read_options(o, code: int) -> dict:
    t = o.BuiltinOptions()
    if t is None:
        return {}
    if code in (CONV, DW):
        opts = tflite.Conv2DOptions() if code == CONV else tflite.DepthwiseConv2DOptions()
        opts.Init(t.Bytes, t.Pos)
        d = dict(padding=opts.Padding(), stride_w=opts.StrideW(), stride_h=opts.StrideH(),
                 act=opts.FusedActivationFunction())
        if code == DW:
            d["depth_multiplier"] = opts.DepthMultiplier()
        return d
    if code == POOL:
        opts = tflite.Pool2DOptions()
        opts.Init(t.Bytes, t.Pos)
        return dict(padding=opts.Padding(), stride_w=opts.StrideW(), stride_h=opts.StrideH(),
                    filter_w=opts.FilterWidth(), filter_h=opts.FilterHeight(),
                    act=opts.FusedActivationFunction())
    if code == SOFTMAX:
        opts = tflite.SoftmaxOptions()
        opts.Init(t.Bytes, t.Pos)
        return dict(beta=opts.Beta())
    return {}


def dequantize(t: Tensor) -> np.ndarray:
    q = t.quant
    shape = [1] * t.data.ndim
    if q.scale.size > 1:
        shape[q.dim] = q.scale.size
    scale = q.scale.reshape(shape) if q.scale.size > 1 else q.scale
    zp = q.zero_point.reshape(shape) if q.zero_point.size > 1 else q.zero_point
    return ((t.data.astype(np.float64) - zp) * scale).astype(np.float32)


def to_float(g: Graph) -> Graph:
    """Every quantized constant dequantized to float32; activations become float32."""
    tensors = []
    for t in g.tensors:
        if t.type == INT32 and t.quant is None:  # shape tensors stay int32
            tensors.append(t)
        elif t.data is not None:
            tensors.append(replace(t, type=FLOAT32, data=dequantize(t), quant=None))
        else:
            tensors.append(replace(t, type=FLOAT32, quant=None))
    return replace(g, tensors=tensors)


def to_int8_per_channel(g: Graph) -> Graph:
    """uint8 per-tensor -> int8 with symmetric per-channel conv weights and int32 biases
    at input_scale·weight_scale[c], the layout of current full-integer converters."""
    tensors = list(g.tensors)
    for i, t in enumerate(tensors):  # activations: same scale, zero point shifted by 128
        if t.data is None and t.type == UINT8:
            tensors[i] = replace(t, type=INT8, quant=Quant(
                t.quant.scale, t.quant.zero_point - 128, 0))
    for op in g.ops:
        if op.code not in (CONV, DW):
            continue
        w = tensors[op.inputs[1]]
        wf = dequantize(w)
        axis = 3 if op.code == DW else 0
        red = tuple(a for a in range(4) if a != axis)
        peak = np.abs(wf).max(axis=red)
        scale = np.where(peak > 0, peak, 127.0) / 127.0  # an all-zero channel keeps scale 1
        bshape = [1, 1, 1, 1]
        bshape[axis] = scale.size
        q = np.clip(np.round(wf / scale.reshape(bshape)), -127, 127).astype(np.int8)
        tensors[op.inputs[1]] = replace(w, type=INT8, data=q, quant=Quant(
            scale.astype(np.float32), np.zeros(scale.size, np.int64), axis))
        b = tensors[op.inputs[2]]
        bf = dequantize(b)
        bscale = (scale * tensors[op.inputs[0]].quant.scale[0]).astype(np.float32)
        bq = np.round(bf / bscale).astype(np.int32)
        tensors[op.inputs[2]] = replace(b, data=bq, quant=Quant(
            bscale, np.zeros(bscale.size, np.int64), 0))
    return replace(g, tensors=tensors)


def write(g: Graph) -> bytes:
    b = flatbuffers.Builder(1 << 20)
    codes = sorted({op.code for op in g.ops})
    # Buffers: 0 is the empty sentinel; each constant gets its own.
    buf_data: list[bytes] = [b""]
    tensor_buf = []
    for t in g.tensors:
        if t.data is None:
            tensor_buf.append(0)
        else:
            tensor_buf.append(len(buf_data))
            buf_data.append(np.ascontiguousarray(t.data, _NP[t.type]).tobytes())
    buffers = []
    for data in buf_data:
        vec = b.CreateByteVector(data) if data else None
        tflite.BufferStart(b)
        if vec is not None:
            tflite.BufferAddData(b, vec)
        buffers.append(tflite.BufferEnd(b))
    tensors = [_tensor(b, t, tensor_buf[i]) for i, t in enumerate(g.tensors)]
    ops = [_op(b, op, codes.index(op.code)) for op in g.ops]
    opcodes = []
    for c in codes:
        tflite.OperatorCodeStart(b)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(c, 127))
        tflite.OperatorCodeAddBuiltinCode(b, c)
        tflite.OperatorCodeAddVersion(b, 1)
        opcodes.append(tflite.OperatorCodeEnd(b))
    t_vec = _offsets(b, tflite.SubGraphStartTensorsVector, tensors)
    o_vec = _offsets(b, tflite.SubGraphStartOperatorsVector, ops)
    in_vec = _ints(b, tflite.SubGraphStartInputsVector, g.inputs)
    out_vec = _ints(b, tflite.SubGraphStartOutputsVector, g.outputs)
    name = b.CreateString("main")
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, t_vec)
    tflite.SubGraphAddOperators(b, o_vec)
    tflite.SubGraphAddInputs(b, in_vec)
    tflite.SubGraphAddOutputs(b, out_vec)
    tflite.SubGraphAddName(b, name)
    sub = tflite.SubGraphEnd(b)
    codes_vec = _offsets(b, tflite.ModelStartOperatorCodesVector, opcodes)
    subs_vec = _offsets(b, tflite.ModelStartSubgraphsVector, [sub])
    bufs_vec = _offsets(b, tflite.ModelStartBuffersVector, buffers)
    desc = b.CreateString("rewritten by the test suite")
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, codes_vec)
    tflite.ModelAddSubgraphs(b, subs_vec)
    tflite.ModelAddBuffers(b, bufs_vec)
    tflite.ModelAddDescription(b, desc)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _offsets(b, start, items):
    start(b, len(items))
    for x in reversed(items):
        b.PrependUOffsetTRelative(x)
    return b.EndVector()


def _ints(b, start, items):
    start(b, len(items))
    for x in reversed(items):
        b.PrependInt32(int(x))
    return b.EndVector()


def _tensor(b, t: Tensor, buffer: int):
    name = b.CreateString(t.name)
    shape = _ints(b, tflite.TensorStartShapeVector, t.shape)
    quant = None
    if t.quant is not None:
        tflite.QuantizationParametersStartScaleVector(b, t.quant.scale.size)
        for s in reversed(t.quant.scale.tolist()):
            b.PrependFloat32(s)
        scale = b.EndVector()
        tflite.QuantizationParametersStartZeroPointVector(b, t.quant.zero_point.size)
        for z in reversed(t.quant.zero_point.tolist()):
            b.PrependInt64(int(z))
        zp = b.EndVector()
        tflite.QuantizationParametersStart(b)
        tflite.QuantizationParametersAddScale(b, scale)
        tflite.QuantizationParametersAddZeroPoint(b, zp)
        tflite.QuantizationParametersAddQuantizedDimension(b, t.quant.dim)
        quant = tflite.QuantizationParametersEnd(b)
    tflite.TensorStart(b)
    tflite.TensorAddShape(b, shape)
    tflite.TensorAddType(b, t.type)
    tflite.TensorAddBuffer(b, buffer)
    tflite.TensorAddName(b, name)
    if quant is not None:
        tflite.TensorAddQuantization(b, quant)
    return tflite.TensorEnd(b)


def _op(b, op: Op, index: int):
    opt_type, opts = _options(b, op)
    ins = _ints(b, tflite.OperatorStartInputsVector, op.inputs)
    outs = _ints(b, tflite.OperatorStartOutputsVector, op.outputs)
    tflite.OperatorStart(b)
    tflite.OperatorAddOpcodeIndex(b, index)
    tflite.OperatorAddInputs(b, ins)
    tflite.OperatorAddOutputs(b, outs)
    if opts is not None:
        tflite.OperatorAddBuiltinOptionsType(b, opt_type)
        tflite.OperatorAddBuiltinOptions(b, opts)
    return tflite.OperatorEnd(b)


def _options(b, op: Op):
    o = op.options
    if op.code == CONV:
        tflite.Conv2DOptionsStart(b)
        tflite.Conv2DOptionsAddPadding(b, o["padding"])
        tflite.Conv2DOptionsAddStrideW(b, o["stride_w"])
        tflite.Conv2DOptionsAddStrideH(b, o["stride_h"])
        tflite.Conv2DOptionsAddFusedActivationFunction(b, o["act"])
        return 1, tflite.Conv2DOptionsEnd(b)
    if op.code == DW:
        tflite.DepthwiseConv2DOptionsStart(b)
        tflite.DepthwiseConv2DOptionsAddPadding(b, o["padding"])
        tflite.DepthwiseConv2DOptionsAddStrideW(b, o["stride_w"])
        tflite.DepthwiseConv2DOptionsAddStrideH(b, o["stride_h"])
        tflite.DepthwiseConv2DOptionsAddDepthMultiplier(b, o["depth_multiplier"])
        tflite.DepthwiseConv2DOptionsAddFusedActivationFunction(b, o["act"])
        return 2, tflite.DepthwiseConv2DOptionsEnd(b)
    if op.code == POOL:
        tflite.Pool2DOptionsStart(b)
        tflite.Pool2DOptionsAddPadding(b, o["padding"])
        tflite.Pool2DOptionsAddStrideW(b, o["stride_w"])
        tflite.Pool2DOptionsAddStrideH(b, o["stride_h"])
        tflite.Pool2DOptionsAddFilterWidth(b, o["filter_w"])
        tflite.Pool2DOptionsAddFilterHeight(b, o["filter_h"])
        tflite.Pool2DOptionsAddFusedActivationFunction(b, o["act"])
        return 5, tflite.Pool2DOptionsEnd(b)
    if op.code == SOFTMAX:
        tflite.SoftmaxOptionsStart(b)
        tflite.SoftmaxOptionsAddBeta(b, o.get("beta", 1.0))
        return 9, tflite.SoftmaxOptionsEnd(b)
    return 0, None
