"""MobileNet V1 as Table 1 of Howard et al. (2017) defines it, with per-layer costs.

Counting convention (it reproduces the paper's figures): mult-adds of a conv layer are
H_out·W_out·k·k·(C_in/groups)·C_out; the fully connected layer counts C_in·classes;
biases, batch norm, ReLU, pooling and softmax count nothing. Parameters are weights only.
Table 1 prints the stride of the last depthwise layer as s2; it is s1 (7×7 in and out).
"""
from __future__ import annotations

from dataclasses import dataclass

#: (stride of the depthwise layer, output channels of the following pointwise layer)
SEPARABLE_BLOCKS: tuple[tuple[int, int], ...] = (
    (1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512),
    (1, 512), (1, 512), (1, 512), (1, 512), (1, 512),
    (2, 1024), (1, 1024),
)
FIRST_CONV_CHANNELS = 32
LAYER_TYPES = ("conv", "depthwise", "pointwise", "pool", "fc")

#: The official grid of pretrained checkpoints.
OFFICIAL_ALPHAS = (0.25, 0.5, 0.75, 1.0)
OFFICIAL_RESOLUTIONS = (128, 160, 192, 224)


class SpecError(ValueError):
    """Parameters that do not describe a MobileNet V1; the message says which."""


@dataclass(frozen=True)
class NetLayer:
    name: str  # conv1, dw1 … dw13, pw1 … pw13, pool, fc (conv2 … conv14 in the all-standard variant)
    type: str  # one of LAYER_TYPES
    kernel: int
    stride: int
    groups: int
    input_shape: tuple[int, int, int]  # (H, W, C)
    output_shape: tuple[int, int, int]
    macs: int
    params: int


@dataclass(frozen=True)
class NetSpec:
    alpha: float = 1.0
    resolution: int = 224
    classes: int = 1000
    standard_conv: bool = False  # Table 4's "Conv MobileNet": each separable pair -> full 3×3 conv

    def __post_init__(self) -> None:
        a = self.alpha
        if isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 < a <= 1:
            raise SpecError(f"alpha must be a number in (0, 1], not {a!r}")
        r = self.resolution
        if isinstance(r, bool) or not isinstance(r, int) or r < 32 or r % 32:
            raise SpecError(f"resolution must be a multiple of 32 and at least 32, not {r!r}")
        if r > 4096:
            raise SpecError(f"resolution {r} is larger than the limit 4096")
        c = self.classes
        if isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= 100_000:
            raise SpecError(f"classes must be a whole number from 1 to 100000, not {c!r}")

    def channels(self, c: int) -> int:
        """Width multiplier applied to a channel count: int(α·C), at least 1."""
        return max(1, int(self.alpha * c))

    @property
    def layers(self) -> tuple[NetLayer, ...]:
        return build_layers(self)

    @property
    def total_macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)


def _conv(name: str, kind: str, k: int, stride: int, h: int, w: int, cin: int, cout: int,
          groups: int = 1) -> NetLayer:
    ho, wo = -(-h // stride), -(-w // stride)  # TF "SAME" padding
    weights = k * k * (cin // groups) * cout
    return NetLayer(name, kind, k, stride, groups, (h, w, cin), (ho, wo, cout),
                    macs=ho * wo * weights, params=weights)


def build_layers(spec: NetSpec) -> tuple[NetLayer, ...]:
    r = spec.resolution
    c = spec.channels(FIRST_CONV_CHANNELS)
    layers = [_conv("conv1", "conv", 3, 2, r, r, 3, c)]
    for i, (stride, out) in enumerate(SEPARABLE_BLOCKS, start=1):
        h, w, cin = layers[-1].output_shape
        cout = spec.channels(out)
        if spec.standard_conv:
            layers.append(_conv(f"conv{i + 1}", "conv", 3, stride, h, w, cin, cout))
        else:
            dw = _conv(f"dw{i}", "depthwise", 3, stride, h, w, cin, cin, groups=cin)
            layers.append(dw)
            layers.append(_conv(f"pw{i}", "pointwise", 1, 1, *dw.output_shape[:2], cin, cout))
    h, w, cin = layers[-1].output_shape
    layers.append(NetLayer("pool", "pool", h, 1, 1, (h, w, cin), (1, 1, cin), 0, 0))
    layers.append(NetLayer("fc", "fc", 1, 1, 1, (1, 1, cin), (1, 1, spec.classes),
                           macs=cin * spec.classes, params=cin * spec.classes))
    return tuple(layers)


@dataclass(frozen=True)
class TypeSummary:
    type: str
    count: int
    macs: int
    params: int
    macs_percent: float
    params_percent: float


def summary_by_type(layers: tuple[NetLayer, ...]) -> tuple[TypeSummary, ...]:
    """Table 2 of the paper: the share of mult-adds and parameters per layer type."""
    total_macs = sum(l.macs for l in layers) or 1
    total_params = sum(l.params for l in layers) or 1
    rows = []
    for t in LAYER_TYPES:
        sel = [l for l in layers if l.type == t]
        if not sel:
            continue
        m, p = sum(l.macs for l in sel), sum(l.params for l in sel)
        rows.append(TypeSummary(t, len(sel), m, p, 100 * m / total_macs, 100 * p / total_params))
    return tuple(rows)
