"""Conversions between Qt images/video frames and RGB uint8 numpy arrays.

QVideoFrame -> QImage (toImage) -> RGB888 -> numpy copy costs well under a millisecond
for a 320x240 frame, so it is done in the sink's slot on the GUI thread; the copy makes
the array independent of Qt's buffer, which may be reused as soon as the slot returns.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame


def qimage_to_rgb(image: QImage) -> np.ndarray | None:
    """A (H, W, 3) uint8 copy of `image`, or None for a null image."""
    if image.isNull():
        return None
    if image.format() != QImage.Format.Format_RGB888:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return rows[:, : w * 3].reshape(h, w, 3).copy()


def video_frame_to_rgb(frame: QVideoFrame) -> np.ndarray | None:
    """A (H, W, 3) uint8 copy of a video frame, or None when it holds no picture."""
    if not frame.isValid():
        return None
    return qimage_to_rgb(frame.toImage())


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
