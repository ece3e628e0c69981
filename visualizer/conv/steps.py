"""Lazy step sequences: one step computes one output cell of one path.

A sequence is a random-access view (len, indexing) whose steps are built on demand, so a
layer with millions of output cells costs nothing until a step is looked at, and the UI
can scrub back and forth. Nothing proportional to the layer is allocated up front: the
input is neither padded nor copied (each step cuts its own k×k window, padding zeros
included), and the pointwise path computes the depthwise values it reads per step.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

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


def _readonly(a: np.ndarray) -> np.ndarray:
    view = np.asarray(a, dtype=np.float64).view()
    view.flags.writeable = False
    return view


def _cut(x: np.ndarray, y0: int, x0: int, k: int) -> np.ndarray:
    """The (C, k, k) window of x whose top-left is (y0, x0), zeros where it leaves x."""
    c, h, w = x.shape
    out = np.zeros((c, k, k))
    ya, yb = max(y0, 0), min(y0 + k, h)
    xa, xb = max(x0, 0), min(x0 + k, w)
    if ya < yb and xa < xb:
        out[:, ya - y0:yb - y0, xa - x0:xb - x0] = x[:, ya:yb, xa:xb]
    return out


def _index(i: object, length: int) -> int:
    i = operator.index(i)
    if i < 0:
        i += length
    if not 0 <= i < length:
        raise IndexError(f"step {i} is outside 0 … {length - 1}")
    return i


class PathSteps(Sequence[Step]):
    """All steps of one path, ordered output channel → row → column.

    x is (C, H, W); w is (N, C/groups, k, k) in ONNX layout.
    """

    def __init__(self, path: str, x: np.ndarray, w: np.ndarray, stride: int, padding: int,
                 groups: int) -> None:
        if path not in PATHS:
            raise ValueError(f"unknown path {path!r}")
        self.path, self.stride, self.padding, self.groups = path, stride, padding, groups
        self.x = _readonly(x)
        self.w = _readonly(w)
        c, h, wd = self.x.shape
        self.n, self.k = self.w.shape[0], self.w.shape[-1]
        if c % groups or self.n % groups or self.w.shape[1] != c // groups:
            raise ValueError(f"weights {self.w.shape} do not fit input {self.x.shape} "
                             f"with groups={groups}")
        self.out_h = (h + 2 * padding - self.k) // stride + 1
        self.out_w = (wd + 2 * padding - self.k) // stride + 1
        self.per_step = self.k * self.k * self.w.shape[1]
        self._len = self.n * self.out_h * self.out_w

    def __len__(self) -> int:
        return self._len

    def _window(self, chans: tuple[int, ...], oy: int, ox: int) -> np.ndarray:
        y0, x0 = oy * self.stride - self.padding, ox * self.stride - self.padding
        return _cut(self.x[chans[0]:chans[-1] + 1], y0, x0, self.k)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        i = _index(i, self._len)
        n, rest = divmod(i, self.out_h * self.out_w)
        oy, ox = divmod(rest, self.out_w)
        cg = self.w.shape[1]
        g = n // (self.n // self.groups)
        chans = tuple(range(g * cg, (g + 1) * cg))
        window = self._window(chans, oy, ox)
        window.flags.writeable = False
        return Step(
            path=self.path, index=i, out_channel=n, out_y=oy, out_x=ox,
            in_y=oy * self.stride - self.padding, in_x=ox * self.stride - self.padding,
            kernel=self.k, in_channels=chans, window=window, weights=self.w[n],
            tally=(i + 1) * self.per_step, total=self._len * self.per_step,
        )

    def __iter__(self) -> Iterator[Step]:
        for i in range(self._len):
            yield self[i]


class _PointwiseSteps(PathSteps):
    """Pointwise steps over the depthwise output, whose values are computed per step."""

    def __init__(self, ex: ConvExample) -> None:
        s = ex.spec
        self._dw = PathSteps("depthwise", ex.x, ex.depthwise_w, s.stride, s.padding, s.channels)
        shape = (s.channels, self._dw.out_h, self._dw.out_w)
        # A zero-cost stand-in with the depthwise output's shape; values come from _window.
        super().__init__("pointwise", np.broadcast_to(np.float64(0), shape), ex.pointwise_w,
                         1, 0, 1)

    def _window(self, chans: tuple[int, ...], oy: int, ox: int) -> np.ndarray:
        d = self._dw
        win = _cut(d.x, oy * d.stride - d.padding, ox * d.stride - d.padding, d.k)
        column = np.einsum("cij,cij->c", win, d.w[:, 0])
        return column[chans[0]:chans[-1] + 1, None, None]


def standard_steps(ex: ConvExample) -> PathSteps:
    s = ex.spec
    return PathSteps("standard", ex.x, ex.standard_w, s.stride, s.padding, s.groups)


def depthwise_steps(ex: ConvExample) -> PathSteps:
    s = ex.spec
    return PathSteps("depthwise", ex.x, ex.depthwise_w, s.stride, s.padding, s.channels)


def pointwise_steps(ex: ConvExample) -> PathSteps:
    """Pointwise runs on the depthwise output, as in a depthwise-separable layer."""
    return _PointwiseSteps(ex)


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
        i = _index(i, len(self))
        nd = len(self.depthwise)
        return self.depthwise[i] if i < nd else self.pointwise[i - nd]

    def __iter__(self) -> Iterator[Step]:
        yield from self.depthwise
        yield from self.pointwise

    def tally_before_pointwise(self) -> int:
        return len(self.depthwise) * self.depthwise.per_step
