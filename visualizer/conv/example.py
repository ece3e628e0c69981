"""The tensors of the explorer: an input and the filters of each path, for one LayerSpec."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from visualizer.conv.layer import LayerError, LayerSpec

PRESETS = ("example", "random", "zeros", "ones")

#: Largest magnitude a cell may hold; larger values are rejected as absurd.
MAX_ABS_VALUE = 1e6

#: Most values an example (its four tensors plus the outputs of its paths) may hold:
#: 128 MiB of float64, enough for any layer of MobileNet V1 1.0-224, even as a standard
#: conv. LayerSpec's limits bound the counts, not memory (a 4096×4096×8192 input alone
#: would need a terabyte); the costs of larger layers need no example.
MAX_EXAMPLE_VALUES = 16 * 2**20


@dataclass(frozen=True)
class ConvExample:
    """Input (C, H, W); standard filters (N, C/groups, k, k); depthwise (C, 1, k, k);
    pointwise (N, C, 1, 1). Arrays are float64 and read-only: edits make a new example."""

    spec: LayerSpec
    x: np.ndarray
    standard_w: np.ndarray
    depthwise_w: np.ndarray
    pointwise_w: np.ndarray

    def __post_init__(self) -> None:
        for name, shape in shapes(self.spec).items():
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != shape:
                raise ValueError(f"{name} has shape {arr.shape}, the layer needs {shape}")
            view = arr.view()  # read-only view; the caller's array keeps its own flags
            view.flags.writeable = False
            object.__setattr__(self, name, view)

    def with_value(self, tensor: str, index: tuple[int, ...], value: float | str) -> "ConvExample":
        """A copy with one cell changed; raises ValueError for NaN, inf, absurd values or
        an unknown tensor, IndexError for an index that is not one cell of the tensor."""
        if tensor not in TENSORS:
            raise ValueError(f"unknown tensor {tensor!r}; choose one of {', '.join(TENSORS)}")
        value = check_value(value)
        arr = getattr(self, tensor)
        index = tuple(index)
        if (len(index) != arr.ndim
                or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                           for i in index)
                or not all(0 <= i < d for i, d in zip(index, arr.shape))):
            raise IndexError(f"{index} is not a cell of {tensor} {arr.shape}")
        arr = arr.copy()
        arr[index] = value
        return _replace(self, **{tensor: arr})


#: The tensors of an example, as named in ConvExample.
TENSORS = ("x", "standard_w", "depthwise_w", "pointwise_w")


def check_value(value: float | str) -> float:
    """The value as a float; ValueError (with a message fit for the user) for text that
    is not a number, NaN, ±inf or magnitudes beyond MAX_ABS_VALUE."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value!r} is not a number")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None
    except OverflowError:  # an int too large for a float
        raise ValueError(f"the value is too large (limit ±{MAX_ABS_VALUE:g})") from None
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


def example_values(spec: LayerSpec) -> int:
    """Values held by the tensors of an example and by the outputs of its three paths."""
    ho, wo, n = spec.output_shape
    tensors = sum(math.prod(shape) for shape in shapes(spec).values())
    return tensors + (n + spec.channels + n) * ho * wo


def make_example(spec: LayerSpec, preset: str = "example", seed: int = 0) -> ConvExample:
    """Small integers that are easy to multiply in one's head ("example"), random
    values in [-1, 1) rounded to 2 decimals ("random"), all zeros or all ones.

    Raises LayerError when the layer is too large to hold (see MAX_EXAMPLE_VALUES)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    values = example_values(spec)
    if values > MAX_EXAMPLE_VALUES:
        raise LayerError(f"this layer needs {values:,} values in memory, more than the "
                         f"explorer's limit of {MAX_EXAMPLE_VALUES:,}")
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
    """The example for a new spec: every cell whose index exists in both keeps its value
    (so edits survive a dimension change; kernels stay anchored at their top-left cell);
    new cells come from the "example" preset."""
    fresh = make_example(spec, "example", seed)
    arrays = {}
    for name in shapes(spec):
        old, new = getattr(ex, name), getattr(fresh, name).copy()
        common = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, new.shape))
        new[common] = old[common]
        arrays[name] = new
    return ConvExample(spec=spec, **arrays)
