"""Output cells computed so far, computed only for the part of the output a view shows."""
from __future__ import annotations

import numpy as np

from visualizer.conv.layer import LayerSpec

#: Multiplications up to which an output is computed whole (a few ms at most) instead of
#: crop by crop on every step.
FULL_OUTPUT_LIMIT = 2_000_000


class FilledView:
    """Read-only (C, H, W) view of one output that computes only the cells sliced from it:
    `view[c, r0:r1, c0:c1]`. Keeps a 64×64×64 layer with 256 filters instant to show."""

    def __init__(self, ex, which: str) -> None:
        """`ex`: the Explorer (conv/explorer.py, which uses this view) whose output it is;
        `which`: standard, depthwise or pointwise."""
        self.ex, self.which = ex, which
        ho, wo, n = ex.spec.output_shape
        self.shape = (ex.spec.channels if which == "depthwise" else n, ho, wo)
        #: cell (ch, position) is the (ch·a + position·b + offset)-th computed; the first
        #: `done` are computed (channel-major paths: a = H·W, b = 1; the race: by position)
        self.a, self.b, self.offset, self.done = ex.fill_order(which)

    def computed(self, ch: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """Which cells of rows r0…r1-1, columns c0…c1-1 of channel ch are computed."""
        w = self.shape[2]
        pos = np.arange(r0, r1)[:, None] * w + np.arange(c0, c1)[None, :]
        return ch * self.a + pos * self.b + self.offset < self.done

    def __getitem__(self, key: tuple[int, slice, slice]) -> np.ndarray:
        ch, rows, cols = key
        _, h, w = self.shape
        r0, r1, _ = rows.indices(h)
        c0, c1, _ = cols.indices(w)
        out = np.full((r1 - r0, c1 - c0), np.nan)
        if r1 <= r0 or c1 <= c0 or self.done <= ch * self.a + (r0 * w + c0) * self.b + self.offset:
            return out  # nothing of this crop is computed yet
        if self.which + "_out" in self.ex._cache or self._cheap():
            vals = getattr(self.ex, self.which + "_out")[ch, r0:r1, c0:c1]  # cached
        else:
            vals = self._compute(ch, r0, r1, c0, c1)
        return np.where(self.computed(ch, r0, r1, c0, c1), vals, np.nan)

    def _cheap(self) -> bool:
        """Whole output computed once (then sliced on every step) when that is quick."""
        c = self.ex.costs
        macs = {"standard": c.grouped, "depthwise": c.depthwise}.get(self.which, c.separable)
        return macs <= FULL_OUTPUT_LIMIT

    def _compute(self, ch: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        ex, s = self.ex.example, self.ex.spec
        if self.which == "pointwise":
            mid = np.stack([_window_conv(ex.x[c], ex.depthwise_w[c, 0], s, r0, r1, c0, c1)
                            for c in range(s.channels)])
            return np.einsum("chw,c->hw", mid, ex.pointwise_w[ch, :, 0, 0])
        if self.which == "depthwise":
            return _window_conv(ex.x[ch], ex.depthwise_w[ch, 0], s, r0, r1, c0, c1)
        cg = s.channels_per_group
        g = ch // (s.filters // s.groups)
        return sum(_window_conv(ex.x[g * cg + j], ex.standard_w[ch, j], s, r0, r1, c0, c1)
                   for j in range(cg))


def _window_conv(x: np.ndarray, w: np.ndarray, s: LayerSpec, r0: int, r1: int, c0: int,
                 c1: int) -> np.ndarray:
    """Output rows r0…r1-1, columns c0…c1-1 of one channel's k×k correlation."""
    k, st, p = s.kernel, s.stride, s.padding
    xp = np.pad(x, p) if p else x
    part = xp[r0 * st:(r1 - 1) * st + k, c0 * st:(c1 - 1) * st + k]
    win = np.lib.stride_tricks.sliding_window_view(part, (k, k))[::st, ::st]
    return np.einsum("hwij,ij->hw", win, w)
