"""Live multiplication counters, formulas, reduction and the groups box of the Conv tab."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from visualizer.conv.costs import labelled_formula, output_size_lines
from visualizer.conv.explorer import Explorer
from visualizer.ui.convolution.tally_chart import TallyChart
from visualizer.ui.convolution.tally_table import TallyRow, TallyTable

#: Row colours: the chart's bars (tally_chart) and the grids' phase highlights.
STD, GRP, DW, PW = "#4670c8", "#8c5abe", "#e68c1e", "#28a05a"
CONVENTION = ("Counting: one multiplication per weight × input product. Products with "
              "padding zeros count, as frameworks compute them; additions and biases do not.")


def _label(tip: str, mono: bool = False, big: bool = False) -> QLabel:
    lab = QLabel()
    lab.setToolTip(tip)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if mono:
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        font.setPointSizeF(8.5)
        lab.setFont(font)
    if big:
        font = lab.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        lab.setFont(font)
    return lab


class TallyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox("Multiplications")
        box.setToolTip(CONVENTION)
        lay = QVBoxLayout(box)
        self.standard = TallyTable()
        self.standard.setToolTip("Multiplications done so far / in the whole layer, per path. "
                                 "The path not being played is greyed and shows only its "
                                 "total, so the comparison stays in view. Bold: the two "
                                 "counts to compare.")
        self.chart = TallyChart()
        self.formulas = _label("The output size, then each count with the current numbers "
                               "substituted, each factor under its symbol: k kernel side, "
                               "C_in input channels, N filters, g groups, H_out × W_out "
                               "output cells; P padding, S stride.", mono=True)
        self.reduction = _label("How many fewer multiplications depthwise-separable needs "
                                "than standard; the ratio equals the paper's 1/N + 1/k².",
                                big=True)
        self.note = _label(CONVENTION)
        self.note.setText("Counts weight × input products, padding zeros included.")
        self.note.setStyleSheet("color: #666;")
        for w in (self.standard, self.chart, self.formulas, self.reduction,
                  self.note):
            lay.addWidget(w)
        col.addWidget(box)
        gbox = QGroupBox("Groups: from standard (1) to depthwise (C_in)")
        glay = QVBoxLayout(gbox)
        self.grouped = _label("Grouped convolution cost: each filter reads only "
                              "C_in / groups channels.", mono=True)
        self.torch = _label("The same layer in PyTorch", mono=True)
        self.onnx = _label("The same layer as an ONNX Conv node (attributes and weight shape)",
                           mono=True)
        for w in (self.grouped, self.torch, self.onnx):
            glay.addWidget(w)
        col.addWidget(gbox)
        self.groups_box = gbox
        col.addStretch(1)
        self._shown: tuple | None = None

    def show_explorer(self, ex: Explorer) -> None:
        t, c, s = ex.tally(), ex.costs, ex.spec
        std_idle, sep_idle = t.playing != "standard", t.playing != "separable"
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
        self.formulas.setText("\n".join(lines))
        parts = []
        for i, (cheap, dear, a, b) in enumerate(ex.comparisons()):
            pct = 100.0 * (1 - a / b)
            word = "fewer" if pct >= 0 else "more"  # 1×1 kernels or N = 1: separable dearer
            size = "" if i == 0 else "font-size:small; "
            parts.append(f"<span style='{size}'>{abs(pct):.2f}% {word}: {cheap} vs {dear}</span>")
        parts.append(f"<span style='font-weight:normal; font-size:small'>"
                     f"{c.separable:,} / {c.standard:,} = {c.ratio:.4f} = 1/N + 1/k² = "
                     f"1/{c.filters} + 1/{c.kernel ** 2}</span>")
        self.reduction.setText("<br>".join(parts))
        share = c.grouped / c.standard
        f = ex.formulas()
        self.grouped.setText(f"{f['grouped']}\n= {share:.4g} × standard (1/groups)")
        self.torch.setText(ex.torch_text())
        self.onnx.setText("ONNX " + ex.onnx_text())
