"""Hypothesis strategies and brute-force helpers shared by the convolution tests.

The helpers here are deliberately naive (plain loops over the padded input) so that they
check the core independently of its closed forms and numpy tricks.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from visualizer.conv.layer import LayerSpec


@st.composite
def layer_specs(draw, max_side: int = 8, max_channels: int = 4, max_kernel: int = 4,
                max_per_group: int = 3) -> LayerSpec:
    """Valid layers of every kind: non-square, strided, padded, grouped, 1×1 kernels."""
    k = draw(st.integers(1, max_kernel))
    p = draw(st.integers(0, k - 1))
    lo = max(1, k - 2 * p)
    h = draw(st.integers(lo, max(lo, max_side)))
    w = draw(st.integers(lo, max(lo, max_side)))
    c = draw(st.integers(1, max_channels))
    g = draw(st.sampled_from([d for d in range(1, c + 1) if c % d == 0]))
    n = g * draw(st.integers(1, max_per_group))
    s = draw(st.integers(1, 3))
    return LayerSpec(height=h, width=w, channels=c, kernel=k, filters=n, stride=s,
                     padding=p, groups=g)


def window_origins(height: int, width: int, kernel: int, stride: int,
                   padding: int) -> list[tuple[int, int]]:
    """Top-left corners (in padded coordinates) of every window that fits, found by
    walking the padded input."""
    hp, wp = height + 2 * padding, width + 2 * padding
    origins = []
    y = 0
    while y + kernel <= hp:
        x = 0
        while x + kernel <= wp:
            origins.append((y, x))
            x += stride
        y += stride
    return origins


def brute_products(origins: list[tuple[int, int]], filters: int, channels_per_filter: int,
                   kernel: int) -> int:
    """Count weight×input products one by one."""
    count = 0
    for _ in origins:
        for _n in range(filters):
            for _c in range(channels_per_filter):
                for _i in range(kernel):
                    for _j in range(kernel):
                        count += 1
    return count


def brute_conv(x: np.ndarray, w: np.ndarray, stride: int, padding: int,
               groups: int) -> np.ndarray:
    """Grouped cross-correlation by explicit loops, reading zeros outside the input."""
    c, h, wd = x.shape
    n, cg, k, _ = w.shape
    origins = window_origins(h, wd, k, stride, padding)
    ho = len({y for y, _ in origins})
    wo = len({x0 for _, x0 in origins})
    out = np.zeros((n, ho, wo))
    per_group = n // groups
    for f in range(n):
        g = f // per_group
        for oy in range(ho):
            for ox in range(wo):
                total = 0.0
                for ci in range(cg):
                    for i in range(k):
                        for j in range(k):
                            y, xx = oy * stride + i - padding, ox * stride + j - padding
                            if 0 <= y < h and 0 <= xx < wd:
                                total += x[g * cg + ci, y, xx] * w[f, ci, i, j]
                out[f, oy, ox] = total
    return out
