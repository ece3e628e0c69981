"""The bar charts' plot set-up: an opaque grid that looks like pyqtgraph's translucent one."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from visualizer.ui.common.plots import OpaqueGridAxis, bar_plot


def image_array(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return rows[:, : w * 3].reshape(h, w, 3).astype(int)


def test_opaque_pen_is_the_translucent_colour_composed_over_the_background(qapp):
    for background, colour in (("w", QColor(119, 119, 119, 40)),
                               ("#203040", QColor(200, 30, 90, 128))):
        pen = OpaqueGridAxis("bottom", background)._opaque(QPen(colour))
        # reference: Qt's own source-over composition of the translucent colour
        image = QImage(4, 4, QImage.Format.Format_RGB32)
        image.fill(pg.mkColor(background))
        painter = QPainter(image)
        painter.fillRect(image.rect(), colour)
        painter.end()
        expected = image.pixelColor(1, 1)
        got = pen.color()
        assert got.alpha() == 255
        assert max(abs(got.red() - expected.red()), abs(got.green() - expected.green()),
                   abs(got.blue() - expected.blue())) <= 1


def test_bar_plot_grid_looks_like_pyqtgraphs_and_lies_beneath_the_bars(qtbot):
    ours = bar_plot("t")
    plain = pg.PlotWidget(background="w")  # pyqtgraph's own axes, same settings
    plain.setTitle("t", color="#222", size="10pt")
    plain.hideButtons()
    plain.showGrid(x=True, y=False, alpha=0.25)
    for name in ("left", "bottom"):
        plain.getAxis(name).setTextPen("#333")
        plain.getAxis(name).setPen("#777")
    for w in (ours, plain):
        qtbot.addWidget(w)
        w.resize(360, 240)
        w.setXRange(0, 1, padding=0)
        w.show()
    qtbot.waitExposed(ours)
    qtbot.wait(50)
    a, b = image_array(ours), image_array(plain)
    assert a.shape == b.shape
    grid = np.abs(b - 255).sum(axis=2) > 0  # everything drawn over the white background
    assert grid.sum() > 500  # the grid, ticks and labels are there
    # and look the same, but where two translucent lines overlap (drawn twice: darker)
    differ = np.abs(a - b).max(axis=2) > 3
    assert differ.sum() < 0.002 * differ.size
    vb = ours.getPlotItem().getViewBox()
    assert all(ours.getAxis(n).zValue() < vb.zValue() for n in ("left", "bottom"))
