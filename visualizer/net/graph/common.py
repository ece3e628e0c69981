"""What the float and the int8 graphs share: format versions, the error, the spec their
weights must match, and the metadata that lets a saved graph be described again."""
from __future__ import annotations

from visualizer.net.checkpoints.weights import NetworkWeights
from visualizer.net.model.mobilenet import NetLayer, NetSpec, SpecError

#: Opset and IR version every onnxruntime >= 1.14 runs.
OPSET = 17
IR_VERSION = 8
PRODUCER = "mobilenet-visualizer"
CONV_TYPES = ("conv", "depthwise", "pointwise")
#: Convolution operators of the float and the int8 graphs, and the index of their weight.
WEIGHT_INPUT = {"Conv": 1, "QLinearConv": 3}


class OnnxModelError(ValueError):
    """An ONNX file or a set of weights that is not a MobileNet V1; the message says why."""


def spec_for(weights: NetworkWeights) -> NetSpec:
    standard = any(l.name == "conv2" for l in weights.layers)
    try:
        return NetSpec(alpha=weights.alpha, resolution=weights.resolution,
                       classes=weights.classes, standard_conv=standard)
    except SpecError as e:
        raise OnnxModelError(str(e)) from None


def check_weights(weights: NetworkWeights, layers: tuple[NetLayer, ...]) -> None:
    expected = [l for l in layers if l.type != "pool"]
    names = [l.name for l in weights.layers]
    if names != [l.name for l in expected]:
        raise OnnxModelError(f"weights have layers {names[:4]}…, expected "
                             f"{[l.name for l in expected][:4]}… ({len(expected)} layers)")
    for lw, layer in zip(weights.layers, expected):
        cin, cout = layer.input_shape[2], layer.output_shape[2]
        if layer.type == "fc":
            shape: tuple[int, ...] = (cout, cin)
        else:
            shape = (cout, cin // layer.groups, layer.kernel, layer.kernel)
        if tuple(lw.weight.shape) != shape or tuple(lw.bias.shape) != (cout,):
            raise OnnxModelError(f"layer {layer.name}: weight {tuple(lw.weight.shape)} / bias "
                                 f"{tuple(lw.bias.shape)}, expected {shape} / ({cout},)")
        if lw.type != layer.type:
            raise OnnxModelError(f"layer {layer.name} is {lw.type!r}, expected {layer.type!r}")


def model_metadata(weights: NetworkWeights, standard_conv: bool = False,
                   precision: str = "float") -> dict[str, str]:
    """The metadata that lets `describe_onnx` describe a saved graph again."""
    return {"alpha": repr(float(weights.alpha)), "resolution": str(weights.resolution),
            "classes": str(weights.classes), "trained": str(bool(weights.trained)).lower(),
            "source": weights.source, "input_mean": repr(float(weights.input_mean)),
            "input_std": repr(float(weights.input_std)),
            "standard_conv": str(standard_conv).lower(), "precision": precision}
