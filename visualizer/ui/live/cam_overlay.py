"""Where the network looks: the top class's activation map (net/cam.py) drawn over the
live frame, and the toggle and opacity controls for it.

The map covers the frame's central square (the part the network sees, preprocess.py),
one cell per 32 input pixels; it is scaled up smoothly and coloured from transparent
blue (no evidence) through yellow to red (the strongest evidence).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QWidget

from visualizer.net.runtime.preprocess import center_square

#: value -> (r, g, b): a short perceptual ramp
_ANCHORS = np.array([[0.0, 40, 60, 200], [0.35, 0, 200, 220], [0.6, 250, 230, 40],
                     [1.0, 230, 20, 20]])


def cam_rgba(cam: np.ndarray) -> np.ndarray:
    """(h, w, 4) uint8 colours of a 0..1 map; weak evidence (below 0.15) is transparent,
    so the frame stays visible where the class found nothing."""
    v = np.clip(np.asarray(cam, np.float32), 0, 1)
    rgb = [np.interp(v, _ANCHORS[:, 0], _ANCHORS[:, i]) for i in (1, 2, 3)]
    alpha = 255 * np.clip((v - 0.15) / 0.6, 0, 1)
    return np.ascontiguousarray(np.stack([*rgb, alpha], axis=-1).round().astype(np.uint8))


def cam_image(cam: np.ndarray) -> QImage:
    rgba = cam_rgba(cam)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def cam_rect(frame_rect: QRectF, frame_height: int, frame_width: int) -> QRectF:
    """Where the network's central square lies in a frame drawn into `frame_rect`."""
    left, top, right, bottom = center_square(frame_height, frame_width)
    sx, sy = frame_rect.width() / frame_width, frame_rect.height() / frame_height
    return QRectF(frame_rect.x() + left * sx, frame_rect.y() + top * sy,
                  (right - left) * sx, (bottom - top) * sy)


def paint_cam(p: QPainter, image: QImage, rect: QRectF, opacity: float) -> None:
    p.save()
    p.setOpacity(opacity)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.drawImage(rect, image)
    p.restore()


class CamControls(QWidget):
    """'Where it looks' toggle and an opacity slider."""

    changed = Signal(bool, float)  # shown, opacity 0..1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.toggle = QCheckBox("Where it looks (CAM)")
        self.toggle.setToolTip(
            "Overlay the class activation map of the top class: the last feature map "
            "weighted by that class's FC weights (MobileNet V1 ends in average pooling and "
            "one FC layer, so the map's mean is the class score). Red: strongest evidence")
        self.opacity = QSlider(Qt.Orientation.Horizontal, minimum=10, maximum=100, value=65)
        self.opacity.setToolTip("Opacity of the map")
        self.opacity.setMaximumWidth(90)
        self.opacity.setEnabled(False)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.toggle)
        box.addWidget(QLabel("opacity"))
        box.addWidget(self.opacity)
        self.toggle.toggled.connect(self._emit)
        self.opacity.valueChanged.connect(self._emit)

    def _emit(self, *_args) -> None:
        self.opacity.setEnabled(self.toggle.isChecked())
        self.changed.emit(self.toggle.isChecked(), self.opacity.value() / 100)
