"""The frame being classified and its top-5 predictions as labelled probability bars."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.net.runtime.results import Prediction
from visualizer.ui.live.cam_overlay import cam_image, cam_rect, paint_cam
from visualizer.video.frames import rgb_to_qimage

UNTRAINED_NOTE = "untrained — predictions meaningless"


class FrameView(QWidget):
    """Shows the last inferred frame, scaled to fit with its aspect kept. The frames come
    as previews about the view's size (`resized` says it: the longer side in pixels)."""

    resized = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._shape = (0, 0)  # the frame's height, width
        self._cam: QImage | None = None
        self.cam_shown, self.cam_opacity = False, 0.65
        self.placeholder = "No source running"
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_frame(self, rgb: np.ndarray | None, cam: np.ndarray | None = None) -> None:
        """The frame and, optionally, its class activation map (0..1, see cam_overlay)."""
        self._image = None if rgb is None else rgb_to_qimage(rgb)
        self._shape = (0, 0) if rgb is None else rgb.shape[:2]
        self._cam = cam_image(cam) if cam is not None and self.cam_shown else None
        self.update()

    def show_cam(self, shown: bool, opacity: float) -> None:
        """Overlay maps from the next frame on (they are not kept while hidden)."""
        self.cam_shown, self.cam_opacity = shown, opacity
        if not shown:
            self._cam = None
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().resizeEvent(event)
        self.resized.emit(round(max(self.width(), self.height()) * self.devicePixelRatioF()))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#202020"))
        if self._image is None:
            p.setPen(QColor("#bbbbbb"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = QRectF(x, y, size.width(), size.height())
        p.drawImage(target, self._image)
        if self._cam is not None:
            paint_cam(p, self._cam, cam_rect(target, *self._shape), self.cam_opacity)


class Top5View(QWidget):
    """Five rows: label, a bar as long as the probability, and the percentage."""

    ROW = 22

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.predictions: tuple[Prediction, ...] = ()
        self.trained = True
        self.setMinimumHeight(self.ROW * 6 + 4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(420, self.ROW * 6 + 4)

    def set_predictions(self, predictions: tuple[Prediction, ...], trained: bool) -> None:
        self.predictions, self.trained = tuple(predictions[:5]), trained
        self.update()

    def clear(self) -> None:
        self.set_predictions((), self.trained)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, row = self.width(), self.ROW
        title = "Top 5" + ("" if self.trained else f"  ({UNTRAINED_NOTE})")
        p.setPen(QColor("#b00020") if not self.trained else QColor("#222"))
        font = p.font()
        font.setBold(True)
        p.setFont(font)
        p.drawText(QRectF(0, 0, w, row), Qt.AlignmentFlag.AlignVCenter, title)
        font.setBold(False)
        p.setFont(font)
        label_w = min(220.0, w * 0.45)
        pct_w = 56.0
        bar_w = max(10.0, w - label_w - pct_w - 12)
        colour = QColor("#4e79a7") if self.trained else QColor("#b9b9b9")
        if not self.predictions:
            p.setPen(QColor("#777"))
            p.drawText(QRectF(0, row, w, row), Qt.AlignmentFlag.AlignVCenter, "waiting for a result…")
        for i, pred in enumerate(self.predictions):
            y = row * (i + 1)
            text = p.fontMetrics().elidedText(pred.label, Qt.TextElideMode.ElideRight,
                                              int(label_w - 6))
            p.setPen(QColor("#222"))
            p.drawText(QRectF(0, y, label_w - 6, row), Qt.AlignmentFlag.AlignVCenter, text)
            p.fillRect(QRectF(label_w, y + 4, bar_w, row - 8), QColor("#eeeeee"))
            p.fillRect(QRectF(label_w, y + 4, bar_w * max(0.0, min(1.0, pred.prob)), row - 8),
                       colour)
            p.drawText(QRectF(label_w + bar_w + 4, y, pct_w + 8, row),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       f"{100 * pred.prob:.1f}%")
