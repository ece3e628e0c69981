"""The roofline chart itself: log-log axes with 1-2-5 ticks, the two roof lines (in cache,
main memory), their labels placed clear of the points, and one point per timed layer."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from visualizer.net.analysis.roofline import RooflinePoint, attainable
from visualizer.ui.common.plots import OpaqueGridAxis
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.network.log_ticks import set_log_ticks
from visualizer.ui.network.roof_labels import place_labels, roof_label_candidates

X_RANGE = (0.1, 100.0)  # MAC/byte shown (log axis)
HOVER_PX = 9


class RooflinePlot(pg.PlotWidget):
    """Items are drawn in log10 coordinates; the axes carry 1-2-5 ticks."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w", axisItems={
            n: OpaqueGridAxis(n, "w") for n in ("left", "bottom")})
        self.setMenuEnabled(False)
        self.hideButtons()
        self.setMouseEnabled(x=False, y=False)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", "arithmetic intensity (mult-adds per byte moved)")
        self.setLabel("left", "achieved GMAC/s")
        for n in ("left", "bottom"):
            axis = self.getAxis(n)
            axis.setTextPen("#333")
            axis.setPen("#777")
            axis.lay_beneath_data()
        self.dram_line = pg.PlotCurveItem(pen=pg.mkPen("#999", width=2, style=Qt.DashLine))
        self.cache_line = pg.PlotCurveItem(pen=pg.mkPen("#333", width=2))
        #: compute (flat), in cache and main memory (along their slopes: one decade per
        #: decade on these log axes, whatever the plot's aspect)
        self.labels = [pg.TextItem(color="#333", anchor=(0.5, 1)),
                       pg.TextItem(color="#333", anchor=(0.5, 1), rotateAxis=(1, 1)),
                       pg.TextItem(color="#777", anchor=(0.5, 1), rotateAxis=(1, 1))]
        self.scatter = pg.ScatterPlotItem(size=10, pxMode=True)
        for item in (self.dram_line, self.cache_line, *self.labels, self.scatter):
            self.addItem(item)
        self._roofs: tuple[float, float, float] | None = None
        self.getPlotItem().vb.sigResized.connect(lambda _=None: self.place_labels())

    def draw(self, timed: Sequence[RooflinePoint],
             roofs: tuple[float, float, float] | None, int8: bool) -> None:
        """The timed points under the roofs (compute GMAC/s, memory and in-cache GB/s)."""
        if timed:
            self.scatter.setData(
                np.log10([p.intensity for p in timed]), np.log10([p.gmacs_per_s for p in timed]),
                data=[p.name for p in timed], pen=pg.mkPen("#222", width=0.6),
                brush=[pg.mkBrush(TYPE_COLORS.get(p.type, TYPE_COLORS["other"]))
                       for p in timed])
        else:
            self.scatter.setData([], [])
        speeds = [p.gmacs_per_s for p in timed]
        top = max([roofs[0] if roofs else 1.0] + speeds)
        low = min(speeds + [roofs[1] * X_RANGE[0]] if roofs else speeds or [top / 1e3])
        y0, y1 = math.log10(low) - 0.15, math.log10(top) + 0.25
        self.setXRange(math.log10(X_RANGE[0]), math.log10(X_RANGE[1]), padding=0.02)
        self.setYRange(y0, y1, padding=0)
        set_log_ticks(self.getAxis("bottom"), *X_RANGE)
        set_log_ticks(self.getAxis("left"), 10 ** y0, 10 ** y1)
        self._roofs = roofs
        if roofs is None:
            for item in (self.dram_line, self.cache_line):
                item.setData([], [])
            for label in self.labels:
                label.setText("")
            return
        peak, bw, cache_bw = roofs
        for item, b in ((self.dram_line, bw), (self.cache_line, cache_bw)):
            knee = peak / b
            xs = [X_RANGE[0], min(max(knee, X_RANGE[0]), X_RANGE[1]), X_RANGE[1]]
            item.setData(np.log10(xs), np.log10([attainable(x, peak, b) for x in xs]))
        kind = "int8 compute roof" if int8 else "compute roof"
        for label, text in zip(self.labels, (f"{kind} {peak:.0f} GMAC/s",
                                             f"in cache {cache_bw:.0f} GB/s",
                                             f"main memory {bw:.0f} GB/s")):
            label.setText(text)
        self.place_labels()

    def place_labels(self) -> None:
        """Each roof label at the first place along its line that covers no point."""
        if self._roofs is not None:
            spots = [(s.pos().x(), s.pos().y()) for s in self.scatter.points()]
            place_labels(self.getPlotItem(), self.labels, spots,
                         roof_label_candidates(*self._roofs, X_RANGE))

    def name_at(self, scene_pos) -> str | None:
        """The layer whose point lies under a scene position (within a few pixels)."""
        view = self.getPlotItem().vb
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        best, best_d = None, HOVER_PX
        for spot in self.scatter.points():
            s = view.mapViewToScene(spot.pos())
            d = math.hypot(s.x() - scene_pos.x(), s.y() - scene_pos.y())
            if d <= best_d:
                best, best_d = spot.data(), d
        return best
