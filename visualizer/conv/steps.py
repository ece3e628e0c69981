"""Lazy step sequences: one step computes one output cell of one path.

A sequence is a random-access view (len, indexing) whose steps are built on demand, so a
layer with millions of output cells costs nothing until a step is looked at, and the UI
can scrub back and forth.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from visualizer.conv import reference
from visualizer.conv.example import ConvExample

PATHS = ("standard", "depthwise", "pointwise")


@dataclass(frozen=True)
class Step:
    path: str  # "standard" (grouped when groups > 1), "depthwise" or "pointwise"
    index: int  # position within its path
    out_channel: int  # output channel being filled
    out_y: int
    out_x: int
    in_y: int  # top-left of the window in input coordinates (negative inside padding)
    in_x: int
    kernel: int  # window side (1 for pointwise)
    in_channels: tuple[int, ...]  # input channels the window reads
    window: np.ndarray  # (len(in_channels), k, k) input values, padding zeros included
    weights: np.ndarray  # same shape: the weights in use
    tally: int  # multiplications done on this path up to and including this step
    total: int  # multiplications of the whole path

    @property
    def products(self) -> np.ndarray:
        return self.window * self.weights

    @property
    def multiplications(self) -> int:
        return int(self.window.size)

    @property
    def running_sums(self) -> np.ndarray:
        """Partial sums after each product, in reading order (channel, row, column)."""
        return np.cumsum(self.products.ravel())

    @property
    def value(self) -> float:
        return float(self.products.sum())


class PathSteps(Sequence[Step]):
    """All steps of one path, ordered output channel → row → column."""

    def __init__(self, path: str, x: np.ndarray, w: np.ndarray, stride: int, padding: int,
                 groups: int) -> None:
        if path not in PATHS:
            raise ValueError(f"unknown path {path!r}")
        self.path, self.stride, self.padding, self.groups = path, stride, padding, groups
        self.w = w
        self.xp = reference.pad(np.asarray(x, dtype=np.float64), padding)
        c, hp, wp = self.xp.shape
        self.n, self.k = w.shape[0], w.shape[-1]
        self.out_h = (hp - self.k) // stride + 1
        self.out_w = (wp - self.k) // stride + 1
        self.per_step = self.k * self.k * w.shape[1]
        self._len = self.n * self.out_h * self.out_w

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        cells = self.out_h * self.out_w
        n, rest = divmod(i, cells)
        oy, ox = divmod(rest, self.out_w)
        cg = self.w.shape[1]
        g = n // (self.n // self.groups)
        chans = tuple(range(g * cg, (g + 1) * cg))
        y0, x0 = oy * self.stride, ox * self.stride
        window = self.xp[chans[0]:chans[-1] + 1, y0:y0 + self.k, x0:x0 + self.k]
        return Step(
            path=self.path, index=i, out_channel=n, out_y=oy, out_x=ox,
            in_y=y0 - self.padding, in_x=x0 - self.padding, kernel=self.k,
            in_channels=chans, window=window, weights=self.w[n],
            tally=(i + 1) * self.per_step, total=self._len * self.per_step,
        )

    def __iter__(self) -> Iterator[Step]:
        for i in range(self._len):
            yield self[i]


def standard_steps(ex: ConvExample) -> PathSteps:
    s = ex.spec
    return PathSteps("standard", ex.x, ex.standard_w, s.stride, s.padding, s.groups)


def depthwise_steps(ex: ConvExample) -> PathSteps:
    s = ex.spec
    return PathSteps("depthwise", ex.x, ex.depthwise_w, s.stride, s.padding, s.channels)


def pointwise_steps(ex: ConvExample) -> PathSteps:
    """Pointwise runs on the depthwise output, as in a depthwise-separable layer."""
    s = ex.spec
    mid = reference.depthwise(ex.x, ex.depthwise_w, s.stride, s.padding)
    return PathSteps("pointwise", mid, ex.pointwise_w, 1, 0, 1)


class SeparableSteps(Sequence[Step]):
    """Depthwise then pointwise as one continuous sequence."""

    def __init__(self, ex: ConvExample) -> None:
        self.depthwise = depthwise_steps(ex)
        self.pointwise = pointwise_steps(ex)

    def __len__(self) -> int:
        return len(self.depthwise) + len(self.pointwise)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        nd = len(self.depthwise)
        return self.depthwise[i] if i < nd else self.pointwise[i - nd]

    def tally_before_pointwise(self) -> int:
        return len(self.depthwise) * self.depthwise.per_step
