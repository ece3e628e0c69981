"""The selected layer: its shapes and cost, and a few of its output feature maps.

Feature maps are computed with `net.runner.feature_maps` on a worker thread; while one is
being computed, only the newest further request is kept (intermediate ones are dropped).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from visualizer.net.model.mobilenet import NetLayer
from visualizer.ui.network.feature_maps import FeatureMapStrip
from visualizer.ui.network.layer_table import macs_formula, shape_text
from visualizer.qtthreads.task import Task

MAP_TYPES = ("conv", "depthwise", "pointwise")


class LayerDetail(QGroupBox):
    feature_maps_shown = Signal(str)  # layer name

    def __init__(self, parent=None) -> None:
        super().__init__("Selected layer", parent)
        self.info = QLabel("Select a layer to see its shapes and feature maps.")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.maps = FeatureMapStrip(count=8, size=60)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555")
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.addWidget(self.info)
        box.addWidget(self.maps)
        box.addWidget(self.note)
        self.maps.clear()
        self._layer: NetLayer | None = None
        self._model = None
        self._task: Task | None = None
        self._pending: tuple | None = None

    def show_layer(self, layer: NetLayer | None, model=None, frame=None) -> None:
        """Describe `layer`; compute its feature maps when a model and a frame are known."""
        self._layer = layer
        self.maps.clear()
        if layer is None:
            self.info.setText("Select a layer to see its shapes and feature maps.")
            self.note.clear()
            return
        self.info.setText(
            f"<b>{layer.name}</b> ({layer.type}, {layer.kernel}×{layer.kernel}, stride "
            f"{layer.stride}): {shape_text(layer.input_shape)} → "
            f"{shape_text(layer.output_shape)}<br>{macs_formula(layer)}; "
            f"{layer.params:,} weights")
        if layer.type not in MAP_TYPES:
            self.note.setText("Feature maps are shown for convolution layers.")
        elif model is None or frame is None:
            self.note.setText("Run the live demo to see this layer's output feature maps "
                              "for the last frame.")
        else:
            self.note.setText(f"Computing {layer.name}'s feature maps…")
            self.refresh_maps(model, frame)

    def refresh_maps(self, model, frame) -> None:
        """(Re)compute the shown layer's feature maps for `frame` through `model`."""
        layer = self._layer
        if layer is None or layer.type not in MAP_TYPES or model is None or frame is None:
            return
        if self._task is not None:
            self._pending = (model, frame)
            return
        from visualizer.net.runtime.probes import feature_maps  # onnxruntime: only when needed

        name = layer.name

        def job(report, cancelled):
            return name, feature_maps(model, frame, name)

        self._model = model
        self._task = task = Task(job, self)
        task.succeeded.connect(self._on_maps)
        task.failed.connect(lambda msg: self.note.setText(f"Feature maps failed: {msg}"))
        task.finished.connect(self._on_finished)
        task.start()

    def _on_maps(self, result) -> None:
        name, maps = result
        if self._layer is None or self._layer.name != name:
            return  # the selection moved on; its own request is pending
        self.maps.show_maps(maps)
        model_name = getattr(self._model, "name", "the live model")
        self.note.setText(
            f"{len(self.maps.channels)} of {maps.shape[0]} channels ({maps.shape[1]}×"
            f"{maps.shape[2]} each), the most active first, for the last frame through "
            f"{model_name}.")
        self.feature_maps_shown.emit(name)

    def _on_finished(self) -> None:
        self._task = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self.refresh_maps(*pending)

    def busy(self) -> bool:
        return self._task is not None

    def shutdown(self) -> Task | None:
        """Drop pending work; the task in flight (if any) is the caller's to stop."""
        self._pending = None
        return self._task
