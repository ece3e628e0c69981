"""The tensors of the explorer: an input and the filters of each path, for one LayerSpec."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visualizer.conv.layer import LayerSpec

PRESETS = ("example", "random", "zeros", "ones")

#: Largest magnitude a cell may hold; larger values are rejected as absurd.
MAX_ABS_VALUE = 1e6


@dataclass(frozen=True)
class ConvExample:
    """Input (C, H, W); standard filters (N, C/groups, k, k); depthwise (C, 1, k, k);
    pointwise (N, C, 1, 1). Arrays are float64 and never mutated in place."""

    spec: LayerSpec
    x: np.ndarray
    standard_w: np.ndarray
    depthwise_w: np.ndarray
    pointwise_w: np.ndarray

    def with_value(self, tensor: str, index: tuple[int, ...], value: float) -> "ConvExample":
        """A copy with one cell changed; raises ValueError for NaN, inf or absurd values."""
        value = check_value(value)
        arr = getattr(self, tensor).copy()
        arr[index] = value
        return _replace(self, **{tensor: arr})


def check_value(value: float | str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None
    if not np.isfinite(v):
        raise ValueError(f"{value!r} is not a finite number")
    if abs(v) > MAX_ABS_VALUE:
        raise ValueError(f"{v:g} is too large (limit ±{MAX_ABS_VALUE:g})")
    return v


def _replace(ex: ConvExample, **arrays: np.ndarray) -> ConvExample:
    d = dict(spec=ex.spec, x=ex.x, standard_w=ex.standard_w, depthwise_w=ex.depthwise_w,
             pointwise_w=ex.pointwise_w)
    d.update(arrays)
    return ConvExample(**d)


def shapes(spec: LayerSpec) -> dict[str, tuple[int, ...]]:
    k, c, n = spec.kernel, spec.channels, spec.filters
    return {
        "x": (c, spec.height, spec.width),
        "standard_w": (n, spec.channels_per_group, k, k),
        "depthwise_w": (c, 1, k, k),
        "pointwise_w": (n, c, 1, 1),
    }


def make_example(spec: LayerSpec, preset: str = "example", seed: int = 0) -> ConvExample:
    """Small integers that are easy to multiply in one's head ("example"), random
    values in [-1, 1) rounded to 2 decimals ("random"), all zeros or all ones."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    rng = np.random.default_rng(seed)
    arrays = {}
    for name, shape in shapes(spec).items():
        if preset == "zeros":
            a = np.zeros(shape)
        elif preset == "ones":
            a = np.ones(shape)
        elif preset == "random":
            a = np.round(rng.uniform(-1.0, 1.0, shape), 2)
        elif name == "x":
            a = rng.integers(0, 10, shape).astype(np.float64)
        else:
            a = rng.integers(-1, 3, shape).astype(np.float64)
        arrays[name] = a
    return ConvExample(spec=spec, **arrays)


def resize(ex: ConvExample, spec: LayerSpec, seed: int = 0) -> ConvExample:
    """The example for a new spec: cells that still exist keep their values (so edits
    survive a dimension change); new cells come from the "example" preset."""
    fresh = make_example(spec, "example", seed)
    arrays = {}
    for name in shapes(spec):
        old, new = getattr(ex, name), getattr(fresh, name).copy()
        if name == "standard_w" and ex.spec.channels_per_group != spec.channels_per_group:
            arrays[name] = new
            continue
        common = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, new.shape))
        if old.shape[-1] == new.shape[-1] or name == "x":
            new[common] = old[common]
        arrays[name] = new
    return ConvExample(spec=spec, **arrays)
