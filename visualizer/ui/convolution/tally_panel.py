"""The Convolution tab's tallies: the headline first (the reduction and both totals, in
view at any window size), then the live counters, the bar chart, the formulas and the
groups box. Every text follows the tab's scale (window size × zoom; slides: 2 % of the
frame height at least)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from visualizer.conv.costs import labelled_formula, output_size_lines
from visualizer.conv.explorer import Explorer
from visualizer.ui.convolution.fitted_text import FittedText
from visualizer.ui.convolution.metrics import TextSizes
from visualizer.ui.convolution.tally_chart import TallyChart
from visualizer.ui.convolution.tally_table import TallyRow, TallyTable

#: Row colours: the chart's bars (tally_chart) and the grids' phase highlights.
STD, GRP, DW, PW = "#4670c8", "#8c5abe", "#e68c1e", "#28a05a"
CONVENTION = ("Counting: one multiplication per weight × input product. Products with "
              "padding zeros count, as frameworks compute them; additions and biases do not.")


def _label(tip: str) -> QLabel:
    lab = QLabel()
    lab.setToolTip(tip)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return lab


class TallyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.reduction = _label("How many fewer multiplications depthwise-separable needs "
                                "than standard, for the whole layer.")
        self.versus = _label("The two whole-layer totals the headline compares.")
        self.ratio = _label("separable / standard, which equals the paper's 1/N + 1/k² "
                            "(N filters, k×k kernel) for any layer.")
        for w in (self.reduction, self.versus, self.ratio):
            col.addWidget(w)
        box = QGroupBox("Multiplications")
        box.setToolTip(CONVENTION)
        lay = QVBoxLayout(box)
        self.standard = TallyTable()
        self.standard.setToolTip("Multiplications done so far / in the whole layer, per path. "
                                 "The path not being played is greyed and shows only its "
                                 "total, so the comparison stays in view (the race plays "
                                 "both). Bold: the two counts to compare.")
        self.chart = TallyChart()
        # aligned columns: a line never wraps, the font shrinks to fit the width instead
        self.formulas = FittedText(1, None, "#202020", tooltip=(
            "The output size, then each count with the current numbers substituted, each "
            "factor under its symbol: k kernel side, C_in input channels, N filters, g groups, "
            "H_out × W_out output cells; P padding, S stride."))
        self.note = _label(CONVENTION)
        self.note.setText("Counts weight × input products, padding zeros included.")
        self.note.setStyleSheet("color: #666;")
        for w in (self.standard, self.chart, self.formulas, self.note):
            lay.addWidget(w)
        col.addWidget(box)
        self.box = box
        gbox = QGroupBox("Groups")
        gbox.setToolTip("From standard (groups = 1) to depthwise (groups = C_in): the same "
                        "layer as a grouped convolution, in PyTorch and ONNX")
        glay = QVBoxLayout(gbox)
        self.grouped = _label("Grouped convolution cost: each filter reads only "
                              "C_in / groups channels.")
        self.torch = _label("The same layer in PyTorch")
        self.onnx = _label("The same layer as an ONNX Conv node (attributes and weight shape)")
        for w in (self.grouped, self.torch, self.onnx):
            glay.addWidget(w)
        col.addWidget(gbox)
        self.groups_box = gbox
        col.addStretch(1)
        self._shown: tuple | None = None
        self.sizes: TextSizes | None = None
        self.set_sizes(TextSizes())

    def set_sizes(self, sizes: TextSizes) -> None:
        """Fonts of every text at these sizes (the headline largest)."""
        if sizes == self.sizes:
            return
        self.sizes = sizes
        self.reduction.setFont(sizes.font("headline", bold=True))
        self.versus.setFont(sizes.font("big", bold=True))
        for w in (self.ratio, self.note):
            w.setFont(sizes.font("small"))
        for w in (self.formulas, self.grouped, self.torch, self.onnx):
            w.setFont(sizes.font("mono"))
        self.formulas.set_floor(max(sizes.min_px, 7))
        for w in (self.box, self.groups_box):
            w.setFont(sizes.font("body", bold=True))
        self.standard.set_fonts(sizes.px("big"), sizes.px("small"))
        self.chart.set_font_px(sizes.px("small"))

    def set_presentation(self, on: bool) -> None:
        """Slides: the headline, counters and chart only."""
        for w in (self.formulas, self.note, self.groups_box):
            w.setVisible(not on)

    @property
    def min_text_px(self) -> int:
        """The smallest font of the visible texts."""
        shown = [w for w in (self.reduction, self.versus, self.ratio, self.note,
                             self.grouped, self.torch, self.onnx) if w.isVisibleTo(self)]
        sizes = [w.font().pixelSize() for w in shown]
        if self.formulas.isVisibleTo(self):
            sizes.append(self.formulas.text_px)
        return min(sizes + [self.standard.min_text_px, self.chart.font_px])

    def show_explorer(self, ex: Explorer) -> None:
        t, c, s = ex.tally(), ex.costs, ex.spec
        std_idle, sep_idle = not t.plays("standard"), not t.plays("separable")
        rows = []
        if s.groups > 1:  # the plain standard layer, for comparison: never played here
            rows.append(TallyRow(STD, "standard", 0, c.standard, idle=True))
            rows.append(TallyRow(GRP, f"grouped (g={s.groups})", t.standard_done,
                                 t.standard_total, True, std_idle))
        else:
            rows.append(TallyRow(STD, "standard", t.standard_done, t.standard_total, True,
                                 std_idle))
        rows += [TallyRow(DW, "depthwise", t.depthwise_done, t.depthwise_total, idle=sep_idle),
                 TallyRow(PW, "+ pointwise", t.pointwise_done, t.pointwise_total, idle=sep_idle),
                 TallyRow("", "= separable", t.separable_done, t.separable_total, True, sep_idle)]
        self.standard.set_rows(tuple(rows))
        self.chart.show_tally(t, s.groups)
        if (s, c) == self._shown:  # the rest depends on the layer only, not the step
            return
        self._shown = (s, c)
        lines = [*output_size_lines(s), ""]
        names = ["standard", *(["grouped"] if s.groups > 1 else []), "depthwise", "pointwise"]
        for name in names:
            top, bottom = labelled_formula(s, name)
            values, total = bottom.rsplit(" = ", 1)
            lines += [f"{name} = {total}", f"  {top}", f"  {values.rstrip()}"]
        lines.append(f"separable  {c.depthwise:,} + {c.pointwise:,} = {c.separable:,}")
        self.formulas.set_lines(len(lines))
        self.formulas.setText("\n".join(lines))
        headline, versus, ratio = ex.headline()
        self.reduction.setText(headline)
        self.versus.setText(versus)
        self.ratio.setText(ratio)
        share = c.grouped / c.standard
        f = ex.formulas()
        self.grouped.setText(f"{f['grouped']}\n= {share:.4g} × standard (1/groups)")
        self.torch.setText(ex.torch_text())
        self.onnx.setText("ONNX " + ex.onnx_text())
