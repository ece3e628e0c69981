"""Table models of the Network tab: one row per layer, and the summary by layer type."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.model.rates import gmacs_per_s
from visualizer.net.analysis.timing_stats import TypeShare
from visualizer.ui.common.style import TYPE_COLORS

#: One colour per layer type, shared by the tables and the charts.
_TYPE_WORDS = {
    "conv": "standard 3×3 convolution", "depthwise": "3×3 depthwise convolution (one filter "
    "per channel)", "pointwise": "1×1 pointwise convolution (mixes channels)",
    "pool": "global average pooling", "fc": "fully connected classifier",
    "other": "softmax, layout changes and other nodes outside the paper's layers",
}


def shape_text(shape: tuple[int, int, int]) -> str:
    h, w, c = shape
    return f"{h}×{w}×{c}"


def macs_formula(layer: NetLayer) -> str:
    """How the layer's mult-adds are counted, with its own numbers."""
    ho, wo, cout = layer.output_shape
    cin = layer.input_shape[2]
    k = layer.kernel
    if layer.type == "pool":
        return "Average pooling: no mult-adds counted (as in the paper)."
    if layer.type == "fc":
        return f"{cin} inputs × {cout} classes = {layer.macs:,} mult-adds"
    return (f"{ho}·{wo} output positions × {k}·{k}·{cin // layer.groups} weights each"
            f" × {cout} output channels = {layer.macs:,} mult-adds")


_DISPLAY, _USER, _TOOLTIP = Qt.DisplayRole, Qt.UserRole, Qt.ToolTipRole
_ALIGN, _FONT, _BACKGROUND = Qt.TextAlignmentRole, Qt.FontRole, Qt.BackgroundRole
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_LEFT = int(Qt.AlignLeft | Qt.AlignVCenter)


def _bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


def _tint(color: str) -> QColor:
    c = QColor(color)
    c.setAlpha(70)
    return c


