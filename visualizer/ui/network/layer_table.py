"""Table models of the Network tab: one row per layer, and the summary by layer type."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.model.rates import gmacs_per_s
from visualizer.net.analysis.timing_stats import OVERHEAD, OVERHEAD_TIP, Account, Row
from visualizer.ui.common.style import TYPE_COLORS

#: One colour per layer type, shared by the tables and the charts.
TYPE_WORDS = {
    "conv": "standard 3×3 convolution", "depthwise": "3×3 depthwise convolution (one filter "
    "per channel)", "pointwise": "1×1 pointwise convolution (mixes channels)",
    "pool": "global average pooling", "fc": "fully connected classifier",
    "other": "softmax, layout changes and other nodes outside the paper's layers",
    "overhead": OVERHEAD_TIP,
}
#: the rows after the paper layers: the other kernels, the time outside them, the total
OTHER_ROW, OVERHEAD_ROW = "other kernels", "overhead"


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


DISPLAY, USER, TOOLTIP = Qt.DisplayRole, Qt.UserRole, Qt.ToolTipRole
ALIGN, FONT, BACKGROUND = Qt.TextAlignmentRole, Qt.FontRole, Qt.BackgroundRole
RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
LEFT = int(Qt.AlignLeft | Qt.AlignVCenter)


def bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


def tint(color: str) -> QColor:
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
        "another program does not move it); ± half the spread from the 25th to the 75th "
        "percentile. The rows are a profiled frame's parts scaled to add up to the plain "
        "frames' time, the Total. ⚠: a layer timed unlike its twins (same work)",
        "Time (%): this row's share of the whole frame (the Total)",
        "Achieved speed: mult-adds ÷ measured time, in billions per second. Low values mean "
        "the layer waits on memory rather than arithmetic",
    )
    TIME_COLUMN = 7

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._layers: tuple[NetLayer, ...] = ()
        self._account: Account | None = None
        self._twins: frozenset[str] = frozenset()  # layers timed unlike their twins
        self._values: list[tuple] = []  # raw values per row (cached: views ask often)
        self._texts: list[list[str]] = []

    # -- content -------------------------------------------------------------------------
    @property
    def layers(self) -> tuple[NetLayer, ...]:
        return self._layers

    def set_layers(self, layers: tuple[NetLayer, ...]) -> None:
        self.beginResetModel()
        self._layers = tuple(layers)
        self._account = None
        self._twins = frozenset()
        self._recompute()
        self.endResetModel()  # the header too

    def set_timing(self, account: Account | None, twins: list[str] | None = None) -> None:
        """One account of a frame (None: no timing): each layer's figure with its spread,
        the other kernels and the overhead as rows, the whole frame as the Total, n in the
        Time header; `twins`: layers timed unlike the layers that do the same work.
        Layers the provider fused have no time of their own: their cells say so."""
        header_changed = (account.n if account else 0) != self.frames
        self._account = account
        self._twins = frozenset(twins or ())
        self._recompute()
        if header_changed:
            self.headerDataChanged.emit(Qt.Horizontal, self.TIME_COLUMN, self.TIME_COLUMN)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 7), self.index(self.rowCount() - 1, 9))

    def total_ms(self) -> float | None:
        """The whole frame the rows add up to (None before timing)."""
        return self._account.frame_ms if self._account else None

    @property
    def _fused(self) -> frozenset[str]:
        """Layers the provider fused: no time of their own."""
        rows = self._account.rows if self._account else ()
        return frozenset(r.name for r in rows if r.fused)

    def _ms(self) -> dict[str, float]:
        """Each timed layer's figure (fused layers have none)."""
        if not self._account:
            return {}
        fused = self._fused
        return {n: ms for n, ms in self._account.ms().items() if n not in fused}

    def _extra(self) -> list[tuple[str, str, list[Row]]]:
        """(row label, type, account rows) of the rows after the paper layers."""
        paper = {l.name for l in self._layers}
        rows = self._account.rows if self._account else ()
        return [(OTHER_ROW, "other", [r for r in rows if r.name not in paper
                                      and r.name != OVERHEAD]),
                (OVERHEAD_ROW, "overhead", [r for r in rows if r.name == OVERHEAD])]

    def _recompute(self) -> None:
        layers = self._layers
        total_macs = sum(l.macs for l in layers) or 1
        total_ms = self.total_ms()
        timed, fused = self._ms(), self._fused
        rows = []

        def share(ms):
            return 100 * ms / total_ms if ms is not None and total_ms else None

        for layer in layers:
            ms = timed.get(layer.name)
            rows.append((layer.name, layer.type, shape_text(layer.input_shape),
                         shape_text(layer.output_shape), layer.macs / 1e6,
                         100 * layer.macs / total_macs, layer.params, ms, share(ms),
                         gmacs_per_s(layer.macs, ms)))
        if layers:
            for label, kind, parts in self._extra():
                ms = sum(r.ms for r in parts) if self._account else None
                rows.append((label, kind, "", "", 0.0, 0.0, 0, ms, share(ms), None))
            macs = sum(l.macs for l in layers)
            rows.append(("Total", "", "", "", macs / 1e6, 100.0,
                         sum(l.params for l in layers), total_ms,
                         100.0 if total_ms else None, gmacs_per_s(macs, total_ms)))
        self._values = rows
        self._texts = [[self._display(v, c) for c, v in enumerate(r)] for r in rows]
        if self._account:
            spread = {r.name: (r.p75 - r.p25) / 2 for r in self._account.rows}
            for i, layer in enumerate(layers):
                if layer.name in spread and layer.name not in fused:
                    mark = " ⚠" if layer.name in self._twins else ""
                    self._texts[i][7] += f" ±{spread[layer.name]:.3f}{mark}"
            half = (self._account.frame_p75 - self._account.frame_p25) / 2
            self._texts[-1][7] += f" ±{half:.3f}"
        for row, layer in enumerate(layers):
            if layer.name in fused:
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
            if role == DISPLAY:
                if section == self.TIME_COLUMN and self.frames:
                    return f"Time (ms)\nn = {self.frames}"
                return self.HEADERS[section]
            if role == TOOLTIP:
                return self.HEADER_TIPS[section]
        return None

    @property
    def frames(self) -> int:
        """n: the timed frames behind the time columns."""
        return self._account.n if self._account else 0

    def data(self, index, role=Qt.DisplayRole):
        row, col = index.row(), index.column()
        if role == DISPLAY:
            return self._texts[row][col]
        if role == USER:
            return self._values[row][col]
        if role == ALIGN:
            return RIGHT if col >= 4 else LEFT
        total = row == len(self._values) - 1
        if role == FONT and total:
            return bold()
        if role == BACKGROUND and col == 1 and not total:
            return tint(TYPE_COLORS[self._values[row][1]])
        if role == TOOLTIP:
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
        if col == 7:  # ms to the microsecond (the columns keep their width as times change)
            return f"{v:.3f}" if v < 100 else f"{v:.1f}"
        return f"{v:.1f}"

    def _tooltip(self, row: int, col: int) -> str:
        acc = self._account
        if row == len(self._values) - 1:
            if col in (7, 8) and acc:
                return (f"The whole frame: {acc.conditions()}. The rows above add up to it.")
            return self.HEADER_TIPS[col]
        if row >= len(self._layers):
            label, kind, parts = self._extra()[row - len(self._layers)]
            text = TYPE_WORDS[kind]
            if acc and parts:
                text += ": " + ", ".join(f"{r.name} {r.ms:.3f} ms" for r in parts)
            return text
        layer = self._layers[row]
        if col == 1:
            return TYPE_WORDS[layer.type]
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
        if col in (7, 8, 9) and acc and acc.row(layer.name):
            r = acc.row(layer.name)
            text = (f"{r.ms:.3f} ms (p25–p75 {r.p25:.3f}–{r.p75:.3f}; profiled "
                    f"{r.raw_ms:.3f} ms, scaled ×{acc.scale:.2f}), n = {r.n} timed frames")
            if layer.name in self._twins:
                text += (". ⚠ Other layers do the same work, but this one's spread does not "
                         "overlap theirs: its figure reflects the moment it was measured "
                         "(another program, a frequency change) more than the layer")
            return text
        return self.HEADER_TIPS[col]
