"""The Network tab's control row (α, resolution, classes, "Profile layers", the totals)
and the message line under it (an impossible network, a failed profile)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.profile_job import PROFILE_EVERY, PROFILE_FRAMES


class SpecControls(QWidget):
    """Which MobileNet V1 the tab shows; `changed` fires when the user edits a value."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alpha = QDoubleSpinBox(decimals=2, minimum=0.05, maximum=1.0, singleStep=0.05,
                                    value=1.0, prefix="α = ")
        self.alpha.setToolTip("Width multiplier α: every layer keeps int(α·C) channels. "
                              "Mult-adds and parameters shrink roughly by α²")
        self.resolution = QSpinBox(minimum=32, maximum=4096, singleStep=32, value=224,
                                   suffix=" px")
        self.resolution.setToolTip("Input resolution (a multiple of 32). Mult-adds shrink by "
                                   "(resolution/224)²; parameters do not change")
        self.classes = QSpinBox(minimum=1, maximum=100_000, value=NetSpec().classes,
                                suffix=" classes")
        self.classes.setToolTip("Outputs of the classifier. 1000 by default, as the paper "
                                "counts them (and as the `net` command does); the official "
                                "checkpoints have 1001 (class 0 is 'background'), which the "
                                "table switches to when the live demo runs one")
        self.profile_button = QPushButton("Profile layers")
        self.profile_button.setToolTip(
            f"Run this network {PROFILE_FRAMES} times on a test image with onnxruntime, timing "
            f"every {PROFILE_EVERY}th run layer by layer "
            "(untrained weights unless the live demo's model has this α and resolution) and "
            "fill in the measured time of every layer")
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020")
        self.message.setWordWrap(True)
        self.message.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        box.addLayout(row)
        box.addWidget(self.message)
        for w in (self.alpha, self.resolution, self.classes, self.profile_button):
            row.addWidget(w)
        row.addWidget(self.totals, 1)
        for spin in (self.alpha, self.resolution, self.classes):
            spin.valueChanged.connect(self.changed)

    def values(self) -> tuple[float, int, int]:
        """(α, resolution, classes) as set (not validated: NetSpec says what is wrong)."""
        return round(self.alpha.value(), 4), self.resolution.value(), self.classes.value()

    def set_values(self, alpha: float, resolution: int, classes: int | None = None) -> None:
        """Set the values without emitting `changed` (None: keep the classes)."""
        for spin, value in ((self.alpha, alpha), (self.resolution, resolution),
                            (self.classes, classes)):
            if value is not None:
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)

    def show_totals(self, spec: NetSpec, layer_count: int) -> None:
        self.totals.setText(
            f"<b>{spec.total_macs / 1e6:,.1f} M</b> mult-adds, "
            f"<b>{spec.total_params / 1e6:.2f} M</b> parameters "
            f"({layer_count} layers, {spec.resolution}×{spec.resolution} input)")
        self.totals.setToolTip("Totals of the table: one image, weights only")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def set_profiling(self, busy: bool) -> None:
        self.profile_button.setEnabled(not busy)
        self.profile_button.setText("Profiling…" if busy else "Profile layers")
