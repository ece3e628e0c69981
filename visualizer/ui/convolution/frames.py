"""Frames of the Convolution tab's animation, rendered by the tab's own widgets.

A presentation-mode ConvTab (no controls, no scroll bars) that is never shown on screen
is laid out at the frame's size (frames under 720 pixels high: at a larger size of the
same shape, then scaled down smoothly), with text no smaller than 2 % of the frame's
height, stepped to each position and grabbed; the last frame (the summary: both totals
and the ratio) is held. `render_plan` is the headless `animate` command's renderer.
"""
from __future__ import annotations

import os
from typing import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QScrollBar, QWidget

from visualizer.conv.animation import AnimationPlan
from visualizer.conv.explorer import Explorer
from visualizer.io.animation_files import AnimationWriter
from visualizer.ui.common.interrupt import signals_held

#: Frames less high than this are laid out at this height (same shape), then scaled down.
LAYOUT_HEIGHT = 720


#: make_view(explorer) -> a laid-out, seekable widget showing it (the tab in presentation
#: mode; given by the caller, so this module does not import the tab that uses it)
MakeView = Callable[[Explorer], QWidget]


class FrameRenderer:
    def __init__(self, plan: AnimationPlan, make_view: MakeView,
                 source: Explorer | None = None) -> None:
        self.plan = plan
        ex = source.clone() if source is not None else Explorer(plan.spec)
        ex.set_path(plan.path)
        w, h = plan.size
        scale = max(1.0, LAYOUT_HEIGHT / h)
        self.layout_size = (round(w * scale), round(h * scale))
        with signals_held():  # Ctrl-C acts after Qt's calls into Python (interrupt.py)
            self.tab = make_view(ex)
            self.tab.setAttribute(Qt.WA_DontShowOnScreen, True)
            self.tab.resize(*self.layout_size)
            self.tab.set_slide(self.layout_size[1], plan.title)
            self.tab.show()
        self._last: tuple | None = None

    def frame(self, position: int, summary: bool = False) -> np.ndarray:
        """The tab after step `position` (or the summary), as (H, W, 3) uint8 RGB of the
        plan's size."""
        if self._last is not None and self._last[0] == (position, summary):
            return self._last[1]
        w, h = self.plan.size
        # Every Qt call held, not only those that call back into Python: a signal's
        # KeyboardInterrupt raised while PySide converts an argument (an enum is a Python
        # object) became "SystemError: bad argument to internal function" (CI, 1 run).
        with signals_held():
            if summary != self.tab.summary:
                self.tab.show_summary(summary)
            self.tab.seek(position)
            QCoreApplication.sendPostedEvents()  # pending layouts, before the grab
            img = self.tab.grab().toImage()
            if (img.width(), img.height()) != (w, h):
                img = img.scaled(w, h, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
            img = img.convertToFormat(QImage.Format_RGB888)
            rows = np.frombuffer(img.constBits(), np.uint8, count=img.sizeInBytes())
            out = rows.reshape(h, img.bytesPerLine())[:, :w * 3].reshape(h, w, 3).copy()
        self._last = ((position, summary), out)
        return out

    def close(self) -> None:
        with signals_held():
            self.tab.close()
            self.tab.deleteLater()


def slide_report(tab: QWidget) -> dict:
    """What a slide must get right, measured on the presentation tab as laid out: the
    smallest text in pixels (of the layout), texts cut with "…", visible scroll bars."""
    from visualizer.ui.common.painted_text import PaintedText
    from visualizer.ui.convolution.fitted_text import FittedText

    sizes = [tab.tally.min_text_px]
    elided = []
    for w in tab.findChildren(PaintedText):
        if not w.isVisibleTo(tab) or not w.text():
            continue
        sizes.append(w.text_px if isinstance(w, FittedText) else w.font().pixelSize())
        if w.elided:
            elided.append(w.text())
    for panel in tab.panels.panels:
        if panel.view.blocks:
            sizes.append(panel.view.min_text_px)
    if tab.panels.race:
        sizes += [h.font().pixelSize() for h in tab.panels.headers]
    bars = [b for b in tab.findChildren(QScrollBar) if b.isVisibleTo(tab)]
    return {"min_text_px": min(sizes), "elided": elided, "scroll_bars": len(bars)}


def render_plan(plan: AnimationPlan, make_view: MakeView,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Render and write every frame of a plan (headless); returns the frames written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    with signals_held():
        app = QApplication.instance() or QApplication(["mobilenet-visualizer"])
    renderer = FrameRenderer(plan, make_view)
    schedule = plan.schedule()
    try:
        with AnimationWriter(plan) as writer:
            for i, (position, summary) in enumerate(schedule):
                writer.append(renderer.frame(position, summary))
                if progress is not None:
                    progress(i + 1, len(schedule))
    finally:
        renderer.close()
        with signals_held():
            app.processEvents()  # the deferred delete
    return writer.frames
