"""The roofline of each paper layer: bytes it must move, mult-adds per byte, and the
GMAC/s it achieved.

Bytes moved at minimum: every input activation read once, every output activation
written once, every weight and bias read once, in the element size actually run
(float32 today; int8 keeps activations and weights in 1 byte, biases in int32). Real
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


def _span(lo: float, hi: float, fmt: str = ".2f") -> str:
    return f"{lo:{fmt}}" if f"{lo:{fmt}}" == f"{hi:{fmt}}" else f"{lo:{fmt}}–{hi:{fmt}}"


def _side(r: TypeRange, dram_ridge: float, cache_ridge: float) -> str:
    """Where a type's intensities lie against the two ridges, in words."""
    def against(ridge_: float, name: str) -> str:
        if r.high < ridge_:
            return f"left of the {name} ridge"
        if r.low >= ridge_:
            return f"right of the {name} ridge"
        return f"across the {name} ridge"
    if r.high < min(dram_ridge, cache_ridge):
        return "left of both ridges"
    if r.low >= max(dram_ridge, cache_ridge):
        return "right of both ridges"
    return f"{against(dram_ridge, 'main-memory')} and {against(cache_ridge, 'in-cache')}"


def explain(points: tuple[RooflinePoint, ...], peak_gmacs: float | None = None,
            bandwidth_gbs: float | None = None, cache_bandwidth_gbs: float | None = None,
            dtype: str = "float32") -> str:
    """Why depthwise layers sit under the memory roof and pointwise ones near the compute
    roof, in the numbers of `points` and the roofs (None: not measured yet)."""
    r = type_ranges(points)
    dw, pw, fc = r.get("depthwise"), r.get("pointwise"), r.get("fc")
    if dw is None or pw is None:
        return ("Each point is one layer: mult-adds per byte it must move (x) against the "
                "GMAC/s it achieved (y).")
    text = (f"Each point is one layer: x = mult-adds per byte it must move at least "
            f"(inputs, outputs and weights in {dtype}), y = GMAC/s it achieved. Depthwise "
            f"layers do only {_span(dw.low, dw.high)} mult-adds per byte, pointwise "
            f"{_span(pw.low, pw.high, '.1f')}")
    text += f", the FC {fc.low:.2f}." if fc else "."
    roofs = (peak_gmacs, bandwidth_gbs, cache_bandwidth_gbs)
    if any(v is None or v <= 0 for v in roofs):
        return text + " The roofs of this computer are being measured."
    if dtype != "float32":
        text += (f" (The compute roof is measured in float32: {dtype} kernels with "
                 "dot-product instructions can rise above it.)")
    assert peak_gmacs and bandwidth_gbs and cache_bandwidth_gbs
    cache_ridge, dram_ridge = ridge(peak_gmacs, cache_bandwidth_gbs), \
        ridge(peak_gmacs, bandwidth_gbs)
    dram_cap = (attainable(dw.low, peak_gmacs, bandwidth_gbs),
                attainable(dw.high, peak_gmacs, bandwidth_gbs))
    cache_cap = (attainable(dw.low, peak_gmacs, cache_bandwidth_gbs),
                 attainable(dw.high, peak_gmacs, cache_bandwidth_gbs))
    text += (f" The roofs meet (the ridge) at {dram_ridge:.1f} MAC/byte from main memory "
             f"({bandwidth_gbs:.0f} GB/s) and {cache_ridge:.1f} in cache "
             f"({cache_bandwidth_gbs:.0f} GB/s). Depthwise layers sit "
             f"{_side(dw, dram_ridge, cache_ridge)}: memory, not arithmetic, caps them at {_span(*dram_cap, '.0f')} GMAC/s from "
             f"main memory ({_span(*cache_cap, '.0f')} from cache)")
    if dw.gmacs_low is not None:
        text += f"; they reach {_span(dw.gmacs_low, dw.gmacs_high, '.1f')}"
    text += (f". Pointwise layers sit {_side(pw, dram_ridge, cache_ridge)}, so "
             f"{'only ' if pw.low >= dram_ridge else 'from cache only '}the compute roof "
             f"({peak_gmacs:.0f} GMAC/s) limits them")
    if pw.gmacs_low is not None:
        text += (f"; they reach {_span(pw.gmacs_low, pw.gmacs_high, '.0f')} GMAC/s "
                 f"(up to {100 * pw.gmacs_high / peak_gmacs:.0f}% of it)")
    return text + "."
