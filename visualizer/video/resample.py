"""Pillow's antialiased bilinear resize as explicit taps, applied to video planes.

The network's input is the central square of a frame resized with Pillow's BILINEAR
filter (net.runtime.preprocess.resize_rgb), normally after converting the whole frame to
RGB. Converting is affine, so resizing the Y, U and V planes first and converting only the
R×R result gives the same picture, up to rounding, for a fraction of the work, provided
each plane is resized with exactly the weights the RGB resize would have used: Pillow's
triangle filter, widened by the downscale factor, with the crop's edges clamped (the
square is cut first), and, for the subsampled chroma planes, the nearest-neighbour
upsampling of the full conversion folded into the weights. `axis_taps` computes those
weights once per frame size; `resample` applies them (a few gathers and sums).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


def _pillow_weights(in_len: int, out_len: int) -> tuple[np.ndarray, np.ndarray]:
    """(first input index, weights (out_len, taps)) of Pillow's bilinear resample of an
    axis of `in_len` samples to `out_len` (libImaging/Resample.c, precompute_coeffs)."""
    scale = in_len / out_len
    filterscale = max(scale, 1.0)
    support = 1.0 * filterscale  # the bilinear filter's support is 1
    taps = int(np.ceil(support)) * 2 + 1
    first = np.zeros(out_len, np.int64)
    weights = np.zeros((out_len, taps), np.float64)
    for i in range(out_len):
        center = (i + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_len)
        x = np.arange(xmin, xmax)
        w = np.clip(1.0 - np.abs((x - center + 0.5) / filterscale), 0.0, None)
        total = w.sum()
        if total:
            w /= total
        first[i] = xmin
        weights[i, : len(w)] = w
    return first, weights


@lru_cache(maxsize=32)
def axis_taps(start: int, stop: int, out_len: int, sub: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(indices, weights), each (out_len, taps), that resize the samples [start, stop) of
    a full-resolution axis to `out_len`, read from a plane subsampled by `sub` (index
    x // sub of the plane stands for full-resolution sample x, as the full conversion
    repeats it). Indices point into the plane; weights sum to 1 per output."""
    first, w = _pillow_weights(stop - start, out_len)
    full = start + first[:, None] + np.arange(w.shape[1])[None, :]  # full-res indices
    full = np.minimum(full, stop - 1)  # beyond the row's taps: weight 0, any valid index
    idx = full // sub
    if sub > 1:  # merge the taps that read the same subsampled sample
        lo = idx[:, :1]
        span = idx - lo
        merged = np.zeros_like(w)
        np.add.at(merged, (np.arange(out_len)[:, None], span), w)
        idx = lo + np.arange(w.shape[1])[None, :]
        idx = np.minimum(idx, (stop - 1) // sub)
        w = merged
    return idx.astype(np.intp), w.astype(np.float32)


def resample(plane: np.ndarray, rows: tuple[np.ndarray, np.ndarray],
             cols: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(len(rows), len(cols)) float32: `plane` resized with the given taps (columns first,
    as Pillow does)."""
    ri, rw = rows
    ci, cw = cols
    r0, r1, c0, c1 = ri.min(), ri.max() + 1, ci.min(), ci.max() + 1
    part = plane[r0:r1, c0:c1].astype(np.float32)  # only the samples the taps read
    across = np.einsum("rot,ot->ro", part[:, ci - c0], cw)  # (rows, out cols)
    return np.einsum("otc,ot->oc", across[ri - r0], rw)
