"""The Live tab's model row: the model and execution-provider pickers, what runs now,
and the loading dialog.

Loads go through the LivePipeline (a background task, with download progress and cancel);
a model that fails to load or is cancelled leaves the running one, and the picker shows
the running one again. What the tab does next (start a pending run, show a message) it
learns from the signals below.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressDialog, QSizePolicy, QWidget

from visualizer.ui.live.inference_worker import MEASURING
from visualizer.net.runtime.providers import RanOn, ran_on, short_name
from visualizer.net.runtime.sessions import current_provider
from visualizer.qtthreads.task import stop
from visualizer.ui.live.pickers import ModelPicker
from visualizer.ui.live.provider_picker import ProviderPicker

#: a load that takes longer than this shows the progress dialog
SHOW_PROGRESS_AFTER_MS = 400


class ModelControls(QWidget):
    """`attach(pipeline)` once the pipeline exists; then `load(spec)`."""

    loaded = Signal()  # the pipeline's new model is in place and shown
    failed = Signal(str)  # the load failed (message); the previous model stays
    cancelled = Signal()  # the user cancelled the load; the previous model stays

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline = None
        self._closed = False
        self._loading_spec: str | None = None
        self._running_spec: str | None = None  # the model spec that loaded last
        self.ran: RanOn | None = None  # where the running model's last frame ran
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.picker = ModelPicker()
        self.picker.requested.connect(self.load)
        row.addWidget(self.picker, 1)
        self.provider = ProviderPicker()
        self.provider.changed.connect(self._provider_changed)
        row.addWidget(self.provider)
        self.label = QLabel("No model loaded")
        self.label.setWordWrap(True)
        # long names wrap instead of widening the window beyond a 1024-px screen
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(200)
        row.addWidget(self.label, 1)
        self.progress = QProgressDialog("Loading model…", "Cancel", 0, 0, self)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setWindowTitle("Model")
        self.progress.canceled.connect(self._cancel)
        self.progress.reset()
        self.progress.hide()

    def attach(self, pipeline) -> None:
        self.pipeline = p = pipeline
        p.modelLoading.connect(self._on_loading)
        p.modelProgress.connect(self._on_progress)
        p.modelLoaded.connect(self._on_loaded)
        p.modelFailed.connect(self._on_failed)
        p.runningChanged.connect(self.show_model)  # "Loaded" until a source runs

    def current(self) -> str:
        return self.picker.current()

    def load(self, spec: str | None = None) -> None:
        """Load `spec` (or the picker's choice) in the background; the old model runs on."""
        if spec is not None:
            self.picker.set_model(spec)
        if spec is None or not spec.startswith("untrained:"):
            spec = self.current()
        m = self.picker
        self.pipeline.load_model(spec, m.alpha, m.resolution, m.precision)

    def _provider_changed(self, _name: str) -> None:
        """A new execution provider: the running model is loaded again on it."""
        if self._running_spec is not None:
            self.load()

    def close_dialog(self) -> None:
        """The tab is shutting down: no dialog (and no provider probe) from now on."""
        self._closed = True
        self.progress.hide()
        stop(self.provider.shutdown())

    def show_ran_on(self, result) -> None:
        """Where a result's frame ran: the session's providers and, on timed frames, the
        provider of each layer (the profile says); a provider that fell back is said."""
        providers = tuple(getattr(result, "providers", ()) or ())
        if not providers:
            return
        layers = {t.name: t.provider for t in result.layers
                  if t.provider and t.type not in ("softmax", "layout", "other")}
        if not layers and self.ran is not None and self.ran.by_layer:
            return  # keep the account of the last timed frame
        ran = ran_on(current_provider(), providers, layers)
        if ran != self.ran:
            self.ran = ran
            self.show_model()

    # -- pipeline events ---------------------------------------------------------------
    def _on_loading(self, spec: str) -> None:
        self._loading_spec = spec
        self.label.setText(f"Loading {spec}…")
        self.label.setStyleSheet("")
        self.progress.setLabelText(f"Loading {spec}…")
        self.progress.setRange(0, 0)
        QTimer.singleShot(SHOW_PROGRESS_AFTER_MS, self._maybe_show_progress)

    def _maybe_show_progress(self) -> None:
        if self.pipeline.loading and not self._closed:
            self.progress.show()

    def _on_progress(self, done: int, total: int) -> None:
        if total == MEASURING:
            self.progress.setRange(0, 100)
            self.progress.setValue(done)
            self.progress.setLabelText("Measuring float vs int8 on this machine (once per "
                                       "checkpoint and thread count)…")
        elif total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setLabelText(f"Downloading… {done / 1e6:.1f} of {total / 1e6:.1f} MB")

    def _cancel(self) -> None:
        self.progress.hide()
        if self.pipeline.loading:
            self.pipeline.cancel_load()
            self._revert_picker()
            self.show_model()
            self.cancelled.emit()

    def _on_loaded(self, _model) -> None:
        self.progress.hide()
        self.ran = None  # a new runner: where it runs is said by its first frame
        self._running_spec = self._loading_spec
        self.show_model()
        self.loaded.emit()

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self._revert_picker()
        self.show_model()
        self.failed.emit(message)

    def _revert_picker(self) -> None:
        """The picker shows the model that runs, not the one that failed or was cancelled."""
        if self._running_spec is not None:
            self.picker.set_model(self._running_spec)
        m = self.pipeline.model
        if m is not None:
            self.picker.set_precision("auto" if getattr(m, "auto", "") else
                                      getattr(m, "precision", "float"))

    def show_model(self) -> None:
        m = self.pipeline.model
        if m is None:
            self.label.setText("No model loaded")
            return
        size = f"α {m.spec.alpha:g}, {m.spec.resolution}×{m.spec.resolution}"
        precision, auto = getattr(m, "precision", "float"), getattr(m, "auto", "")
        islands = getattr(m, "islands", ())
        if precision != "float" or auto:
            size += f", {precision}" + (f" + {len(islands)} float island"
                                        f"{'s' if len(islands) > 1 else ''}" if islands else "")
            size += " (auto)" if auto else ""
        self.picker.show_shape(m.spec.alpha, m.spec.resolution)
        self.picker.show_auto(auto)
        tip = (f"{m.name}: width multiplier {size} input, {m.spec.classes} classes"
               + ("" if m.trained else " — random weights: the timings are real, the "
                  "predictions are not"))
        if precision == "int8":
            formats = getattr(m, "kernels", "") or "the checkpoint's own"
            tip += f"\nint8 formats: {formats}"
            if islands:
                tip += (f"\n{', '.join(islands)} run as exact float islands (float kernels "
                        "on the same integers: identical outputs, measured faster here)")
        if auto:
            tip += f"\nauto: {auto}"
        where = f" {self.ran.text}" if self.ran else ""
        if self.ran is not None:
            tip += "\n" + _where_tooltip(self.ran)
        self.label.setToolTip(tip)
        state = "Running" if self.pipeline.running else "Loaded"
        fell_back = bool(self.ran and self.ran.fell_back)
        if m.trained:
            self.label.setText(f"{state}: {m.name} ({size}){where}")
            self.label.setStyleSheet("color: #b00020;" if fell_back else "")
        elif self.pipeline.running:  # now the predictions on screen are meaningless
            self.label.setText(f"{state}: {m.name}{where} — random weights, predictions "
                               "meaningless")
            self.label.setStyleSheet("color: #b00020; font-weight: bold;")
        else:  # nothing wrong yet: said calmly
            self.label.setText(f"{state}: {m.name}{where} (random weights: real timings, "
                               "meaningless predictions)")
            self.label.setStyleSheet("color: #b00020;" if fell_back else "color: #555;")


def _where_tooltip(ran: RanOn) -> str:
    """Which provider ran which layers (grouped), from the last timed frame."""
    if not ran.by_layer:
        return f"Ran {ran.text}; per-layer providers follow the first timed frame."
    groups: dict[str, list[str]] = {}
    for layer, provider in ran.by_layer.items():
        groups.setdefault(provider, []).append(layer)
    return "Layers ran on (the profile says): " + "; ".join(
        f"{'+'.join(short_name(p) for p in provider.split('+'))}: "
        f"{'all ' + str(len(names)) if len(groups) == 1 else ', '.join(names)}"
        for provider, names in groups.items())
