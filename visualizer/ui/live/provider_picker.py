"""The onnxruntime execution provider picker: every provider this onnxruntime build
reports (CPU always; a GPU build adds CUDA, TensorRT, DirectML, …)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

from visualizer.net.runtime.sessions import available_providers, current_provider, set_provider


def short_name(provider: str) -> str:
    return provider.removesuffix("ExecutionProvider") or provider


class ProviderPicker(QComboBox):
    """Choosing a provider applies to the sessions created from then on; `changed` tells
    the owner to reload the running model on it."""

    changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        for name in available_providers():
            self.addItem(short_name(name), name)
        self.setCurrentIndex(max(0, self.findData(current_provider())))
        self.setToolTip(
            "onnxruntime execution provider (what this onnxruntime build offers; the CPU "
            "takes any node the chosen one does not). When a provider fuses several layers "
            "into one kernel, those layers have no time of their own: the Network tab's "
            "table says 'fused' for them.")
        self.currentIndexChanged.connect(self._chosen)

    def providers(self) -> list[str]:
        return [self.itemData(i) for i in range(self.count())]

    def _chosen(self, index: int) -> None:
        name = self.itemData(index)
        if name:
            set_provider(name)
            self.changed.emit(name)
