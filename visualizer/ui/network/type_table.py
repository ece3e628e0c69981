"""The Network tab's summary by layer type: Table 2 of the paper with measured time."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from visualizer.net.analysis.shares import TypeShare
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.network.layer_table import (ALIGN, BACKGROUND, LEFT, RIGHT, TOOLTIP,
                                              TYPE_WORDS, USER, tint)


class TypeSummaryModel(QAbstractTableModel):
    """Table 2 of the paper (share of mult-adds and parameters by type) plus measured time."""

    PARAMS_COLUMN = 4
    HEADERS = ("Type", "Layers", "Mult-adds\n(M)", "Mult-adds\n(%)", "Params\n(%)",
               "Time\n(ms)", "Time\n(%)", "GMAC/s")
    HEADER_TIPS = (
        "Layer type", "How many layers of this type",
        "Millions of multiply-adds of all layers of this type",
        "Share of the network's mult-adds (Table 2 of the paper)",
        "Share of the network's weights",
        "Measured time of all layers of this type (mean per frame); other: the kernels "
        "outside the paper's layers; overhead: the time outside every kernel",
        "Share of the measured frame time",
        "Mult-adds ÷ time for this type: the arithmetic speed these layers achieve",
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple] = []

    def set_rows(self, shares: tuple[TypeShare, ...], counts: dict[str, int],
                 params_percent: dict[str, float]) -> None:
        rows = [(s.type, counts.get(s.type, 0), s.macs / 1e6, s.macs_percent,
                 params_percent.get(s.type, 0.0), s.ms, s.time_percent, s.gmacs_per_s)
                for s in shares]
        if [r[0] for r in rows] == [r[0] for r in self._rows]:  # same rows: values only
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 1), self.index(len(rows) - 1,
                                                                   len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def value(self, row: int, column: int):
        return self._rows[row][column]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            if role == Qt.DisplayRole:
                return self.HEADERS[section]
            if role == Qt.ToolTipRole:
                return self.HEADER_TIPS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        v = self._rows[row][col]
        if role == Qt.DisplayRole:
            if v is None:
                return "—"
            if col == 1 and self._rows[row][0] in ("other", "overhead"):
                return ""
            if col in (0, 1):
                return str(v)
            return f"{v:,.2f}" if col in (2, 5) else f"{v:.1f}"
        if role == USER:
            return v
        if role == ALIGN:
            return RIGHT if col else LEFT
        if role == BACKGROUND and col == 0:
            return tint(TYPE_COLORS[self._rows[row][0]])
        if role == TOOLTIP:
            return TYPE_WORDS[self._rows[row][0]] if col == 0 else self.HEADER_TIPS[col]
        return None
