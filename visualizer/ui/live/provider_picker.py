"""The onnxruntime execution provider picker: the providers of this onnxruntime build,
each probed once (in the background) to see whether it can run MobileNet here; those that
cannot are shown greyed, with the reason in their tooltip (net/runtime/providers.py)."""
from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox

from visualizer.net.runtime.providers import ProviderCheck, check_providers, checked, short_name
from visualizer.net.runtime.sessions import (CPU, available_providers, current_provider,
                                             set_provider)
from visualizer.qtthreads.task import Task

__all__ = ["ProviderPicker", "short_name"]


class ProviderPicker(QComboBox):
    """Choosing a provider applies to the sessions created from then on; `changed` tells
    the owner to reload the running model on it. `checked` is emitted when the probe
    (see probe) has finished; a picker with nothing to probe (`_to_check` False from the
    start) never emits it."""

    changed = Signal(str)
    checked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        # onnxruntime itself is imported off the GUI thread when it is not yet (start-up):
        # the list then starts with the CPU, the others follow from the probe
        listed = "onnxruntime" in sys.modules
        for name in available_providers() if listed else [CPU]:
            self.addItem(short_name(name), name)
        self.setCurrentIndex(max(0, self.findData(current_provider())))
        self.setToolTip(
            "onnxruntime execution provider: those of this onnxruntime build that can run "
            "MobileNet here (the others are greyed, with the reason). The CPU takes any "
            "node the chosen one does not; the line beside says where the layers ran. "
            "When a provider fuses several layers into one kernel, those layers have no "
            "time of their own: the Network tab's table says 'fused' for them.")
        self.currentIndexChanged.connect(self._chosen)
        unknown = [n for n in self.providers() if checked(n) is None and n != CPU]
        for name in self.providers():
            self._show(checked(name) or (ProviderCheck(name, True, "") if name == CPU
                                         else None), name)
        # False: every provider was known at creation (no probe, so no `checked`)
        self._to_check = bool(unknown or not listed)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        """The probe starts when the picker is first shown (its tab opened): importing
        onnxruntime and probing take a second of CPU a window starting up can use."""
        super().showEvent(event)
        self.probe()

    def probe(self) -> None:
        """List and probe the providers in the background, once (see showEvent)."""
        if self._to_check and self.task is None:
            self._to_check = False
            self.task = Task(lambda report, cancelled: _list_and_check(), self)
            self.task.succeeded.connect(self._on_checked)
            self.task.finished.connect(self._on_finished)
            self.task.start()

    def providers(self) -> list[str]:
        """Every provider listed (usable or not)."""
        return [self.itemData(i) for i in range(self.count())]

    def usable(self) -> list[str]:
        return [n for n in self.providers() if (checked(n) or ProviderCheck(n, n == CPU, "")
                                               ).usable]

    def reason(self, name: str) -> str:
        """Why `name` is greyed ("" when it is usable; "being checked" until probed)."""
        item = self._item(name)
        return "" if item is None or item.isEnabled() else item.toolTip()

    def _item(self, name: str):
        model = self.model()
        index = self.findData(name)
        return model.item(index) if isinstance(model, QStandardItemModel) and index >= 0 \
            else None

    def _show(self, check: ProviderCheck | None, name: str) -> None:
        item = self._item(name)
        if item is None:
            return
        if check is None:
            item.setEnabled(False)
            item.setToolTip(f"{short_name(name)}: being checked…")
        elif check.usable:
            item.setEnabled(True)
            item.setToolTip(f"{short_name(name)}: runs {check.nodes} of the probe's "
                            f"{check.of} nodes here" if name != CPU else "")
        else:
            item.setEnabled(False)  # greyed; the text stays (the row keeps its layout)
            item.setToolTip(f"{short_name(name)} is unavailable: it {check.reason}")

    def _on_checked(self, checks: dict) -> None:
        if not shiboken6.isValid(self):  # the probe outlived its picker (shut down early)
            return
        self.blockSignals(True)  # items added, not chosen
        for name in checks:
            if self.findData(name) < 0:
                self.addItem(short_name(name), name)
        self.setCurrentIndex(max(0, self.findData(current_provider())))
        self.blockSignals(False)
        for name, check in checks.items():
            self._show(check, name)
        current = self.currentData()
        if current in checks and not checks[current].usable:
            self.setCurrentIndex(max(0, self.findData(CPU)))  # never left on one that fails

    def _on_finished(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.task = None  # the Task deletes itself
        self.checked.emit()

    def _chosen(self, index: int) -> None:
        name = self.itemData(index)
        item = self._item(name) if name else None
        if name and item is not None and not item.isEnabled() and name != current_provider():
            self.blockSignals(True)  # not usable (or not checked yet): stay where we were
            self.setCurrentIndex(max(0, self.findData(current_provider())))
            self.blockSignals(False)
            return
        if name and name != current_provider():
            set_provider(name)
            self.changed.emit(name)

    def shutdown(self) -> Task | None:
        """The probe in flight, if any, for the owner to stop with its other tasks."""
        return self.task


def _list_and_check() -> dict[str, ProviderCheck]:
    """Off the GUI thread: every provider of this onnxruntime build (importing it) and its
    check (probed once per process; the CPU needs none)."""
    names = available_providers()
    unknown = [n for n in names if checked(n) is None and n != CPU]
    if unknown:
        check_providers(unknown)
    return {n: checked(n) or ProviderCheck(n, n == CPU, "") for n in names}
