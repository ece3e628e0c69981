"""Conversions between Qt images/video frames and RGB uint8 numpy arrays.

Video frames are converted on a converter thread (frame_converter.py), never on the GUI
thread; the arrays returned here are copies, independent of Qt's buffers.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame

from visualizer.video.live_frame import LiveFrame, Targets, from_rgb
from visualizer.video.yuv import (halve, halvings, planes_to_rgb, prepare_video_frame,
                                  readable_formats)


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
    rgb = video_frame_to_rgb(frame)
    return None if rgb is None else from_rgb(rgb, targets)


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
