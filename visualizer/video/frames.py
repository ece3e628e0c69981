"""Conversions between Qt images/video frames and RGB uint8 numpy arrays.

Video frames are converted on a converter thread (frame_converter.py), never on the GUI
thread; the arrays returned here are copies, independent of Qt's buffers.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from visualizer.video.live_frame import (LiveFrame, Targets, from_pil, from_rgb,
                                         preview_halvings)
from visualizer.video.yuv import (halve, halvings, orient, planes_to_rgb,
                                  prepare_video_frame, readable_formats, shown_size)


def qimage_to_rgb(image: QImage) -> np.ndarray | None:
    """A (H, W, 3) uint8 copy of `image`, or None for a null image."""
    if image.isNull():
        return None
    if image.format() != QImage.Format.Format_RGB888:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return rows[:, : w * 3].reshape(h, w, 3).copy()


def video_frame_to_rgb(frame: QVideoFrame, shrink: bool = True) -> np.ndarray | None:
    """A (H, W, 3) uint8 copy of a video frame, or None when it holds no picture.

    With `shrink`, large frames are box-averaged by 2 while their shorter side stays at
    least yuv.MIN_SHORT_SIDE. The usual formats are read from their planes with numpy
    (yuv.py: it releases the GIL, Qt's toImage() does not); others go through Qt.
    """
    if not frame.isValid():
        return None
    if frame.pixelFormat() in readable_formats():
        return planes_to_rgb(frame, shrink)
    rgb = qimage_to_rgb(frame.toImage())
    k = halvings(rgb.shape[1], rgb.shape[0]) if rgb is not None and shrink else 0
    return np.clip(halve(rgb, k) + 0.5, 0, 255).astype(np.uint8) if k else rgb


def video_frame_to_live(frame: QVideoFrame, targets: Targets) -> LiveFrame | None:
    """The live demo's frame (the network's input and a preview) of a video frame, or
    None when it holds no picture: from its planes in one pass for the usual formats
    (yuv.prepare_video_frame), through Qt's toImage() for the others."""
    if not frame.isValid():
        return None
    if frame.pixelFormat() in readable_formats():
        return prepare_video_frame(frame, targets)
    if frame.pixelFormat() == QVideoFrameFormat.PixelFormat.Format_Jpeg:
        return jpeg_frame_to_live(frame, targets)
    rgb = video_frame_to_rgb(frame)
    return None if rgb is None else from_rgb(rgb, targets)


def _data_end(buf: np.ndarray, chunk: int = 1 << 18) -> int:
    """Where the data of a buffer made larger than it ends (the rest is zeros): scanned
    backwards a chunk at a time (numpy, the GIL released), so that neither the zeros are
    copied with the GIL held nor the whole buffer is scanned when the data fills it."""
    end = len(buf)
    while end > 0 and buf[end - 1] == 0:
        lo = max(0, end - chunk)
        part = buf[lo:end]
        end = lo + int(np.flatnonzero(part)[-1]) + 1 if part.any() else lo
    return end


def jpeg_frame_to_live(frame: QVideoFrame, targets: Targets) -> LiveFrame | None:
    """A motion-JPEG frame (most webcams at 720p and 1080p) decoded by Pillow, which
    releases the GIL while it decodes (Qt's toImage() holds it for all of the decode), at
    the smallest of the JPEG's own DCT scales (1/2, 1/4, 1/8) that still gives the preview
    its size and the network's square at least MIN_SHORT_SIDE (as large YUV frames are
    halved): a 1080p frame decodes in a third of the time."""
    import io

    from PIL import Image

    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        buf = np.frombuffer(frame.bits(0), np.uint8, count=frame.mappedBytes(0))
        data = buf[:_data_end(buf)].tobytes()
    finally:
        frame.unmap()
    w, h = frame.width(), frame.height()
    k = min(halvings(w, h), preview_halvings(h, w, targets.preview_side))
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (max(1, w >> k), max(1, h >> k)))
            rgb = im if im.mode == "RGB" else im.convert("RGB")
            rgb.load()
            made = from_pil(rgb, targets)  # no full-size array: Pillow crops and scales
    except (OSError, ValueError, SyntaxError):  # not a JPEG after all: an unusable frame
        return None
    surface = frame.surfaceFormat()
    preview, net = (orient(a, surface) for a in (made.preview, made.net_input))
    return LiveFrame(preview, net, shown_size(h, w, surface))


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of the (H, W, 3) uint8 array."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def fit_within(image: QImage, max_side: int) -> QImage:
    """`image` scaled down (smoothly, keeping its aspect) so neither side exceeds max_side."""
    if max(image.width(), image.height()) <= max_side:
        return image
    return image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)
