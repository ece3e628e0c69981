"""Frames of the Convolution tab's animation, rendered by the tab's own widgets.

A presentation-mode ConvTab (no controls) that is never shown on screen is laid out at a
width of at least LAYOUT_WIDTH (so its text stays readable when scaled down), stepped to
each position and grabbed. `render_plan` is the headless `animate` command's renderer.
"""
from __future__ import annotations

import os
from typing import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from visualizer.conv.animation import AnimationPlan
from visualizer.io.animation_files import AnimationWriter
from visualizer.conv.explorer import Explorer
from visualizer.ui.common.interrupt import signals_held

#: Frames smaller than this are laid out at this width, then scaled down smoothly.
LAYOUT_WIDTH = 1024


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
        scale = max(1.0, LAYOUT_WIDTH / w)
        self.layout_size = (round(w * scale), round(h * scale))
        with signals_held():  # Ctrl-C acts after Qt's calls into Python (interrupt.py)
            self.tab = make_view(ex)
            self.tab.setAttribute(Qt.WA_DontShowOnScreen, True)
            self.tab.resize(*self.layout_size)
            self.tab.show()

    def frame(self, position: int) -> np.ndarray:
        """The tab after step `position`, as (H, W, 3) uint8 RGB of the plan's size."""
        with signals_held():
            self.tab.seek(position)
            QCoreApplication.sendPostedEvents()  # pending layouts, before the grab
            img = self.tab.grab().toImage()
        w, h = self.plan.size
        if (img.width(), img.height()) != (w, h):
            img = img.scaled(w, h, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
        img = img.convertToFormat(QImage.Format_RGB888)
        rows = np.frombuffer(img.constBits(), np.uint8, count=img.sizeInBytes())
        return rows.reshape(h, img.bytesPerLine())[:, :w * 3].reshape(h, w, 3).copy()

    def close(self) -> None:
        with signals_held():
            self.tab.close()
            self.tab.deleteLater()


def render_plan(plan: AnimationPlan, make_view: MakeView,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Render and write every frame of a plan (headless); returns the frames written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["mobilenet-visualizer"])
    renderer = FrameRenderer(plan, make_view)
    total = len(plan.positions)
    try:
        with AnimationWriter(plan) as writer:
            for i, position in enumerate(plan.positions):
                writer.append(renderer.frame(position))
                if progress is not None:
                    progress(i + 1, total)
    finally:
        renderer.close()
        with signals_held():
            app.processEvents()  # the deferred delete
    return writer.frames
