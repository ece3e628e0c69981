"""Video frames to RGB numpy arrays straight from their mapped planes, at a reduced size.

Why not QVideoFrame.toImage(): PySide keeps the GIL for the whole call (6 ms for a 1080p
frame, tens of ms at 4K), so converting with it on a worker thread would still stall every
Python slot of the GUI thread; numpy releases the GIL in its loops. And toImage() works at
full size only, while the network needs ~224 px and the preview a few hundred: a frame is
box-averaged by 2 while its shorter side stays >= MIN_SHORT_SIDE (1080p -> 960×540, 4K ->
960×540, 720p kept whole), which the 4:2:0 formats give almost for free (their chroma is
already at half size) and which keeps the picture: each output pixel is the mean of the
pixels it covers, the low-pass the network's antialiased resize applies anyway.

Colour: the frame's YCbCr matrix (BT.601 when untagged, as encoders assume by default and
Qt converts) and range (video range unless tagged full).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtMultimedia import QtVideo, QVideoFrame, QVideoFrameFormat

from visualizer.net.runtime.preprocess import center_square, resize_rgb
from visualizer.video.live_frame import (LiveFrame, Targets, box_halve, halve,
                                         preview_halvings)
from visualizer.video.resample import axis_taps, resample

_F = QVideoFrameFormat.PixelFormat
#: A frame is halved while its shorter side stays at least this long.
MIN_SHORT_SIDE = 480
#: (Kr, Kb) of the YCbCr -> RGB matrices
_KR_KB = {QVideoFrameFormat.ColorSpace.ColorSpace_BT601: (0.299, 0.114),
          QVideoFrameFormat.ColorSpace.ColorSpace_BT709: (0.2126, 0.0722),
          QVideoFrameFormat.ColorSpace.ColorSpace_BT2020: (0.2627, 0.0593)}
#: YUV layouts: (chroma subsampling (rows, cols), how the planes are read)
_YUV = {_F.Format_YUV420P: ((2, 2), "planar"), _F.Format_YV12: ((2, 2), "planar-vu"),
        _F.Format_NV12: ((2, 2), "uv"), _F.Format_NV21: ((2, 2), "vu"),
        _F.Format_YUV420P10: ((2, 2), "planar16"), _F.Format_P010: ((2, 2), "uv16"),
        _F.Format_P016: ((2, 2), "uv16"), _F.Format_YUV422P: ((1, 2), "planar"),
        _F.Format_YUYV: ((1, 2), "yuyv"), _F.Format_UYVY: ((1, 2), "uyvy")}
#: packed 32-bit RGB: byte offsets of R, G, B
_RGB32 = {_F.Format_ARGB8888: (1, 2, 3), _F.Format_ARGB8888_Premultiplied: (1, 2, 3),
          _F.Format_XRGB8888: (1, 2, 3), _F.Format_BGRA8888: (2, 1, 0),
          _F.Format_BGRA8888_Premultiplied: (2, 1, 0), _F.Format_BGRX8888: (2, 1, 0),
          _F.Format_ABGR8888: (3, 2, 1), _F.Format_XBGR8888: (3, 2, 1),
          _F.Format_RGBA8888: (0, 1, 2), _F.Format_RGBX8888: (0, 1, 2)}


def readable_formats() -> set:
    """Pixel formats converted here; others go through Qt (toImage)."""
    return set(_YUV) | set(_RGB32)


def halvings(width: int, height: int) -> int:
    """How many times a width×height frame is halved (see the module doc)."""
    k, short = 0, min(width, height)
    while short // 2 ** (k + 1) >= MIN_SHORT_SIDE:
        k += 1
    return k


def _rows(frame: QVideoFrame, plane: int, rows: int, row_bytes: int) -> np.ndarray:
    """(rows, row_bytes) uint8 view of a mapped plane (valid until unmap). A plane shorter
    than that (Qt gives an odd-height 4:2:0 frame h // 2 chroma rows, not h / 2 rounded
    up) has its last row repeated (a copy then)."""
    stride = frame.bytesPerLine(plane)
    have = max(1, min(rows, (frame.mappedBytes(plane) - row_bytes) // stride + 1))
    buf = np.frombuffer(frame.bits(plane), np.uint8, count=stride * (have - 1) + row_bytes)
    view = np.lib.stride_tricks.as_strided(buf, (have, row_bytes), (stride, 1))
    if have < rows:
        view = np.concatenate([view, np.repeat(view[-1:], rows - have, axis=0)])
    return view


def _shrink(a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Plane `a` box-averaged by (rows, cols), each 1 or a power of 2."""
    while rows > 1 and cols > 1:  # integer planes summed as integers (halve)
        a, rows, cols = halve(a), rows // 2, cols // 2
    a = a.astype(np.float32, copy=False)
    for axis, n in ((0, rows), (1, cols)):
        while n > 1:
            m = a.shape[axis] // 2 * 2
            a = a.take(range(0, m, 2), axis) + a.take(range(1, m, 2), axis)
            a, n = a * 0.5, n // 2
    return a


