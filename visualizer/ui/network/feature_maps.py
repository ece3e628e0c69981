"""A strip of a layer's output feature maps (the most active channels)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

_LUT = (pg.colormap.get("viridis").getLookupTable(0.0, 1.0, 256, alpha=False)
        .astype(np.uint8))


def pick_channels(maps: np.ndarray, n: int) -> list[int]:
    """Indices of the `n` channels with the highest mean activation, strongest first."""
    means = maps.reshape(maps.shape[0], -1).mean(axis=1)
    order = np.argsort(-means, kind="stable")
    return [int(i) for i in order[:n]]


def to_rgb(fmap: np.ndarray) -> np.ndarray:
    """(H, W) activations -> (H, W, 3) uint8 through viridis, scaled to the map's own range."""
    lo, hi = float(fmap.min()), float(fmap.max())
    scaled = (fmap - lo) / (hi - lo) if hi > lo else np.zeros_like(fmap)
    return _LUT[np.clip((scaled * 255).round(), 0, 255).astype(np.intp)]


def _pixmap(rgb: np.ndarray, size: int) -> QPixmap:
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(size, size, Qt.KeepAspectRatio,
                                           Qt.FastTransformation)


class FeatureMapStrip(QWidget):
    def __init__(self, count: int = 8, size: int = 64, parent=None) -> None:
        super().__init__(parent)
        self.count, self.size = count, size
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        self.images: list[QLabel] = []
        self.captions: list[QLabel] = []
        for i in range(count):
            img, cap = QLabel(), QLabel()
            img.setFixedSize(size, size)
            img.setAlignment(Qt.AlignCenter)
            cap.setAlignment(Qt.AlignCenter)
            grid.addWidget(img, 0, i)
            grid.addWidget(cap, 1, i)
            self.images.append(img)
            self.captions.append(cap)
        grid.setColumnStretch(count, 1)
        self.channels: list[int] = []

    def clear(self) -> None:
        self.channels = []
        for img, cap in zip(self.images, self.captions):
            img.clear()
            cap.clear()
            img.setToolTip("")
        self.setVisible(False)

    def show_maps(self, maps: np.ndarray) -> None:
        """maps: (C, H, W) float activations of one layer."""
        self.clear()
        self.channels = pick_channels(maps, self.count)
        self.setVisible(True)
        for img, cap, c in zip(self.images, self.captions, self.channels):
            fmap = maps[c]
            img.setPixmap(_pixmap(to_rgb(fmap), self.size))
            cap.setText(f"ch {c}")
            img.setToolTip(f"Channel {c} of {maps.shape[0]}: {fmap.shape[0]}×{fmap.shape[1]}, "
                           f"activations {fmap.min():.2f} … {fmap.max():.2f} (mean "
                           f"{fmap.mean():.2f}); bright = strong response. Shown: the "
                           f"{len(self.channels)} channels with the highest mean")
