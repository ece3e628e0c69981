"""The row of layer dimension controls (H, W, C_in, k, N, stride, padding, groups)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from visualizer.conv.layer import LIMITS, LayerSpec

#: (field, label, tooltip)
FIELDS = (
    ("height", "H", "Input height in cells"),
    ("width", "W", "Input width in cells"),
    ("channels", "C_in", "Input channels (e.g. 3 for RGB)"),
    ("kernel", "k", "Filter side: each filter is k × k × (C_in / groups)"),
    ("filters", "N", "Number of filters = output channels"),
    ("stride", "stride", "How far the window moves between output cells"),
    ("padding", "pad", "Rings of zeros added around the input (their products are counted)"),
    ("groups", "groups", "Split channels into groups: 1 = standard convolution, "
                         "C_in = depthwise (with N = C_in)"),
)


class DimsPanel(QWidget):
    """Emits `changed(dict)` with every field's value whenever one changes."""

    changed = Signal(dict)

    def __init__(self, spec: LayerSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.spins: dict[str, QSpinBox] = {}
        for name, label, tip in FIELDS:
            lab = QLabel(label)
            lab.setToolTip(tip)
            spin = QSpinBox()
            spin.setRange(0 if name == "padding" else 1,
                          LIMITS.get(name, 63) if name != "padding" else 63)
            spin.setKeyboardTracking(False)  # typing "64" applies once, not "6" then "64"
            spin.setToolTip(tip)
            spin.setValue(getattr(spec, name))
            spin.valueChanged.connect(self._emit)
            row.addWidget(lab)
            row.addWidget(spin)
            self.spins[name] = spin
        self.to_standard = QPushButton("groups=1")
        self.to_standard.setToolTip("Standard convolution: every filter sees all input channels")
        self.to_depthwise = QPushButton("groups=C_in")
        self.to_depthwise.setToolTip("Depthwise: one k×k filter per channel (sets N = C_in)")
        self.to_standard.clicked.connect(lambda: self.set_values(groups=1))
        self.to_depthwise.clicked.connect(self._depthwise)
        row.addWidget(self.to_standard)
        row.addWidget(self.to_depthwise)
        row.addStretch(1)

    def values(self) -> dict[str, int]:
        return {name: spin.value() for name, spin in self.spins.items()}

    def set_values(self, **values: int) -> None:
        """Set several fields and emit once."""
        for name, v in values.items():
            spin = self.spins[name]
            spin.blockSignals(True)
            spin.setValue(v)
            spin.blockSignals(False)
        self._emit()

    def show_spec(self, spec: LayerSpec) -> None:
        """Show a spec's values without emitting."""
        for name, spin in self.spins.items():
            spin.blockSignals(True)
            spin.setValue(getattr(spec, name))
            spin.blockSignals(False)

    def _depthwise(self) -> None:
        c = self.spins["channels"].value()
        self.set_values(groups=c, filters=c)

    def _emit(self, *_: object) -> None:
        self.changed.emit(self.values())
