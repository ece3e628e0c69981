"""A frame made ready for the live demo once, on the thread that decoded it.

The live demo needs two things of a frame, both much smaller than the frame: the network's
input (the central square at the model's resolution, R×R) and a picture to show (about the
size of its view). A `LiveFrame` carries just those, so no full-resolution RGB copy of the
frame travels between threads, is converted again on the inference thread, or is scaled
down by the window on every paint. Video frames get them straight from their planes
(yuv.prepare_video_frame); decoded images here (`from_rgb`, and `from_pil` for an image
Pillow decoded, which never becomes a full-size array).

No Qt here: tests check it against the reference path (full conversion, then
net.runtime.preprocess.resize_rgb).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visualizer.net.runtime.preprocess import center_square, resize_rgb

#: the preview's longer side is at least this, unless the frame is smaller
DEFAULT_PREVIEW_SIDE = 640


@dataclass(frozen=True)
class Targets:
    """What to make of each frame: the network's input side (None: no model yet) and the
    shortest acceptable length of the preview's longer side (about its view's size)."""
    resolution: int | None = None
    preview_side: int = DEFAULT_PREVIEW_SIDE


@dataclass(frozen=True, eq=False)
class LiveFrame:
    """One frame for the live demo. Arrays are read-only and owned by the frame."""
    preview: np.ndarray  # (h, w, 3) uint8: the picture to show, the frame's aspect kept
    net_input: np.ndarray | None  # (R, R, 3) uint8: the central square at the model's R
    size: tuple[int, int]  # (height, width) of the frame as decoded and oriented

    def __post_init__(self) -> None:
        for a in (self.preview, self.net_input):
            if a is not None:
                a.flags.writeable = False


def preview_halvings(height: int, width: int, side: int) -> int:
    """How many times a frame can be halved while its longer side stays >= `side`."""
    k, longer = 0, max(height, width)
    while longer // 2 ** (k + 1) >= max(side, 1):
        k += 1
    return k


def _quad_sums(a: np.ndarray) -> np.ndarray:
    """Sums of `a`'s 2×2 blocks (odd edges dropped); unsigned integers are summed in a
    wider unsigned type (no overflow, no float copy), anything else in its own."""
    h, w = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
    if a.dtype.kind != "u":
        return a[0:h:2, 0:w:2] + a[1:h:2, 0:w:2] + a[0:h:2, 1:w:2] + a[1:h:2, 1:w:2]
    s = a[0:h:2, 0:w:2].astype(np.uint32 if a.itemsize > 1 else np.uint16)
    s += a[1:h:2, 0:w:2]
    s += a[0:h:2, 1:w:2]
    s += a[1:h:2, 1:w:2]
    return s


def halve(a: np.ndarray, times: int = 1) -> np.ndarray:
    """`a` (H, W[, C]) box-averaged by 2 `times` times, as float32 (odd edges dropped)."""
    for _ in range(times):
        if a.dtype.kind == "u":  # integer sums first: no full-size float copy
            a = _quad_sums(a).astype(np.float32)
            a *= np.float32(0.25)
        else:
            a = _quad_sums(a) * np.float32(0.25)
    return a.astype(np.float32, copy=False)


def box_halve(rgb: np.ndarray, times: int) -> np.ndarray:
    """(H, W, 3) uint8 box-averaged by 2 `times` times (odd edges dropped), rounded
    after each halving (integer sums throughout)."""
    a = rgb
    for _ in range(times):
        a = ((_quad_sums(a) + 2) >> 2).astype(np.uint8)
    return a


def from_rgb(rgb: np.ndarray, targets: Targets) -> LiveFrame:
    """A LiveFrame of an (H, W, 3) uint8 frame (decoded image, Qt-converted frame)."""
    h, w = rgb.shape[:2]
    net = resize_rgb(rgb, targets.resolution) if targets.resolution else None
    k = preview_halvings(h, w, targets.preview_side)
    preview = box_halve(rgb, k) if k else rgb
    return LiveFrame(np.array(preview, copy=True), None if net is None else
                     np.array(net, copy=True), (h, w))


def from_pil(image, targets: Targets) -> LiveFrame:
    """A LiveFrame of an RGB PIL image, made in Pillow (C, the GIL released) so that only
    the two small results become arrays: the network's input exactly as
    `resize_rgb(np.asarray(image))` makes it, the preview box-averaged 2^k × 2^k at once
    (`Image.reduce`, odd edges dropped as `box_halve` drops them; within one level of it)."""
    from PIL import Image

    w, h = image.size
    net = None
    if targets.resolution:
        square = image.crop(center_square(h, w))
        r = targets.resolution
        net = np.asarray(square if square.size == (r, r) else
                         square.resize((r, r), Image.Resampling.BILINEAR))
    k = preview_halvings(h, w, targets.preview_side)
    if k:
        f = 2 ** k
        image = image.reduce(f, box=(0, 0, w // f * f, h // f * f))
    return LiveFrame(np.array(image, copy=True), None if net is None else
                     np.array(net, copy=True), (h, w))
