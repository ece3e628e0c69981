"""The TFLite flatbuffer, read with the `tflite` package: operators, tensor shapes,
quantization parameters and constant tensors (raw or dequantized).

Shared by the float importer (tflite_import.py) and the int8 importer (tflite_quant.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class TFLiteError(ValueError):
    """The file is not a readable MobileNet V1 classifier; the message says why."""


# Builtin operator codes (tflite/BuiltinOperator.py).
AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE = 1, 3, 4, 6
FULLY_CONNECTED, RESHAPE, SOFTMAX, SQUEEZE, MEAN, QUANTIZE = 9, 22, 25, 43, 40, 114
_OP_NAMES = {AVERAGE_POOL_2D: "AVERAGE_POOL_2D", CONV_2D: "CONV_2D",
             DEPTHWISE_CONV_2D: "DEPTHWISE_CONV_2D", FULLY_CONNECTED: "FULLY_CONNECTED",
             RESHAPE: "RESHAPE", SOFTMAX: "SOFTMAX", SQUEEZE: "SQUEEZE", MEAN: "MEAN",
             QUANTIZE: "QUANTIZE", DEQUANTIZE: "DEQUANTIZE"}
# Tensor types (tflite/TensorType.py) -> numpy dtype.
DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8,
           7: np.int16}
SAME, VALID = 0, 1  # tflite/Padding.py
ACT_NONE, ACT_RELU6 = 0, 3  # tflite/ActivationFunctionType.py


@dataclass(frozen=True)
class Op:
    code: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    raw: object  # tflite.Operator


def op_name(code: int) -> str:
    return _OP_NAMES.get(code, f"operator #{code}")


def _opcode(model, index: int) -> int:
    oc = model.OperatorCodes(index)
    # Files written before schema v3a keep codes < 127 only in the deprecated field.
    return max(int(oc.BuiltinCode()), int(oc.DeprecatedBuiltinCode()))


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF "SAME" padding along one axis: (before, after); the extra pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class Reader:
    def __init__(self, data: bytes) -> None:
        import tflite

        self.tflite = tflite
        self.data = data
        if len(data) < 8 or not tflite.Model.ModelBufferHasIdentifier(data, 0):
            raise TFLiteError("not a TFLite file (no TFL3 flatbuffer identifier)")
        self.model = tflite.Model.GetRootAs(data, 0)
        if self.model.SubgraphsLength() < 1:
            raise TFLiteError("the TFLite file has no graph")
        self.graph = self.model.Subgraphs(0)

    def shape(self, t: int) -> tuple[int, ...]:
        return tuple(int(d) for d in self.graph.Tensors(t).ShapeAsNumpy()) \
            if self.graph.Tensors(t).ShapeLength() else ()

    def quantization(self, t: int) -> tuple[np.ndarray, np.ndarray, int] | None:
        q = self.graph.Tensors(t).Quantization()
        if q is None or q.ScaleLength() == 0:
            return None
        scale = q.ScaleAsNumpy().astype(np.float64)
        zp = q.ZeroPointAsNumpy().astype(np.float64) if q.ZeroPointLength() \
            else np.zeros_like(scale)
        return scale, zp, int(q.QuantizedDimension())

    def values(self, t: int) -> np.ndarray:
        """A constant tensor's stored values (integers stay integers), in TFLite layout."""
        tensor = self.graph.Tensors(t)
        name = self.name(t)
        dtype = DTYPES.get(int(tensor.Type()))
        if dtype is None:
            raise TFLiteError(f"tensor {name!r} has an unsupported type #{tensor.Type()}")
        buf = self.model.Buffers(int(tensor.Buffer()))
        if buf.Offset() > 1:  # large models keep data after the flatbuffer
            raw = self.data[buf.Offset(): buf.Offset() + buf.Size()]
        else:
            raw = buf.DataAsNumpy()
            raw = b"" if isinstance(raw, int) else raw.tobytes()
        shape = self.shape(t)
        count = int(np.prod(shape)) if shape else 1
        if len(raw) != count * np.dtype(dtype).itemsize:
            raise TFLiteError(f"tensor {name!r} holds {len(raw)} bytes, "
                              f"not the {count} values its shape {list(shape)} needs")
        return np.frombuffer(raw, dtype=dtype).reshape(shape)

    def name(self, t: int) -> str:
        return (self.graph.Tensors(t).Name() or b"").decode("utf-8", "replace")

    def dtype(self, t: int) -> type | None:
        return DTYPES.get(int(self.graph.Tensors(t).Type()))

    def array(self, t: int) -> np.ndarray:
        """A constant tensor, dequantized to float32 when it is quantized."""
        values = self.values(t)
        name, shape = self.name(t), values.shape
        q = self.quantization(t)
        if values.dtype in (np.float32, np.float16) or q is None:
            if values.dtype not in (np.float32, np.float16):
                raise TFLiteError(f"tensor {name!r} is integer but has no quantization")
            return values.astype(np.float32)
        scale, zp, axis = q
        if scale.size > 1:  # per channel along `axis`
            if axis >= values.ndim or values.shape[axis] != scale.size:
                raise TFLiteError(f"tensor {name!r}: {scale.size} scales do not match "
                                  f"dimension {axis} of shape {list(shape)}")
            bshape = [1] * values.ndim
            bshape[axis] = scale.size
            scale, zp = scale.reshape(bshape), (zp.reshape(bshape) if zp.size > 1 else zp)
        return ((values.astype(np.float64) - zp) * scale).astype(np.float32)

    def options(self, op: Op, cls_name: str):
        table = op.raw.BuiltinOptions()
        if table is None:
            raise TFLiteError(f"{op_name(op.code)} has no options")
        opts = getattr(self.tflite, cls_name)()
        opts.Init(table.Bytes, table.Pos)
        return opts

    def operators(self) -> list[Op]:
        ops = []
        for i in range(self.graph.OperatorsLength()):
            raw = self.graph.Operators(i)
            ops.append(Op(_opcode(self.model, raw.OpcodeIndex()),
                           tuple(int(x) for x in raw.InputsAsNumpy()),
                           tuple(int(x) for x in raw.OutputsAsNumpy()), raw))
        return ops
