"""The row of layer dimension controls (H, W, C_in, k, N, stride, padding, groups).

Valid by construction: each spin box's range follows the other fields (conv.dims.bounds)
and groups are picked among the common divisors of C_in and N. Values set by a program
are never clamped: a combination that is still invalid (the explorer's memory limit, or
values passed to `set_values`) marks every field involved and lists all its problems.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from visualizer.conv.dims import all_problems, bounds, group_choices, problems
from visualizer.conv.layer import LayerSpec

#: (field, label, tooltip)
FIELDS = (
    ("height", "H", "Input height in cells"),
    ("width", "W", "Input width in cells"),
    ("channels", "C_in", "Input channels (e.g. 3 for RGB)"),
    ("kernel", "k", "Filter side: each filter is k × k × (C_in / groups); at most the "
                    "padded input's side"),
    ("filters", "N", "Number of filters = output channels"),
    ("stride", "stride", "How far the window moves between output cells"),
    ("padding", "pad", "Rings of zeros added around the input (their products are counted); "
                       "less than the kernel"),
    ("groups", "groups", "Split channels into groups: 1 = standard convolution, "
                         "C_in = depthwise (with N = C_in). Only the common divisors of "
                         "C_in and N are offered"),
)
INVALID_STYLE = "background: #ffd9d9;"


class DimsPanel(QWidget):
    """Emits `changed(dict)` with every field's value when a valid combination is set,
    `invalid(list)` with all the problems of an invalid one."""

    changed = Signal(dict)
    invalid = Signal(list)

    def __init__(self, spec: LayerSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.spins: dict[str, QSpinBox] = {}
        self.tips: dict[str, str] = {}
        for name, label, tip in FIELDS:
            lab = QLabel(label)
            lab.setToolTip(tip)
            self.tips[name] = tip
            if name == "groups":
                self.groups = QComboBox()
                self.groups.setToolTip(tip)
                self.groups.currentIndexChanged.connect(self._emit)
                row.addWidget(lab)
                row.addWidget(self.groups)
                continue
            spin = QSpinBox()
            spin.setKeyboardTracking(False)  # typing "64" applies once, not "6" then "64"
            spin.setToolTip(tip)
            spin.setRange(0, 1 << 30)
            spin.setValue(getattr(spec, name))
            spin.valueChanged.connect(self._emit)
            row.addWidget(lab)
            row.addWidget(spin)
            self.spins[name] = spin
        self._fill_groups(spec.groups)
        self.to_standard = QPushButton("groups=1")
        self.to_standard.setToolTip("Standard convolution: every filter sees all input channels "
                                    "(restores N if groups=C_in changed it)")
        self.to_depthwise = QPushButton("groups=C_in")
        self.to_depthwise.setToolTip("Depthwise: one k×k filter per channel (sets N = C_in)")
        self.to_standard.clicked.connect(self._standard)
        self.to_depthwise.clicked.connect(self._depthwise)
        row.addWidget(self.to_standard)
        row.addWidget(self.to_depthwise)
        row.addStretch(1)
        self._n_before_depthwise: tuple[int, int] | None = None  # (N before, C_in then)
        self.marked: dict[str, list[str]] = {}
        self._update_ranges()

    # ---- values ----
    def values(self) -> dict[str, int]:
        out = {name: spin.value() for name, spin in self.spins.items()}
        out["groups"] = int(self.groups.currentText() or 1)
        return out

    def set_values(self, **values: int) -> None:
        """Set several fields and emit once (never clamped: invalid values are marked)."""
        for name, v in values.items():
            if name == "groups":
                continue
            spin = self.spins[name]
            spin.blockSignals(True)
            spin.setRange(min(spin.minimum(), v), max(spin.maximum(), v))
            spin.setValue(v)
            spin.blockSignals(False)
        self._fill_groups(values.get("groups", self.values()["groups"]), keep=True)
        self._emit(refill=False)

    def show_spec(self, spec: LayerSpec) -> None:
        """Show a spec's values without emitting."""
        for name, spin in self.spins.items():
            spin.blockSignals(True)
            spin.setValue(getattr(spec, name))
            spin.blockSignals(False)
        self._fill_groups(spec.groups)
        self._update_ranges()

    def group_items(self) -> list[int]:
        return [int(self.groups.itemText(i)) for i in range(self.groups.count())]

    # ---- internals ----
    def _fill_groups(self, wanted: int, keep: bool = False) -> None:
        """Offer the common divisors of C_in and N; keep `wanted` if it is one, else the
        largest divisor below it (with `keep`, a value set by a program stays, marked)."""
        c, n = self.spins["channels"].value(), self.spins["filters"].value()
        choices = group_choices(c, n)
        if keep and wanted not in choices:
            choices = sorted(choices + [wanted])
        if wanted not in choices:
            below = [d for d in choices if d <= wanted]
            pick = below[-1] if below else 1
        else:
            pick = wanted
        items = [str(d) for d in choices]
        self.groups.blockSignals(True)
        if items != [self.groups.itemText(i) for i in range(self.groups.count())]:
            self.groups.clear()
            self.groups.addItems(items)
        self.groups.setCurrentText(str(pick))
        self.groups.blockSignals(False)

    def _update_ranges(self) -> None:
        values = self.values()
        for name, (lo, hi) in bounds(values).items():
            if name == "groups":
                continue
            v = values[name]
            spin = self.spins[name]
            spin.blockSignals(True)
            spin.setRange(min(lo, v), max(hi, v))  # an invalid value set by code stays
            spin.blockSignals(False)

    def _mark(self, found: dict[str, list[str]]) -> None:
        self.marked = found
        for name, _, _ in FIELDS:
            w = self.groups if name == "groups" else self.spins[name]
            bad = found.get(name)
            w.setStyleSheet(INVALID_STYLE if bad else "")
            w.setToolTip(self.tips[name] + ("\n\nProblem: " + "; ".join(bad) if bad else ""))

    def _depthwise(self) -> None:
        v = self.values()
        if v["groups"] != v["channels"] or v["filters"] != v["channels"]:
            self._n_before_depthwise = (v["filters"], v["channels"])
        self.set_values(groups=v["channels"], filters=v["channels"])

    def _standard(self) -> None:
        v = self.values()
        before = self._n_before_depthwise
        self._n_before_depthwise = None
        if before and v["filters"] == v["channels"] == before[1]:
            self.set_values(groups=1, filters=before[0])  # N as it was before groups=C_in
        else:
            self.set_values(groups=1)

    def _emit(self, *_: object, refill: bool = True) -> None:
        if refill:
            self._fill_groups(self.values()["groups"])
        self._update_ranges()
        values = self.values()
        found = problems(values)
        self._mark(found)
        if found:
            self.invalid.emit(all_problems(found))
        else:
            self.changed.emit(values)
