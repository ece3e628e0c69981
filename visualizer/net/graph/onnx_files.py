"""Reading MobileNet V1 graphs back: describe and check a saved .onnx (float or int8), and
expose the last feature map as an output for class activation maps."""
from __future__ import annotations

from pathlib import Path

import onnx
from onnx import TensorProto, helper, numpy_helper

from visualizer.net.graph.common import CONV_TYPES, WEIGHT_INPUT, OnnxModelError
from visualizer.net.model.mobilenet import NetLayer, NetSpec, SpecError, build_layers


def add_features_output(model: onnx.ModelProto) -> tuple[onnx.ModelProto, str, tuple | None]:
    """A copy of `model` whose last conv layer's output (the pool's input) is also a graph
    output, for class activation maps: (model, tensor name, dequantization). For an int8
    graph the tensor keeps its integer type and dequantization is its (scale, zero point)
    arrays; for a float graph it is None."""
    pool = next((n for n in model.graph.node if n.name == "pool"
                 and n.op_type in ("GlobalAveragePool", "QLinearGlobalAveragePool")), None)
    if pool is None:
        raise OnnxModelError("no GlobalAveragePool node named 'pool': not a MobileNet V1 graph")
    name = pool.input[0]
    dequant = None
    elem = TensorProto.FLOAT
    if pool.op_type == "QLinearGlobalAveragePool":  # inputs: x, x_scale, x_zero_point, …
        inits = {t.name: t for t in model.graph.initializer}
        scale, zero = (numpy_helper.to_array(inits[pool.input[i]]) for i in (1, 2))
        dequant = (scale, zero)
        elem = helper.np_dtype_to_tensor_dtype(zero.dtype)
    out = onnx.ModelProto()
    out.CopyFrom(model)
    if name not in {o.name for o in out.graph.output}:
        out.graph.output.append(helper.make_tensor_value_info(name, elem, None))
    return out, name, dequant


def _dims(value_info: onnx.ValueInfoProto) -> list[int | str]:
    return [d.dim_value if d.HasField("dim_value") else d.dim_param
            for d in value_info.type.tensor_type.shape.dim]


def _infer_alpha(model: onnx.ModelProto, standard: bool) -> float:
    """α from the widest conv layer (1024·α channels), when metadata is missing."""
    inits = {t.name: t for t in model.graph.initializer}
    last = "conv14" if standard else "pw13"
    node = next((n for n in model.graph.node if n.name == last and n.op_type in WEIGHT_INPUT),
                None)
    w = WEIGHT_INPUT[node.op_type] if node is not None else 0
    if node is None or len(node.input) <= w or node.input[w] not in inits:
        raise OnnxModelError(f"no Conv node named {last!r} with its weight: "
                             "not a MobileNet V1 built by this program")
    return inits[node.input[w]].dims[0] / 1024


