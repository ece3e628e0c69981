"""Weights of a MobileNet V1 in one neutral form, whatever their source.

The TFLite importer (official checkpoints) and the untrained generator both produce a
`NetworkWeights`; the ONNX builder consumes it. Batch norm is already folded into the
conv weights and biases (as in the official files).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerWeights:
    name: str  # paper layer name: conv1, dw1 … dw13, pw1 … pw13, fc (see mobilenet.build_layers)
    type: str  # "conv", "depthwise", "pointwise" or "fc"
    weight: np.ndarray  # float32, ONNX layout: (C_out, C_in/groups, k, k); fc: (classes, C_in)
    bias: np.ndarray  # float32, (C_out,)
    stride: int = 1
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # ONNX order: top, left, bottom, right
    relu6: bool = True  # activation after the layer (all but fc)


@dataclass(frozen=True)
class NetworkWeights:
    alpha: float
    resolution: int
    classes: int  # 1001 for the official checkpoints (index 0 is "background")
    layers: tuple[LayerWeights, ...]  # conv1, dw1, pw1, …, dw13, pw13, fc (pool implied)
    #: The model input is (rgb_uint8 - input_mean) / input_std, NCHW float32.
    input_mean: float = 127.5
    input_std: float = 127.5
    trained: bool = True  # False: deterministic random weights, for timing only
    source: str = ""  # where the weights came from (file name or "untrained")
