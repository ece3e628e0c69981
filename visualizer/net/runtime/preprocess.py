"""From a camera/video/photo frame to the network input.

Central square crop, resize to the model's resolution with Pillow's antialiased bilinear
filter (a triangle filter widened by the downscale factor, so large frames are averaged,
not aliased), rounding to uint8 as the quantized checkpoints see their input, then
(x - mean) / std as float32 NCHW [1, 3, R, R].
"""
from __future__ import annotations

import numpy as np
from PIL import Image


class PreprocessError(ValueError):
    """A frame that cannot be turned into a network input; the message says why."""


def as_rgb(frame: np.ndarray) -> np.ndarray:
    """`frame` as an (H, W, 3) uint8 array: grayscale is repeated, alpha is dropped.

    Integer frames with values in 0..255 are accepted; anything else raises PreprocessError.
    """
    a = np.asarray(frame)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)):
        raise PreprocessError(f"a frame must be H×W gray, H×W×3 RGB or H×W×4 RGBA, "
                              f"not an array of shape {a.shape}")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise PreprocessError(f"the frame is empty (shape {a.shape})")
    if a.dtype != np.uint8:
        if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
            raise PreprocessError(f"a frame must hold uint8 values 0..255, not {a.dtype}")
        lo, hi = int(a.min()), int(a.max())
        if lo < 0 or hi > 255:
            raise PreprocessError(f"frame values {lo}..{hi} are outside 0..255")
        a = a.astype(np.uint8)
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    elif a.shape[2] == 4:
        a = a[:, :, :3]
    return a


def center_square(height: int, width: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the largest centred square of a height×width frame."""
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return left, top, left + side, top + side


def resize_rgb(frame_rgb: np.ndarray, resolution: int) -> np.ndarray:
    """Central square crop of an (H, W, 3) uint8 frame resized to (R, R, 3) uint8."""
    h, w = frame_rgb.shape[:2]
    left, top, right, bottom = center_square(h, w)
    # Crop first: with resize(box=...) the filter would reach past the box's edges.
    crop = np.ascontiguousarray(frame_rgb[top:bottom, left:right])
    if crop.shape[0] == resolution:
        return crop
    out = Image.fromarray(crop).resize((resolution, resolution), Image.Resampling.BILINEAR)
    return np.asarray(out)


def preprocess(frame_rgb_uint8: np.ndarray, resolution: int, mean: float,
               std: float) -> np.ndarray:
    """The network input [1, 3, R, R] float32 for a frame of any size (see module doc).

    Raises PreprocessError for empty or malformed frames or a non-positive std.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1:
        raise PreprocessError(f"resolution must be a positive whole number, not {resolution!r}")
    if not np.isfinite(std) or std <= 0 or not np.isfinite(mean):
        raise PreprocessError(f"normalisation needs a finite mean and std > 0, "
                              f"not mean={mean!r}, std={std!r}")
    rgb = resize_rgb(as_rgb(frame_rgb_uint8), resolution)
    x = (rgb.astype(np.float32) - np.float32(mean)) * np.float32(1.0 / std)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])
