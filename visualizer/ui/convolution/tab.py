"""The Convolution tab: an animated, editable explorer of one convolution layer.

A thin view over `visualizer.conv.explorer.Explorer`; a QTimer (no thread) advances the
step index. Keyboard: Space play/pause, ←/→ step, Home/End to start/end, whenever focus is
inside the tab and not in a text or number editor.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QPushButton, QRadioButton,
                               QScrollArea, QSplitter, QToolButton, QVBoxLayout, QWidget)

from visualizer.conv.explorer import Explorer
from visualizer.conv.layer import LayerError
from visualizer.conv.wording import NUMBERING_TIP
from visualizer.ui.convolution.animation_export import AnimationExporter
from visualizer.ui.convolution.dims_panel import DimsPanel
from visualizer.ui.convolution.fitted_text import FittedText
from visualizer.ui.convolution.panels import TensorPanels
from visualizer.ui.convolution.phase import PhaseBanner
from visualizer.ui.convolution.step_text_view import StepTextView
from visualizer.ui.convolution.tab_view import DETAIL_LINES, ConvTabView
from visualizer.ui.convolution.tally_panel import TallyPanel
from visualizer.ui.convolution.transport import Transport
from visualizer.ui.convolution.zoom import load_zoom, zoomed

CAPTION_TIP = ("Tensor shape (height × width × channels). Every channel is drawn whole "
               "when it fits; otherwise the part around the step, and the overview beside "
               "the caption shows where it is. " + NUMBERING_TIP)
PATHS = (("Standard", "standard", "Every filter slides over all input channels at once"),
         ("Depthwise-separable", "separable", "Depthwise (one k×k filter per channel), then "
                                              "pointwise (1×1 filters mixing the channels)"),
         ("Race", "race", "Standard and depthwise-separable side by side on the same input, "
                          "one multiplication per tick each: see which finishes first"))
PRESET_BUTTONS = (("seed example", "example"), ("random", "random"), ("zeros", "zeros"),
                  ("ones", "ones"))


def _tip(widget: QWidget, tip: str) -> QWidget:
    widget.setToolTip(tip)
    return widget


class ConvTab(ConvTabView, QWidget):
    """`explorer`: the state to show (a new seed example by default). `presentation`: only
    what a slide needs (title, phase, grids, step text, tallies), no controls: the
    animation exporter renders its frames this way."""

    def __init__(self, parent: QWidget | None = None, explorer: Explorer | None = None,
                 presentation: bool = False) -> None:
        super().__init__(parent)
        self.explorer = explorer or Explorer()
        self.presentation = presentation
        self.zoom = 1.0 if presentation else load_zoom()
        self.slide_height = 0  # slides: the frame height that sets the smallest text
        self.summary = False  # slides: the held last frame (totals and ratio)
        self._init_view()
        self.setFocusPolicy(Qt.StrongFocus)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.product_timer = QTimer(self)
        self.product_timer.timeout.connect(self._product_tick)
        self.product: int | None = None  # product-by-product: the product shown
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        self.title = FittedText(1, None, "#101010")
        self.title.hide()
        root.addWidget(self.title)
        self.top_bar = QWidget()
        self.top_bar.setLayout(self._build_top())
        self.top_bar.layout().setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.top_bar)
        self.dims = DimsPanel(self.explorer.spec)
        self.dims.changed.connect(self.apply_dims)
        self.dims.invalid.connect(self._invalid_dims)
        root.addWidget(self.dims)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.hide()  # shown only while it has something to say
        root.addWidget(self.message)
        body = self.body = QSplitter(Qt.Horizontal)
        body.addWidget(self._build_grids())
        self.tally = TallyPanel()
        # the formulas and groups box scroll in a small window; the headline is on top
        self.tally_scroll = QScrollArea()
        self.tally_scroll.setWidget(self.tally)
        self.tally_scroll.setWidgetResizable(True)
        self.tally_scroll.setFrameShape(QScrollArea.NoFrame)
        self.tally_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.tally_scroll.setMinimumWidth(300)
        body.addWidget(self.tally_scroll)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setSizes([940, 300])
        root.addWidget(body, 1)
        self.transport = Transport()
        self.transport.play_toggled.connect(self.toggle_play)
        self.transport.stepped.connect(self.step)
        self.transport.to_start.connect(lambda: self.seek(0))
        self.transport.to_end.connect(lambda: self.seek(self.explorer.length))
        self.transport.scrubbed.connect(self.seek)
        self.transport.speed_changed.connect(self._set_speed)
        root.addWidget(self.transport)
        self._shortcuts()
        self.exporter = AnimationExporter(self, presentation_view)
        if presentation:
            self.tally_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            self.tally.set_presentation(True)
            for w in (self.top_bar, self.dims, self.transport, self.products_button,
                      self.page_back, self.page_next, self.pager_label):
                w.hide()
        self.refresh()

    # ---- construction ----
    def _build_top(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(_tip(QLabel("Path:"), "Which computation the steps animate; the "
                                            "counters always show both paths"))
        self.paths = QButtonGroup(self)
        for i, (text, _, tip) in enumerate(PATHS):
            b = QRadioButton(text)
            b.setToolTip(tip)
            b.setChecked(i == 0)
            self.paths.addButton(b, i)
            row.addWidget(b)
        self.paths.idClicked.connect(lambda i: self.set_path(PATHS[i][1]))
        row.addSpacing(24)
        row.addWidget(_tip(QLabel("Values:"), "Refill the input and the weights; the "
                                              "dimensions stay. Edit single cells by "
                                              "double-clicking them"))
        for text, preset in PRESET_BUTTONS:
            b = QPushButton(text)
            b.setToolTip(f"Fill input and weights with {text} values (same dimensions)")
            b.clicked.connect(lambda _=False, p=preset: self.apply_preset(p))
            row.addWidget(b)
        row.addStretch(1)
        self.export_button = QPushButton("Export animation…")
        self.export_button.setToolTip("Write the current path's steps, from the current step "
                                      "on, as a GIF or MP4 (by the file name's extension), "
                                      "one frame per step at the current speed, 1280×720, "
                                      "then a held summary frame")
        self.export_button.clicked.connect(lambda: self.exporter.ask_and_export())
        row.addWidget(self.export_button)
        return row

    def _build_grids(self) -> QWidget:
        host = self.grids_host = QWidget()
        col = QVBoxLayout(host)
        col.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.phase = PhaseBanner()
        top.addWidget(self.phase, 1)
        self.products_button = QToolButton()
        self.products_button.setText("products ▶")
        self.products_button.setCheckable(True)
        self.products_button.setToolTip("Product by product: walk the shown step's "
                                        "multiplications one at a time (the first output "
                                        "cell before any step), outlining each pair")
        self.products_button.toggled.connect(self.play_products)
        top.addWidget(self.products_button)
        col.addLayout(top)
        self.panels = TensorPanels()
        self.panels.refit.connect(self.refresh)
        for panel in [p for lane in self.panels.lanes for p in lane]:
            panel.view.edited.connect(self.edit_cell)
            panel.view.message.connect(self.show_message)
            panel.view.hovered.connect(self.trace_output)
            panel.view.clicked_cell.connect(self.go_to_output)
            panel.caption.set_tooltip(CAPTION_TIP)
        self.input_view, self.weight_view, self.output_view = (
            p.view for p in self.panels.lanes[0])
        col.addWidget(self.panels, 1)
        col.addLayout(self._build_pager())
        # fixed height: the text changes every step and must not re-lay out the window
        self.detail = StepTextView(
            DETAIL_LINES, None, tooltip="The products of the step on screen "
            "(input · weight) and the running sum that becomes the highlighted output cell. "
            "Hover a product to outline its two cells. Right-click to copy. " + NUMBERING_TIP)
        self.detail.term_hovered.connect(self.mark_term)
        col.addWidget(self.detail)
        return host

    def _shortcuts(self) -> None:
        """Tab-wide shortcuts. Editors (spin boxes, the cell editor) claim their own keys
        through ShortcutOverride, so they keep their arrows and Space."""
        for key, slot in ((Qt.Key_Space, self.toggle_play), (Qt.Key_Right, lambda: self.step(1)),
                          (Qt.Key_Left, lambda: self.step(-1)), (Qt.Key_Home, lambda: self.seek(0)),
                          (Qt.Key_End, lambda: self.seek(self.explorer.length)),
                          (Qt.Key_PageUp, lambda: self.page_channels(-1)),
                          (Qt.Key_PageDown, lambda: self.page_channels(1))):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        for keys, direction in ((("Ctrl+=", "Ctrl++"), 1), (("Ctrl+-",), -1), (("Ctrl+0",), 0)):
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.WidgetWithChildrenShortcut)
                sc.activated.connect(lambda d=direction: self.set_zoom(zoomed(self.zoom, d)))

    def shutdown(self) -> None:
        """The window is closing: stop the animation and any export."""
        self.pause()
        self.products_button.setChecked(False)
        self.exporter.shutdown()

    # ---- commands ----
    def set_path(self, path: str) -> None:
        self.pause()
        self.explorer.set_path(path)
        self.paths.button([p for _, p, _ in PATHS].index(path)).setChecked(True)
        self.refresh()

    def apply_dims(self, values: dict) -> None:
        self.pause()
        try:
            self.explorer.set_dims(**values)
        except LayerError as e:
            self.show_message(f"{e}. Still showing the last valid layer: {self._layer_text()}.")
            return
        self.show_message("")
        self.refresh()

    def load_layer(self, dims: dict, what: str = "") -> None:
        """Show another layer (e.g. one of MobileNet's, from the Network tab): its real
        dimensions, the standard path (grouped for a depthwise layer), from step 0."""
        self.pause()
        self.explorer.set_path("standard")  # shown by the refresh of the new dimensions
        self.paths.button(0).setChecked(True)
        before = self.explorer.spec
        self.dims.set_values(**dims)
        if self.explorer.spec == before:
            self.refresh()
        s = self.explorer.spec
        if what and all(getattr(s, name) == v for name, v in dims.items()):
            self.show_message(f"{what}: {self._layer_text()}.", error=False)

    def _layer_text(self) -> str:
        s = self.explorer.spec
        return (f"{s.height}×{s.width}×{s.channels}, k={s.kernel}, N={s.filters}, "
                f"stride={s.stride}, pad={s.padding}, groups={s.groups}")

    def _invalid_dims(self, found: list) -> None:
        self.pause()
        self.show_message(f"Not applied: {'; '.join(found)}. Still showing the last valid "
                          f"layer: {self._layer_text()}.")

    def apply_preset(self, preset: str) -> None:
        self.explorer.apply_preset(preset)
        self.show_message("")
        self.refresh()

    def edit_cell(self, key: tuple, text: str) -> None:
        tensor, index = key
        try:
            self.explorer.set_value(tensor, index, text)
        except ValueError as e:
            self.show_message(f"Value not changed: {e}. Type a number such as 2 or -0.5.")
            return
        self.show_message("")
        self.refresh()

    def show_message(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b6e3a;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def step(self, delta: int) -> None:
        self.pause()
        self.seek(self.explorer.position + delta)

    def seek(self, position: int) -> None:
        if position >= self.explorer.length or position <= 0:
            self.pause()
        self.explorer.seek(position)
        self.refresh()

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.pause()
            return
        if self.explorer.at_end:
            self.explorer.seek(0)
        self.timer.start(max(1, round(1000 / self.transport.steps_per_second)))
        self.refresh()

    def pause(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.refresh_transport()

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def _set_speed(self, steps_per_second: int) -> None:
        if self.timer.isActive():
            self.timer.setInterval(max(1, round(1000 / steps_per_second)))

    def _tick(self) -> None:
        self.explorer.step(1)
        if self.explorer.at_end:
            self.timer.stop()
        self.refresh()


def presentation_view(explorer: Explorer) -> ConvTab:
    """The tab without its controls, showing `explorer`: what animation frames are."""
    return ConvTab(explorer=explorer, presentation=True)
