"""Conversions between Qt images/video frames and RGB uint8 numpy arrays.

QVideoFrame -> QImage (toImage) -> RGB888 -> numpy copy costs well under a millisecond
for a 320x240 frame, so it is done in the sink's slot on the GUI thread; the copy makes
the array independent of Qt's buffer, which may be reused as soon as the slot returns.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

_F = QVideoFrameFormat
#: Planar 4:2:0 formats with more than 8 bits per sample (10-bit H.264/HEVC/VP9, e.g.
#: phone HDR videos) that Qt's CPU conversion (toImage without a GPU) turns into a null
#: image; they are converted here instead. Value: significant bits, stored in the low bits.
DEEP_YUV420P = {_F.PixelFormat.Format_YUV420P10: 10}
#: Deep frames with more pixels than this are converted at half width and height.
HALF_SIZE_ABOVE = 640 * 480
#: (Kr, Kb) of the YUV -> RGB matrices
_KR_KB = {_F.ColorSpace.ColorSpace_BT601: (0.299, 0.114),
          _F.ColorSpace.ColorSpace_BT709: (0.2126, 0.0722),
          _F.ColorSpace.ColorSpace_BT2020: (0.2627, 0.0593)}


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
    rgb = qimage_to_rgb(frame.toImage())
    if rgb is None and frame.pixelFormat() in DEEP_YUV420P:
        rgb = deep_yuv420p_to_rgb(frame, DEEP_YUV420P[frame.pixelFormat()])
    return rgb


def deep_yuv420p_to_rgb(frame: QVideoFrame, bits: int) -> np.ndarray | None:
    """(H, W, 3) uint8 of a planar 4:2:0 frame with `bits`-bit samples in 16-bit words."""
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        w, h = frame.width(), frame.height()
        planes = []
        for i, (pw, ph) in enumerate(((w, h), ((w + 1) // 2, (h + 1) // 2),
                                      ((w + 1) // 2, (h + 1) // 2))):
            stride = frame.bytesPerLine(i)
            raw = np.frombuffer(frame.bits(i), np.uint8, count=stride * ph).reshape(ph, stride)
            words = raw[:, : pw * 2].copy().view("<u2")
            planes.append(words.astype(np.float32) * (255.0 / ((1 << bits) - 1)))
    finally:
        frame.unmap()
    y, u, v = planes
    if w * h > HALF_SIZE_ABOVE and w % 2 == 0 and h % 2 == 0:
        # half size at the chroma resolution: 4× less numpy work on the GUI thread (a
        # 1080p frame: ~50 ms -> ~10 ms); the network scales the frame down anyway
        y = y.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
        u, v = u - 128.0, v - 128.0
    else:
        u = u.repeat(2, axis=0).repeat(2, axis=1)[:h, :w] - 128.0
        v = v.repeat(2, axis=0).repeat(2, axis=1)[:h, :w] - 128.0
    fmt = frame.surfaceFormat()
    if fmt.colorRange() != _F.ColorRange.ColorRange_Full:  # video ("limited") range
        y = (y - 16.0) * (255.0 / 219.0)
        u, v = u * (255.0 / 224.0), v * (255.0 / 224.0)
    # untagged video: BT.601, as encoders assume by default and Qt converts 8-bit frames
    kr, kb = _KR_KB.get(fmt.colorSpace(), _KR_KB[_F.ColorSpace.ColorSpace_BT601])
    r = y + 2 * (1 - kr) * v
    b = y + 2 * (1 - kb) * u
    g = (y - kr * r - kb * b) / (1 - kr - kb)
    return np.clip(np.stack([r, g, b], axis=2) + 0.5, 0, 255).astype(np.uint8)


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
