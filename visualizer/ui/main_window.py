"""The main window: one tab per part of the app.

Adding a tab is one line in TABS: (key used by --tab, title, "module:Class" to import).
Tabs are imported lazily so a failing or slow tab never blocks the others.
"""
from __future__ import annotations

import importlib

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from visualizer.ui.common.style import app_icon, STYLE

#: (key, title, "module:Class"); the class is constructed with no arguments.
TABS: list[tuple[str, str, str]] = [
    ("convolution", "Convolution", "visualizer.ui.convolution.tab:ConvTab"),
    ("network", "Network", "visualizer.ui.network.tab:NetworkTab"),
    ("live", "Live", "visualizer.ui.live.tab:LiveTab"),
]


def _make(spec: str) -> QWidget:
    module, name = spec.split(":")
    try:
        return getattr(importlib.import_module(module), name)()
    except Exception as e:  # noqa: BLE001 - a broken tab shows why instead of killing the app
        label = QLabel(f"This tab could not be opened: {e}")
        label.setWordWrap(True)
        return label


class MainWindow(QMainWindow):
    def __init__(self, first_tab: str | None = None, threads: int | None = None) -> None:
        super().__init__()
        self.setWindowTitle("MobileNet Visualizer")
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.pages: dict[str, QWidget] = {}
        for key, title, spec in TABS:
            page = _make(spec)
            self.pages[key] = page
            self.tabs.addTab(page, title)
        for page in self.pages.values():  # tabs that follow others (Network follows Live)
            if hasattr(page, "connect_pages"):
                page.connect_pages(self.pages)
            if threads is not None and hasattr(page, "set_threads"):  # --threads
                page.set_threads(threads)
        network, conv = self.pages.get("network"), self.pages.get("convolution")
        if hasattr(network, "open_in_convolution") and hasattr(conv, "load_layer"):
            network.open_in_convolution.connect(self.open_in_convolution)
        self.resize(1280, 800)
        if first_tab in self.pages:
            self.tabs.setCurrentWidget(self.pages[first_tab])

    def open_in_convolution(self, dims: dict, what: str = "") -> None:
        """A layer of the Network tab in the Convolution tab (the tabs do not import each
        other: the shell passes the layer's dimensions on)."""
        conv = self.pages["convolution"]
        conv.load_layer(dims, what)
        self.tabs.setCurrentWidget(conv)

    def page(self, key: str) -> QWidget | None:
        return self.pages.get(key)

    def closeEvent(self, event) -> None:
        """Tabs with background work (camera, threads) release it before the window goes."""
        for page in self.pages.values():
            if hasattr(page, "shutdown"):
                page.shutdown()
        super().closeEvent(event)
