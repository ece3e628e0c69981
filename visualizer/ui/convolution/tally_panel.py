"""Live multiplication counters, formulas, reduction and the groups box of the Conv tab."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from visualizer.conv.explorer import Explorer
from visualizer.ui.convolution.tally_chart import TallyChart
from visualizer.ui.convolution.tally_table import TallyRow, TallyTable

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
                                 "The path not being animated shows its total, so the "
                                 "comparison stays in view. Bold: the two counts to compare.")
        self.chart = TallyChart()
        self.formulas = _label("Each count with the current numbers substituted: "
                               "k × k × C_in × N × H_out × W_out for standard, "
                               "k × k × C_in × H_out × W_out for depthwise, "
                               "C_in × N × H_out × W_out for pointwise.", mono=True)
        self.reduction = _label("How many fewer multiplications depthwise-separable needs "
                                "than standard; the ratio equals the paper's 1/N + 1/k².",
                                big=True)
        self.note = _label(CONVENTION)
        self.note.setText("Counts weight × input products, padding zeros included.")
        self.note.setStyleSheet("color: #666;")
        for w in (self.standard, self.chart, self.formulas, self.reduction,
                  self.note):
            lay.addWidget(w)
        col.addWidget(box, 1)
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
        self._shown: tuple | None = None

    def show_explorer(self, ex: Explorer) -> None:
        t, c, s = ex.tally(), ex.costs, ex.spec
        std_name = "standard" if s.groups == 1 else f"grouped (g={s.groups})"
        self.standard.set_rows((
            TallyRow("#4670c8", std_name, t.standard_done, t.standard_total, True),
            TallyRow("#e68c1e", "depthwise", t.depthwise_done, t.depthwise_total),
            TallyRow("#28a05a", "+ pointwise", t.pointwise_done, t.pointwise_total),
            TallyRow("", "= separable", t.separable_done, t.separable_total, True)))
        self.chart.show_tally(t, std_name)
        if (s, c) == self._shown:  # the rest depends on the layer only, not the step
            return
        self._shown = (s, c)
        f = ex.formulas()
        lines = [f"standard   {f['standard']}"]
        if s.groups > 1:
            lines.append(f"grouped    {f['grouped']}")
        lines += [f"depthwise  {f['depthwise']}", f"pointwise  {f['pointwise']}",
                  f"separable  {c.depthwise:,} + {c.pointwise:,} = {c.separable:,}"]
        self.formulas.setText("\n".join(lines))
        fewer = c.reduction_percent >= 0  # 1×1 kernels or N = 1 can make separable dearer
        self.reduction.setText(
            f"{abs(c.reduction_percent):.2f}% {'fewer' if fewer else 'more'} with "
            f"depthwise-separable"
            f"<br><span style='font-weight:normal; font-size:small'>"
            f"{c.separable:,} / {c.standard:,} = {c.ratio:.4f} = 1/N + 1/k² = "
            f"1/{c.filters} + 1/{c.kernel ** 2}</span>")
        share = c.grouped / c.standard
        self.grouped.setText(f"{f['grouped']}\n= {share:.4g} × standard (1/groups)")
        self.torch.setText(ex.torch_text())
        self.onnx.setText("ONNX " + ex.onnx_text())