def describe_onnx(model: onnx.ModelProto) -> dict:
    """alpha, resolution, classes, trained, source, input_mean, input_std, standard_conv,
    precision ("float" or "int8") of a MobileNet V1 graph; raises OnnxModelError when
    the graph is not one."""
    g = model.graph
    meta = {p.key: p.value for p in model.metadata_props}
    if [i.name for i in g.input if i.name not in {t.name for t in g.initializer}] != ["input"]:
        raise OnnxModelError("the model must have one input named 'input'")
    if [o.name for o in g.output] != ["probs"]:
        raise OnnxModelError("the model must have one output named 'probs'")
    in_dims, out_dims = _dims(g.input[0]), _dims(g.output[0])
    if len(in_dims) != 4 or in_dims[1] != 3 or in_dims[2] != in_dims[3] \
            or not isinstance(in_dims[2], int):
        raise OnnxModelError(f"input shape {in_dims} is not [1, 3, R, R]")
    if len(out_dims) != 2 or not isinstance(out_dims[1], int) or out_dims[1] < 1:
        raise OnnxModelError(f"output shape {out_dims} is not [1, classes]")
    standard = meta.get("standard_conv", "false") == "true" or \
        any(n.name == "conv2" for n in g.node)
    try:
        alpha = float(meta["alpha"]) if "alpha" in meta else _infer_alpha(model, standard)
        info = {
            "alpha": alpha,
            "resolution": int(meta.get("resolution", in_dims[2])),
            "classes": int(meta.get("classes", out_dims[1])),
            "trained": meta.get("trained", "true") == "true",
            "source": meta.get("source", ""),
            "input_mean": float(meta.get("input_mean", 127.5)),
            "input_std": float(meta.get("input_std", 127.5)),
            "standard_conv": standard,
            "precision": meta.get("precision", "float"),
        }
        spec = NetSpec(info["alpha"], info["resolution"], info["classes"], standard)
    except (ValueError, SpecError) as e:
        raise OnnxModelError(f"bad MobileNet metadata: {e}") from None
    if info["precision"] not in ("float", "int8"):
        raise OnnxModelError(f"unknown precision {info['precision']!r} in the metadata")
    if (info["resolution"], info["classes"]) != (in_dims[2], out_dims[1]):
        raise OnnxModelError(f"metadata says {info['resolution']}px/{info['classes']} classes, "
                             f"the graph has input {in_dims} and output {out_dims}")
    _check_nodes(model, build_layers(spec))
    return info


def _check_nodes(model: onnx.ModelProto, layers: tuple[NetLayer, ...]) -> None:
    nodes = {n.name: n for n in model.graph.node}
    inits = {t.name: tuple(t.dims) for t in model.graph.initializer}
    for layer in layers:
        node = nodes.get(layer.name)
        want = {"pool": ("GlobalAveragePool", "QLinearGlobalAveragePool"),
                "fc": ("Gemm", "Conv", "MatMul", "QLinearConv")}.get(
            layer.type, ("Conv", "QLinearConv"))
        if node is None or node.op_type not in want:
            raise OnnxModelError(f"no {want} node named {layer.name!r}: "
                                 "not a MobileNet V1 graph with paper layer names")
        if layer.type in CONV_TYPES:
            cin, cout = layer.input_shape[2], layer.output_shape[2]
            shape = (cout, cin // layer.groups, layer.kernel, layer.kernel)
            w = WEIGHT_INPUT[node.op_type]
            got = inits.get(node.input[w]) if len(node.input) > w else None
            if got != shape:
                raise OnnxModelError(f"layer {layer.name}: weight shape {got}, expected {shape}")
    if "softmax" not in nodes:
        raise OnnxModelError("no node named 'softmax'")


def load_onnx(path: str | Path) -> tuple[onnx.ModelProto, dict]:
    """Load, check and describe a MobileNet V1 .onnx file; raises OnnxModelError."""
    p = Path(path)
    if not p.is_file():
        raise OnnxModelError(f"ONNX file not found: {p}")
    try:
        model = onnx.load(str(p))
        onnx.checker.check_model(model)
    except Exception as e:  # protobuf DecodeError, checker ValidationError, …
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise OnnxModelError(f"not a valid ONNX model: {first}") from None  # callers name it
    info = describe_onnx(model)
    if not info["source"]:
        info["source"] = p.name
    return model, info


def spec_of(info: dict) -> NetSpec:
    """The NetSpec of a `describe_onnx` result."""
    return NetSpec(alpha=info["alpha"], resolution=info["resolution"], classes=info["classes"],
                   standard_conv=info["standard_conv"])


def signed_int8_weights(onnx_bytes: bytes) -> bool:
    """True when the graph's mult-adds run mostly on int8 weights (onnxruntime's u8×s8
    kernels), False for uint8 weights (u8×u8, the official quantized checkpoints) or a
    float graph: as load_model records it (LoadedModel.signed_weights,
    int8_kernels.signed_int8), for callers that hold only the bytes."""
    from visualizer.net.graph.int8_kernels import signed_int8, weight_formats

    model = onnx.load_from_string(onnx_bytes)
    formats = weight_formats(model)
    return bool(formats) and signed_int8(formats, spec_of(describe_onnx(model)).layers)
