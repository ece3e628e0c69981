"""The roofline of each paper layer: bytes it must move, mult-adds per byte, and the
GMAC/s it achieved.

Bytes moved at minimum: every input activation read once, every output activation
written once, every weight and bias read once, in the element size actually run
(float32; int8 keeps activations and weights in 1 byte, biases in int32). Where each
point sits against the roofs, in words: roofline_caption.py. Real
kernels move more (padding, layout reorders, re-reads when a tile leaves the cache), so
the intensity here is an upper bound and a point's height is what the layer achieved.

A layer's attainable speed is min(compute roof, intensity × memory bandwidth): a layer
whose intensity is below the ridge point (peak / bandwidth) is limited by memory, above
it by arithmetic. Mult-adds follow the paper's convention (mobilenet.py); the pool
counts none, so it has no point on the chart.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.model.rates import gmacs_per_s

#: Bytes per element of activations and weights; biases stay 4 bytes (float32 / int32).
DTYPE_BYTES = {"float32": 4, "float16": 2, "int8": 1, "uint8": 1}
BIAS_BYTES = 4


@dataclass(frozen=True)
class LayerTraffic:
    name: str
    type: str
    macs: int
    input_bytes: int
    output_bytes: int
    weight_bytes: int  # weights and biases

    @property
    def bytes(self) -> int:
        return self.input_bytes + self.output_bytes + self.weight_bytes

    @property
    def intensity(self) -> float:
        """Mult-adds per byte moved (0 for a layer without mult-adds)."""
        return self.macs / self.bytes if self.bytes else 0.0


def _elements(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _element_bytes(dtype: str) -> int:
    try:
        return DTYPE_BYTES[dtype]
    except KeyError:
        raise ValueError(f"unknown dtype {dtype!r}: expected one of "
                         f"{', '.join(DTYPE_BYTES)}") from None


def layer_traffic(layer: NetLayer, dtype: str = "float32") -> LayerTraffic:
    """The minimum bytes `layer` moves when run in `dtype`."""
    size = _element_bytes(dtype)
    biases = layer.output_shape[2] if layer.params else 0
    return LayerTraffic(layer.name, layer.type, layer.macs,
                        _elements(layer.input_shape) * size,
                        _elements(layer.output_shape) * size,
                        layer.params * size + biases * BIAS_BYTES)


def network_traffic(layers: tuple[NetLayer, ...],
                    dtype: str = "float32") -> tuple[LayerTraffic, ...]:
    return tuple(layer_traffic(l, dtype) for l in layers)


@dataclass(frozen=True)
class RooflinePoint:
    name: str
    type: str
    macs: int
    bytes: int
    intensity: float
    gmacs_per_s: float | None  # None until the layer has a time of its own


def roofline_points(layers: tuple[NetLayer, ...], mean_ms: dict[str, float],
                    dtype: str = "float32") -> tuple[RooflinePoint, ...]:
    """One point per paper layer with mult-adds (the pool has none)."""
    return tuple(RooflinePoint(t.name, t.type, t.macs, t.bytes, t.intensity,
                               gmacs_per_s(t.macs, mean_ms.get(t.name)))
                 for t in network_traffic(layers, dtype) if t.macs > 0)


def attainable(intensity: float, peak_gmacs: float, bandwidth_gbs: float) -> float:
    """The roofline: min(compute roof, intensity × bandwidth), in GMAC/s."""
    return min(peak_gmacs, intensity * bandwidth_gbs)


def ridge(peak_gmacs: float, bandwidth_gbs: float) -> float:
    """Intensity (MAC/byte) where the memory roof meets the compute roof."""
    return peak_gmacs / bandwidth_gbs if bandwidth_gbs > 0 else math.inf


@dataclass(frozen=True)
class TypeRange:
    type: str
    low: float
    high: float
    gmacs_low: float | None
    gmacs_high: float | None


def type_ranges(points: tuple[RooflinePoint, ...]) -> dict[str, TypeRange]:
    """Lowest and highest intensity (and achieved GMAC/s, when timed) per layer type."""
    out: dict[str, TypeRange] = {}
    for t in {p.type for p in points}:
        sel = [p for p in points if p.type == t]
        speeds = [p.gmacs_per_s for p in sel if p.gmacs_per_s is not None]
        out[t] = TypeRange(t, min(p.intensity for p in sel), max(p.intensity for p in sel),
                           min(speeds) if speeds else None, max(speeds) if speeds else None)
    return out