def _fit(a: np.ndarray, shape: tuple[int, int], rep: tuple[int, int]) -> np.ndarray:
    """Chroma `a` repeated by `rep` (nearest, like Qt) and cut to `shape`."""
    for axis, n in enumerate(rep):
        if n > 1:
            a = a.repeat(n, axis)
    return a[: shape[0], : shape[1]]


def _add_upsampled(y: np.ndarray, c: np.ndarray, rep: tuple[int, int]) -> np.ndarray:
    """y + chroma term `c` repeated by `rep` (each chroma sample covers rep[0]×rep[1]
    pixels, as Qt does), without materialising the repeated term when sizes allow."""
    h, w = y.shape
    if rep != (1, 1) and c.shape[0] * rep[0] == h and c.shape[1] * rep[1] == w:
        return (y.reshape(c.shape[0], rep[0], c.shape[1], rep[1])
                + c[:, None, :, None]).reshape(h, w)
    return y + _fit(c, y.shape, rep)


def _yuv_planes(frame: QVideoFrame, layout: str, w: int, h: int, sub: tuple[int, int]):
    """(Y, U, V) arrays of the mapped frame, Y (h, w), chroma (ceil(h/sy), ceil(w/sx)),
    and the bits of their samples."""
    cw, ch = -(-w // sub[1]), -(-h // sub[0])
    if layout in ("planar", "planar-vu"):
        y, u, v = _rows(frame, 0, h, w), _rows(frame, 1, ch, cw), _rows(frame, 2, ch, cw)
        return (y, v, u, 8) if layout == "planar-vu" else (y, u, v, 8)
    if layout in ("uv", "vu"):
        uv = _rows(frame, 1, ch, 2 * cw)
        u, v = (uv[:, 0::2], uv[:, 1::2]) if layout == "uv" else (uv[:, 1::2], uv[:, 0::2])
        return _rows(frame, 0, h, w), u, v, 8
    if layout == "planar16":  # 10-bit samples in the low bits of 16-bit words
        words = [_rows(frame, i, r, 2 * c).view("<u2")
                 for i, (r, c) in enumerate(((h, w), (ch, cw), (ch, cw)))]
        return (*words, 10)
    if layout == "uv16":  # P010/P016: samples in the high bits of 16-bit words
        uv = _rows(frame, 1, ch, 4 * cw).view("<u2")
        return _rows(frame, 0, h, 2 * w).view("<u2"), uv[:, 0::2], uv[:, 1::2], 16
    packed = _rows(frame, 0, h, 4 * cw)  # 4:2:2 packed, two pixels in four bytes
    if layout == "yuyv":
        return packed[:, 0::2][:, :w], packed[:, 1::4], packed[:, 3::4], 8
    return packed[:, 1::2][:, :w], packed[:, 0::4], packed[:, 2::4], 8  # uyvy


def _yuv_to_rgb(frame: QVideoFrame, layout: str, sub: tuple[int, int], k: int) -> np.ndarray:
    w, h = frame.width(), frame.height()
    y, u, v, bits = _yuv_planes(frame, layout, w, h, sub)
    y, u, v, rep = _reduced(y, u, v, sub, k)
    return _convert(y, u, v, bits, frame.surfaceFormat(), rep)


def _reduced(y: np.ndarray, u: np.ndarray, v: np.ndarray, sub: tuple[int, int],
             k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Planes (chroma subsampled by `sub`) box-averaged by 2 `k` times, as float32, and the
    chroma's subsampling left after that (each chroma sample covers rep luma samples)."""
    f = 2 ** k
    y = halve(y, k) if k else y.astype(np.float32)
    box = (max(1, f // sub[0]), max(1, f // sub[1]))
    u, v = (_shrink(c, *box) for c in (u, v))  # at chroma resolution, up to `rep`
    return y, u, v, (max(1, sub[0] // f), max(1, sub[1] // f))


def _convert(y: np.ndarray, u: np.ndarray, v: np.ndarray, bits: int, fmt: QVideoFrameFormat,
             rep: tuple[int, int] = (1, 1)) -> np.ndarray:
    """RGB uint8 of float32 luma `y` (modified in place) and chroma `u`, `v` (each chroma
    sample covering rep[0]×rep[1] luma samples), with the frame's matrix and range."""
    out_shape = y.shape
    kr, kb = _KR_KB.get(fmt.colorSpace(), _KR_KB[QVideoFrameFormat.ColorSpace.ColorSpace_BT601])
    if fmt.colorRange() == QVideoFrameFormat.ColorRange.ColorRange_Full:
        scale = 255.0 / ((1 << bits) - 1)
        ys, yo, cs = scale, 0.0, scale
    else:  # video ("limited") range: Y 16..235, Cb/Cr 16..240, times 2^(bits-8)
        scale = 1.0 / (1 << (bits - 8))
        ys, yo, cs = scale * 255.0 / 219.0, 16.0 * 255.0 / 219.0, scale * 255.0 / 224.0
    y *= np.float32(ys)
    y -= np.float32(yo - 0.5)  # + 0.5: rounding in the cast below
    cu, cv = (c * np.float32(cs) - np.float32(128.0 * cs / scale) for c in (u, v))
    rv, bu = cv * np.float32(2 * (1 - kr)), cu * np.float32(2 * (1 - kb))
    gc = (rv * np.float32(kr) + bu * np.float32(kb)) * np.float32(-1 / (1 - kr - kb))
    rgb = np.empty((*out_shape, 3), np.uint8)
    for c, term in enumerate((rv, gc, bu)):
        t = _add_upsampled(y, term, rep)
        np.clip(t, 0, 255, out=t)
        rgb[..., c] = t
    return rgb


def orient(rgb: np.ndarray, fmt: QVideoFrameFormat) -> np.ndarray:
    """Apply the frame's rotation and mirroring, as Qt shows it (None stays None)."""
    if rgb is None:
        return None
    if fmt.scanLineDirection() == QVideoFrameFormat.Direction.BottomToTop:
        rgb = rgb[::-1]
    turns = {QtVideo.Rotation.Clockwise90: 1, QtVideo.Rotation.Clockwise180: 2,
             QtVideo.Rotation.Clockwise270: 3}.get(fmt.rotation(), 0)
    if turns:
        rgb = np.rot90(rgb, -turns)
    if fmt.isMirrored():
        rgb = rgb[:, ::-1]
    return np.ascontiguousarray(rgb)


def planes_to_rgb(frame: QVideoFrame, shrink: bool = True) -> np.ndarray | None:
    """(H, W, 3) uint8 of a frame in one of readable_formats(), halved as the module doc
    says when `shrink`; None when it cannot be mapped."""
    fmt = frame.pixelFormat()
    if fmt not in _YUV and fmt not in _RGB32:
        raise ValueError(f"{fmt} is not read from planes")
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        k = halvings(frame.width(), frame.height()) if shrink else 0
        if fmt in _YUV:
            sub, layout = _YUV[fmt]
            rgb = _yuv_to_rgb(frame, layout, sub, k)
        else:
            px = _rows(frame, 0, frame.height(), 4 * frame.width()).reshape(
                frame.height(), frame.width(), 4)[..., list(_RGB32[fmt])]
            rgb = np.ascontiguousarray(px) if not k else \
                np.clip(halve(px, k) + 0.5, 0, 255).astype(np.uint8)
    finally:
        frame.unmap()
    return orient(rgb, frame.surfaceFormat())


def prepare_video_frame(frame: QVideoFrame, targets: Targets) -> LiveFrame | None:
    """The live demo's frame from the planes, in one pass: the network's input (the
    central square resized in the Y, U and V planes, then converted at R×R) and a preview
    (planes box-averaged to about `targets.preview_side`, then converted). No full-size RGB
    copy is made. None when the frame cannot be mapped; ValueError for other formats."""
    fmt = frame.pixelFormat()
    if fmt not in _YUV and fmt not in _RGB32:
        raise ValueError(f"{fmt} is not read from planes")
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        w, h = frame.width(), frame.height()
        k_net = halvings(w, h)  # as the full conversion reduces a large frame
        k_show = max(k_net, preview_halvings(h, w, targets.preview_side))
        surface = frame.surfaceFormat()
        if fmt in _YUV:
            sub, layout = _YUV[fmt]
            planes = _yuv_planes(frame, layout, w, h, sub)
            bits = planes[3]
            # a large frame is halved once for both; otherwise the square reads the
            # integer planes (cast only where its taps reach) and the preview is halved
            # from them with integer sums: no full-size float copy of a frame
            y, u, v, rep = _reduced(*planes[:3], sub, k_net) if k_net else (*planes[:3], sub)
            net = _yuv_square(y, u, v, rep, bits, surface, targets.resolution) \
                if targets.resolution else None
            ys, us, vs, reps = _reduced(y, u, v, rep, k_show - k_net)
            # _reduced returns a new luma array (astype copies even for k = 0), so
            # _convert may modify it in place without touching the square's `y`
            preview = _convert(ys, us, vs, bits, surface, reps)
        else:
            px = _rows(frame, 0, h, 4 * w).reshape(h, w, 4)[..., list(_RGB32[fmt])]
            rgb = np.ascontiguousarray(px)
            preview = box_halve(rgb, k_show) if k_show else rgb
            if k_net:
                rgb = box_halve(rgb, k_net)
            net = resize_rgb(rgb, targets.resolution) if targets.resolution else None
    finally:
        frame.unmap()
    preview = orient(preview, surface)
    return LiveFrame(preview, None if net is None else orient(net, surface),
                     shown_size(h, w, surface))


def shown_size(h: int, w: int, surface: QVideoFrameFormat) -> tuple[int, int]:
    """(height, width) of the frame as shown: a quarter turn swaps them."""
    turned = surface.rotation() in (QtVideo.Rotation.Clockwise90,
                                    QtVideo.Rotation.Clockwise270)
    return (w, h) if turned else (h, w)


def _yuv_square(y: np.ndarray, u: np.ndarray, v: np.ndarray, rep: tuple[int, int],
                bits: int, surface: QVideoFrameFormat, resolution: int) -> np.ndarray:
    """The central square of float32 planes (chroma subsampled by `rep`) at
    resolution×resolution RGB: each plane resized over the square with the weights
    Pillow's RGB resize of the converted frame would use (resample.py), then converted.
    Equal to converting the frame (planes_to_rgb) and resizing its square
    (preprocess.resize_rgb) up to rounding, except where colours leave the RGB cube
    (clipped per pixel there, after the resize here)."""
    from PIL import Image

    left, top, right, bottom = center_square(*y.shape)
    sy, sx = rep
    # luma: Pillow's own resize of the square, in float (the same weights, in C)
    square = np.ascontiguousarray(y[top:bottom, left:right], dtype=np.float32)
    luma = np.array(Image.fromarray(square, mode="F").resize(
        (resolution, resolution), Image.Resampling.BILINEAR))
    rows, cols = axis_taps(top, bottom, resolution, sy), axis_taps(left, right, resolution, sx)
    return _convert(luma, resample(u, rows, cols), resample(v, rows, cols), bits, surface)