class LayerTableModel(QAbstractTableModel):
    HEADERS = ("Layer", "Type", "Input", "Output", "Mult-adds\n(M)", "Share\n(%)",
               "Params", "Time\n(ms)", "Time\n(%)", "GMAC/s")
    HEADER_TIPS = (
        "Layer name as in Table 1 of the MobileNet paper (dw = depthwise, pw = pointwise)",
        "Kind of layer",
        "Input feature map: height × width × channels",
        "Output feature map: height × width × channels",
        "Millions of multiply-adds for one image: output positions × weights per output",
        "Share (%): this layer's share of the whole network's mult-adds",
        "Number of weights (biases and batch norm are folded in and not counted)",
        "Measured kernel time of this layer (conv + ReLU6): trimmed mean of the last timed "
        "frames (n of them), the fastest and slowest 20% left out (a frame interrupted by "
        "another program does not move it)",
        "Time (%): this layer's share of the measured kernel time of the whole graph",
        "Achieved speed: mult-adds ÷ measured time, in billions per second. Low values mean "
        "the layer waits on memory rather than arithmetic",
    )
    TIME_COLUMN = 7

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._layers: tuple[NetLayer, ...] = ()
        self._ms: dict[str, float] = {}
        self._fused: frozenset[str] = frozenset()
        self._frames = 0
        self._values: list[tuple] = []  # raw values per row (cached: views ask often)
        self._texts: list[list[str]] = []

    # -- content -------------------------------------------------------------------------
    @property
    def layers(self) -> tuple[NetLayer, ...]:
        return self._layers

    def set_layers(self, layers: tuple[NetLayer, ...]) -> None:
        self.beginResetModel()
        self._layers = tuple(layers)
        self._ms = {}
        self._frames = 0
        self._recompute()
        self.endResetModel()  # the header too

    def set_timing(self, mean_ms: dict[str, float], frames: int,
                   fused: frozenset[str] = frozenset()) -> None:
        """Per-layer figures and n, the timed frames behind them (in the Time header);
        `fused` layers have no time of their own (the provider merged their nodes with
        others'): their time cells say so instead of showing 0."""
        self._fused = fused
        self._ms = {n: ms for n, ms in mean_ms.items() if n not in fused}
        header_changed = frames != self._frames
        self._frames = frames
        self._recompute()
        if header_changed:
            self.headerDataChanged.emit(Qt.Horizontal, self.TIME_COLUMN, self.TIME_COLUMN)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 7), self.index(self.rowCount() - 1, 9))

    def total_ms(self) -> float:
        return sum(self._ms.values())

    def _recompute(self) -> None:
        layers = self._layers
        total_macs = sum(l.macs for l in layers) or 1
        total_ms = self.total_ms()
        rows = []
        for layer in layers:
            ms = self._ms.get(layer.name)
            rows.append((layer.name, layer.type, shape_text(layer.input_shape),
                         shape_text(layer.output_shape), layer.macs / 1e6,
                         100 * layer.macs / total_macs, layer.params, ms,
                         100 * ms / total_ms if ms is not None and total_ms > 0 else None,
                         gmacs_per_s(layer.macs, ms)))
        if layers:
            macs = sum(l.macs for l in layers)
            ms = total_ms if self._ms else None
            rows.append(("Total", "", "", "", macs / 1e6, 100.0,
                         sum(l.params for l in layers), ms, 100.0 if ms else None,
                         gmacs_per_s(macs, ms)))
        self._values = rows
        self._texts = [[self._display(v, c) for c, v in enumerate(r)] for r in rows]
        for row, layer in enumerate(layers):
            if layer.name in self._fused:
                self._texts[row][7:10] = ["fused"] * 3

    def value(self, row: int, column: int):
        """The raw number (or text) behind a cell; None where nothing is known."""
        return self._values[row][column]

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._values)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            if role == _DISPLAY:
                if section == self.TIME_COLUMN and self._frames:
                    return f"Time (ms)\nn = {self._frames}"
                return self.HEADERS[section]
            if role == _TOOLTIP:
                return self.HEADER_TIPS[section]
        return None

    @property
    def frames(self) -> int:
        """n: the timed frames behind the time columns."""
        return self._frames

    def data(self, index, role=Qt.DisplayRole):
        row, col = index.row(), index.column()
        if role == _DISPLAY:
            return self._texts[row][col]
        if role == _USER:
            return self._values[row][col]
        if role == _ALIGN:
            return _RIGHT if col >= 4 else _LEFT
        total = row == len(self._layers)
        if role == _FONT and total:
            return _bold()
        if role == _BACKGROUND and col == 1 and not total:
            return _tint(TYPE_COLORS[self._layers[row].type])
        if role == _TOOLTIP:
            return self._tooltip(row, col)
        return None

    @staticmethod
    def _display(v, col: int) -> str:
        if v is None:
            return "—"
        if isinstance(v, str):
            return v
        if col == 4:
            return f"{v:,.2f}"
        if col in (5, 8):
            return f"{v:.1f}"
        if col == 6:
            return f"{v:,}"
        if col == 7:
            return f"{v:.2f}"
        return f"{v:.1f}"

    def _tooltip(self, row: int, col: int) -> str:
        if row == len(self._layers):
            if col == 7 and self._ms:
                return (f"Sum of the kernel times of all nodes, including softmax and "
                        f"layout changes (n = {self._frames} timed frames)")
            return self.HEADER_TIPS[col]
        layer = self._layers[row]
        if col == 1:
            return _TYPE_WORDS[layer.type]
        if col in (2, 3):
            return (f"{layer.name}: {shape_text(layer.input_shape)} in, "
                    f"{shape_text(layer.output_shape)} out, {layer.kernel}×{layer.kernel} "
                    f"kernel, stride {layer.stride}")
        if col in (4, 5):
            return macs_formula(layer)
        if col == 6:
            if layer.type == "pool":
                return "No weights"
            cin = layer.input_shape[2]
            return (f"{layer.kernel}·{layer.kernel}·{cin // layer.groups} × "
                    f"{layer.output_shape[2]} = {layer.params:,} weights")
        if col in (7, 8, 9) and layer.name in self._fused:
            return ("The execution provider fused this layer's nodes with other layers' "
                    "into one kernel: it has no time of its own (the fused kernel's time "
                    "is in the total)")
        if col in (7, 8, 9) and self._ms:
            return f"{self.HEADER_TIPS[col]} (n = {self._frames} timed frames)"
        return self.HEADER_TIPS[col]


class TypeSummaryModel(QAbstractTableModel):
    """Table 2 of the paper (share of mult-adds and parameters by type) plus measured time."""

    HEADERS = ("Type", "Layers", "Mult-adds\n(M)", "Mult-adds\n(%)", "Params\n(%)",
               "Time\n(ms)", "Time\n(%)", "GMAC/s")
    HEADER_TIPS = (
        "Layer type", "How many layers of this type",
        "Millions of multiply-adds of all layers of this type",
        "Share of the network's mult-adds (Table 2 of the paper)",
        "Share of the network's weights",
        "Measured kernel time of all layers of this type (mean per frame)",
        "Share of the measured kernel time",
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
            if col == 1 and self._rows[row][0] == "other":
                return ""
            if col in (0, 1):
                return str(v)
            return f"{v:,.2f}" if col in (2, 5) else f"{v:.1f}"
        if role == _USER:
            return v
        if role == _ALIGN:
            return _RIGHT if col else _LEFT
        if role == _BACKGROUND and col == 0:
            return _tint(TYPE_COLORS[self._rows[row][0]])
        if role == _TOOLTIP:
            return _TYPE_WORDS[self._rows[row][0]] if col == 0 else self.HEADER_TIPS[col]
        return None
