"""Qt objects die at safe points of a test run, never inside a paint event.

The crash this prevents (a segfault in pyqtgraph's `GraphicsView.paintEvent` under
pytest-qt's event processing, 2 of 4 full runs): pytest-qt keeps only a *weak* reference
to a widget given to `qtbot.addWidget`, and closes it in the test's teardown. Between the
end of the test function and that teardown it processes events, so a top-level widget
the test had shown is painted while nothing but a reference cycle keeps its Python
wrapper alive. If Python's cyclic garbage collector runs inside that paint (it runs
whenever enough objects were allocated, so *when* depends on every earlier test), it
frees the wrapper, which deletes the C++ widget in the middle of its own paint event.

So: `qtbot` keeps its widgets strongly until pytest-qt has closed them; a test may not
leave a top-level widget on screen that it did not give to qtbot; and after each test the
garbage is collected at once, in its teardown, where no Qt event is being handled.
"""
from __future__ import annotations

import gc


class KeptWidgets:
    """The widgets of one test, kept alive until its teardown."""

    def __init__(self) -> None:
        self.widgets: list = []

    def keep(self, widget) -> None:
        self.widgets.append(widget)

    def release(self) -> None:
        self.widgets.clear()


def wrap_qtbot(qtbot, kept: KeptWidgets):
    """qtbot whose addWidget also keeps a strong reference in `kept`."""
    add = qtbot.addWidget

    def add_widget(widget, *, before_close_func=None):
        kept.keep(widget)
        return add(widget, before_close_func=before_close_func)

    qtbot.addWidget = add_widget
    return qtbot


def windows_left_on_screen(kept: KeptWidgets) -> list[str]:
    """Visible top-level widgets that qtbot does not know about (each is closed here).

    Nothing keeps such a window alive but its Python wrapper: dropped while on screen, it
    can be freed by the garbage collector in the middle of its own paint event."""
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return []
    from PySide6.QtWidgets import QApplication
    from shiboken6 import Shiboken

    app = QApplication.instance()
    if app is None:
        return []
    known = {id(w) for w in kept.widgets}
    left = []
    for w in app.topLevelWidgets():
        try:
            if w.isVisible() and id(w) not in known and Shiboken.ownedByPython(w):
                left.append(type(w).__name__)
                w.close()
        except RuntimeError:  # already deleted
            pass
    return left


def collect_garbage_now() -> None:
    """Free what the test left in reference cycles here, outside any Qt event."""
    gc.collect()


def collect_garbage_in_every_paint() -> None:
    """A stress mode (MOBILENET_VISUALIZER_TEST_GC_IN_PAINT=1): every pyqtgraph view runs
    the garbage collector before it paints, which turns the crash above, from whichever
    test leaves a widget to the collector, from rare into certain."""
    import pyqtgraph as pg

    paint = pg.GraphicsView.paintEvent

    def paint_after_collecting(view, event):
        gc.collect()
        return paint(view, event)

    pg.GraphicsView.paintEvent = paint_after_collecting
