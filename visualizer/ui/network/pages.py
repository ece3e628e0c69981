"""Parts of the Network tab: its table views and the two cost-vs-time pages beside them.

"Shares" (mult-adds vs time): a one-sentence verdict, a note on conv1's cold start and the share
chart. "By type": Table 2 of the paper with measured time, and the all-standard-convolution
("Conv MobileNet") comparison.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from visualizer.net.model.mobilenet import NetLayer, NetSpec, summary_by_type
from visualizer.net.analysis.shares import MIN_FRAMES, TypeShare, explain, first_layer_note
from visualizer.ui.network.type_table import TypeSummaryModel
from visualizer.ui.network.share_chart import ShareChart


def _set_up(view: QTableView, model) -> None:
    """A single-row-selection table of `model`, its last column stretched."""
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    # widths follow the contents on each refresh (resizeColumnsToContents), not on every
    # data change: ResizeToContents mode would query every cell many times per update
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.Stretch)


class FittedTableView(QTableView):
    """A table whose columns fit their contents; when they do not all fit its width, the
    HIDEABLE columns are hidden, first to last, only as far as needed."""

    HIDEABLE: tuple[int, ...] = ()

    def __init__(self, model, parent=None) -> None:
        super().__init__(parent)
        _set_up(self, model)
        self.setToolTip("")  # cells and headers carry their own tooltips
        self._width = 0  # width all columns need (set when they are sized)
        self._header_hints: dict[int, int] = {}

    def _header_hint(self, col: int) -> int:
        """The header's width for `col`; for a hidden column (Qt then says 0) the one
        measured while it was shown, else measured shown once."""
        header = self.horizontalHeader()
        if not header.isSectionHidden(col):
            self._header_hints[col] = header.sectionSizeHint(col)
        elif col not in self._header_hints:
            header.showSection(col)
            self._header_hints[col] = header.sectionSizeHint(col)
            header.hideSection(col)
        return self._header_hints[col]

    def size_columns(self) -> None:
        """Fit the columns to their contents (the last one stretches)."""
        header = self.horizontalHeader()
        # what resizeColumnToContents gives, hidden or not; measured once per column
        # (asking every cell of the table for its size hint takes milliseconds)
        widths = [max(self.sizeHintForColumn(c), self._header_hint(c))
                  for c in range(self.model().columnCount())]
        for col, width in enumerate(widths[:-1]):
            header.resizeSection(col, width)
        self._widths = widths
        self._width = sum(widths)
        self._fit()

    def _fit(self) -> None:
        widths = getattr(self, "_widths", None)
        if not widths:
            return
        room, need, hide = self.viewport().width(), sum(widths), []
        for col in self.HIDEABLE:
            if need <= room:
                break
            hide.append(col)
            need -= widths[col]
        for col in self.HIDEABLE:
            if self.isColumnHidden(col) != (col in hide):
                self.setColumnHidden(col, col in hide)
                if col not in hide:
                    self.horizontalHeader().resizeSection(col, widths[col])

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Resize:  # the viewport has its new width now
            self._fit()
        return handled


class LayerTableView(FittedTableView):
    """The per-layer table; when all columns do not fit it hides, in this order, the
    Input column (the row above's Output), Params (in the layer's details) and the
    mult-adds share, so the measured times stay in view."""

    #: hidden first to last as the table narrows (Input, Params, Share of mult-adds)
    HIDEABLE = (2, 6, 5)

    def current_layer(self):
        """The NetLayer of the current row, or None."""
        row, layers = self.currentIndex().row(), self.model().layers
        return layers[row] if 0 <= row < len(layers) else None

    def select_name(self, name: str) -> None:
        """Select the row of the layer called `name` (KeyError when there is none)."""
        for row, layer in enumerate(self.model().layers):
            if layer.name == name:
                self.selectRow(row)
                self.setCurrentIndex(self.model().index(row, 0))
                return
        raise KeyError(name)


class SharesPage(QWidget):
    """Share of mult-adds vs share of measured time, per layer and by type."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setStyleSheet("font-weight: 600; padding: 2px")
        self.sentence.setToolTip("Computed from the table: share of mult-adds (theory) and "
                                 "share of measured kernel time (this computer)")
        self.cold_note = QLabel()  # why conv1 looks slow, when it does
        self.cold_note.setWordWrap(True)
        self.cold_note.setStyleSheet("color: #444; padding: 0 2px")
        self.cold_note.hide()
        self.chart = ShareChart(self)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.sentence)
        box.addWidget(self.cold_note)
        box.addWidget(self.chart, 1)

    def show_shares(self, layers: tuple[NetLayer, ...], mean_ms: dict[str, float],
                    shares: tuple[TypeShare, ...], live: bool, frames: int) -> None:
        """Bars, sentence and cold-start note of the current figures (`live`: they come
        from live frames, with idle gaps between them; `frames`: n, the timed frames behind
        them: the sentence and the note wait for MIN_FRAMES)."""
        self.chart.update_shares(layers, mean_ms, shares)
        self.sentence.setText(explain(shares, frames))
        note = first_layer_note(layers, mean_ms, live) if frames >= MIN_FRAMES else ""
        self.cold_note.setText(note)
        self.cold_note.setVisible(bool(note))
        self._fit_texts()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().resizeEvent(event)
        self._fit_texts()

    def _fit_texts(self) -> None:
        """Give the wrapped sentences the height their text needs at this width (the
        layout alone leaves a wrapped label the height of fewer lines, which clips it)."""
        width = max(1, self.width() - 8)
        for label in (self.sentence, self.cold_note):
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)


