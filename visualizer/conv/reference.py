"""Reference convolutions in numpy, channels-first like ONNX: x is (C, H, W).

Weights follow ONNX `Conv`: (N, C_in/groups, k, k). Results are float64.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pad(x: np.ndarray, padding: int) -> np.ndarray:
    if padding == 0:
        return x
    return np.pad(x, ((0, 0), (padding, padding), (padding, padding)))


def conv2d(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0,
           groups: int = 1) -> np.ndarray:
    """Grouped 2-D cross-correlation: (C, H, W) * (N, C/groups, k, k) -> (N, H_out, W_out)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    c, n, k = x.shape[0], w.shape[0], w.shape[-1]
    if c % groups or n % groups or w.shape[1] != c // groups:
        raise ValueError(f"weights {w.shape} do not fit input {x.shape} with groups={groups}")
    windows = sliding_window_view(pad(x, padding), (k, k), axis=(1, 2))[:, ::stride, ::stride]
    cg, ng = c // groups, n // groups
    out = [
        np.einsum("chwij,ncij->nhw", windows[g * cg:(g + 1) * cg], w[g * ng:(g + 1) * ng],
                  optimize=True)
        for g in range(groups)
    ]
    return np.concatenate(out, axis=0)


def depthwise(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """One k×k filter per channel: w is (C, 1, k, k)."""
    return conv2d(x, w, stride, padding, groups=x.shape[0])


def pointwise(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """1×1 convolution mixing channels: w is (N, C, 1, 1)."""
    return conv2d(x, w)


def separable(x: np.ndarray, w_dw: np.ndarray, w_pw: np.ndarray, stride: int = 1,
              padding: int = 0) -> np.ndarray:
    return pointwise(depthwise(x, w_dw, stride, padding), w_pw)
