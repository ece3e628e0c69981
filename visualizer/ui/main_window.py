"""The main window: one tab per part of the app.

Adding a tab is one line in TABS: (key used by --tab, title, "module:Class" to import).
Tabs are imported lazily so a failing or slow tab never blocks the others.
"""
from __future__ import annotations

import importlib

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from visualizer.ui.common.style import app_icon, STYLE

#: (key, title, "module:Class"); the class is constructed with no arguments.
TABS: list[tuple[str, str, str]] = [
    ("convolution", "Convolution", "visualizer.ui.convolution.tab:ConvTab"),
    ("network", "Network", "visualizer.ui.network.tab:NetworkTab"),
    ("live", "Live", "visualizer.ui.live.tab:LiveTab"),
]
#: tabs built together: the Network tab follows the Live tab's frames from the first one
COUPLED = {"network": ("live",), "live": ("network",)}


def _make(spec: str) -> QWidget:
    module, name = spec.split(":")
    try:
        return getattr(importlib.import_module(module), name)()
    except Exception as e:  # noqa: BLE001 - a broken tab shows why instead of killing the app
        label = QLabel(f"This tab could not be opened: {e}")
        label.setWordWrap(True)
        return label


class MainWindow(QMainWindow):
    """The tabs are built when first needed: the one shown first at once, the others when
    opened, asked for (`page`) or shortly after the window is on screen, so the window
    appears without waiting for them. The Network and Live tabs are built together (the
    Network tab follows the live demo's frames from its first one)."""

    #: after the window is first shown, the tabs not built yet are built (ms)
    BUILD_REST_MS = 400

    def __init__(self, first_tab: str | None = None, threads: int | None = None) -> None:
        super().__init__()
        self.setWindowTitle("MobileNet Visualizer")
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.pages: dict[str, QWidget] = {}  # the tabs built so far
        self._threads = threads
        self._specs = {key: spec for key, _title, spec in TABS}
        for key, title, _spec in TABS:
            self.tabs.addTab(QWidget(), title)  # a placeholder until the tab is built
        self._rest = QTimer(self)
        self._rest.setSingleShot(True)
        self._rest.timeout.connect(self.build_all)
        first = first_tab if first_tab in self._specs else TABS[0][0]
        self.page(first)
        self.resize(1280, 800)
        self.tabs.setCurrentIndex(self._index(first))
        self.tabs.currentChanged.connect(lambda i: self.page(TABS[i][0]))

    def _index(self, key: str) -> int:
        return [k for k, _t, _s in TABS].index(key)

    def page(self, key: str) -> QWidget | None:
        """The tab `key`, built now if it was not (None for an unknown key)."""
        if key not in self._specs:
            return None
        if key not in self.pages:
            self._build([key, *COUPLED.get(key, ())])
        return self.pages[key]

    def build_all(self) -> None:
        self._build([key for key, _t, _s in TABS])

    def _build(self, keys: list[str]) -> None:
        new = [k for k in keys if k not in self.pages]
        if not new:
            return
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # swapping placeholders is not the user changing tabs
        for key in new:
            page = _make(self._specs[key])
            self.pages[key] = page
            i = self._index(key)
            title = self.tabs.tabText(i)
            placeholder = self.tabs.widget(i)
            self.tabs.removeTab(i)
            self.tabs.insertTab(i, page, title)
            placeholder.deleteLater()
            if self._threads is not None and hasattr(page, "set_threads"):  # --threads
                page.set_threads(self._threads)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        for key in new:  # tabs that follow others (Network follows Live)
            page = self.pages[key]
            if hasattr(page, "connect_pages"):
                page.connect_pages(self.pages)
        network = self.pages.get("network")
        if "network" in new and hasattr(network, "open_in_convolution"):
            network.open_in_convolution.connect(self.open_in_convolution)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().showEvent(event)
        if len(self.pages) < len(TABS) and not self._rest.isActive():
            self._rest.start(self.BUILD_REST_MS)

    def open_in_convolution(self, dims: dict, what: str = "") -> None:
        """A layer of the Network tab in the Convolution tab (the tabs do not import each
        other: the shell passes the layer's dimensions on)."""
        conv = self.page("convolution")
        conv.load_layer(dims, what)
        self.tabs.setCurrentWidget(conv)

    def closeEvent(self, event) -> None:
        """Tabs with background work (camera, threads) release it before the window goes."""
        self._rest.stop()
        for page in self.pages.values():
            if hasattr(page, "shutdown"):
                page.shutdown()
        super().closeEvent(event)