class ByTypePage(QWidget):
    """Table 2 of the paper (mult-adds and parameters by layer type) with measured time,
    and Table 4's comparison with the all-standard-convolution network."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.summary_model = TypeSummaryModel(self)
        self.summary_view = FittedTableView(self.summary_model, self)
        self.summary_view.HIDEABLE = (TypeSummaryModel.PARAMS_COLUMN,)  # when narrow
        self.summary_view.setSelectionMode(QAbstractItemView.NoSelection)
        self.summary_view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.comparison = QLabel()
        self.comparison.setWordWrap(True)
        self.comparison.setToolTip(
            "Table 4 of the paper: the same network with every depthwise + pointwise pair "
            "replaced by one full 3×3 convolution ('Conv MobileNet')")
        tbox = QVBoxLayout(self)
        tbox.setContentsMargins(4, 4, 4, 4)
        heading = QLabel("Table 2 of the paper — share of mult-adds and parameters by layer "
                         "type — with the measured time beside it")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: 600")
        tbox.addWidget(heading)
        tbox.addWidget(self.summary_view)
        tbox.addWidget(self.comparison)
        tbox.addStretch(1)

    def show_spec(self, spec: NetSpec) -> None:
        """The Conv MobileNet comparison for `spec`'s α and resolution."""
        conv = NetSpec(spec.alpha, spec.resolution, spec.classes, standard_conv=True)
        self.comparison.setText(
            f"Conv MobileNet (all standard 3×3 convolutions, same α and resolution): "
            f"{conv.total_macs / 1e6:,.0f} M mult-adds and {conv.total_params / 1e6:.1f} M "
            f"parameters — {conv.total_macs / spec.total_macs:.1f}× the mult-adds and "
            f"{conv.total_params / spec.total_params:.1f}× the parameters of this MobileNet.")

    def set_rows(self, layers: tuple[NetLayer, ...], shares: tuple[TypeShare, ...]) -> bool:
        """Fill the table; True when its number of rows changed."""
        summary = summary_by_type(layers)
        counts = {s.type: s.count for s in summary}
        params = {s.type: s.params_percent for s in summary}
        rows_before = self.summary_model.rowCount()
        self.summary_model.set_rows(shares, counts, params)
        return self.summary_model.rowCount() != rows_before

    def size_columns(self) -> None:
        """Fit the columns to their contents (the last one stretches); Params (%) is
        hidden when they do not all fit."""
        self.summary_view.size_columns()

    def fit_height(self) -> None:
        """As tall as the header and rows (the table never scrolls)."""
        self.summary_view.setFixedHeight(self.summary_view.horizontalHeader().height()
                                         + 22 * self.summary_model.rowCount() + 4)
