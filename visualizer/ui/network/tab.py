"""The Network tab: MobileNet V1 layer by layer, theoretical cost beside measured time.

Left: the per-layer table of the selected α / resolution and the selected layer's shapes and
feature maps. Right: shares of mult-adds vs time (per layer and by type, with the summary
table and the all-standard-convolution comparison) and the latency sweep.
Timings come from `show_timing` (the live demo) or the "Profile layers" button; all
inference runs on worker threads.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QElapsedTimer, QItemSelectionModel, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from visualizer.net.model.mobilenet import NetSpec, SpecError
from visualizer.net.runtime.results import InferenceResult
from visualizer.ui.network.layer_detail import LayerDetail
from visualizer.ui.network.layer_table import LayerTableModel
from visualizer.ui.network.open_layer import add_open_button
from visualizer.ui.network.pages import ByTypePage, LayerTableView, SharesPage
from visualizer.ui.network.precision_page import PrecisionPage
from visualizer.ui.network.roofline_page import RooflinePage
from visualizer.net.runtime.profile_job import profile_job
from visualizer.ui.network.sweep_view import SweepView
from visualizer.qtthreads.task import Task, stop
from visualizer.net.analysis.shares import type_shares
from visualizer.net.analysis.timing_stats import unlike_twins
from visualizer.ui.network.spec_controls import SpecControls
from visualizer.ui.network.timing_feed import TimingFeed

MAPS_REFRESH_MS = 2000  # feature maps of live frames: at most this often
#: tables and charts redraw at most this often while timings stream in (live demo, profile)
REFRESH_MS = 500


class NetworkTab(QWidget):
    #: emitted after feature maps of a layer are shown (layer name) — for tests and status
    feature_maps_shown = Signal(str)
    profile_finished = Signal()
    #: "Open in Convolution tab": the selected layer's dimensions (open_layer.conv_dims)
    open_in_convolution = Signal(dict, str)

    def __init__(self, parent=None, threads: int | None = None) -> None:
        super().__init__(parent)
        self.threads = threads
        self._spec = NetSpec()  # 1000 classes, as the paper and the `net` command
        self._model = None  # LoadedModel of the live demo
        self._pipeline = None  # the Live tab's pipeline (connect_pages), for its machine load
        self._frame: np.ndarray | None = None
        self._feed = TimingFeed()
        self._timing = self._feed.stats  # the same statistic as the Live tab and exports
        self._profile_task: Task | None = None
        self._layers: tuple = ()  # self._spec.layers (NetSpec builds them on every access)
        self._dirty = False  # timings changed since the last refresh
        self._resize_pending = False  # the layers changed while the tab was hidden
        self._maps_stale = False  # a live frame arrived that the feature maps do not show
        self._timed_columns = False  # time columns were sized for measured values
        self._throttle = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._throttle.timeout.connect(self._on_throttle)
        self._maps_clock = QElapsedTimer()
        self._maps_clock.start()
        self._build()
        self._apply_spec()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.controls = c = SpecControls()
        self.alpha, self.resolution, self.classes = c.alpha, c.resolution, c.classes
        self.profile_button, self.totals, self.message = c.profile_button, c.totals, c.message

        self.layer_model = LayerTableModel(self)
        self.layer_view = LayerTableView(self.layer_model, self)
        self.detail = LayerDetail(self)
        self.detail.feature_maps_shown.connect(self.feature_maps_shown)
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addWidget(self.layer_view, 1)
        self.open_conv = add_open_button(self, lbox)
        lbox.addWidget(self.detail)

        shares = self.shares_page = SharesPage()
        by_type = self.by_type = ByTypePage()
        self.sweep = SweepView(self, threads=self.threads)
        self.tabs = QTabWidget()
        self.tabs.addTab(shares, "Shares")
        self.tabs.addTab(by_type, "By type")
        self.tabs.addTab(self.sweep, "Sweep")
        self.roofline = RooflinePage(self, threads=self.threads)
        self.tabs.addTab(self.roofline, "Roofline")
        self.precision = PrecisionPage(self, threads=self.threads)
        self.tabs.addTab(self.precision, "Float vs int8")
        for i, tip in enumerate((
                "Shares: each layer's and each type's share of the mult-adds and of the "
                "measured time", "Table 2 of the paper by layer type, with measured time",
                "Latency sweep: the 16 official α × resolution settings timed, against "
                "their mult-adds and published accuracy",
                "Roofline: each layer's arithmetic intensity against the speed it reached, "
                "under this computer's roofs",
                "Float vs int8: the live model's checkpoint timed in both, layer by layer")):
            self.tabs.setTabToolTip(i, tip)

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([705, 555])
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(c)
        box.addWidget(split, 1)

        c.changed.connect(self._apply_spec)
        self.profile_button.clicked.connect(self.start_profile)
        self.layer_view.selectionModel().currentRowChanged.connect(self._on_row)

    # -- the selected network -----------------------------------------------------------------
    @property
    def spec(self) -> NetSpec:
        return self._spec

    def set_spec(self, alpha: float, resolution: int, classes: int | None = None) -> None:
        self.controls.set_values(alpha, resolution, classes)
        self._apply_spec()

    def _apply_spec(self) -> None:
        try:
            spec = NetSpec(*self.controls.values())
        except SpecError as exc:
            self.controls.show_message(str(exc))
            return
        self.message.hide()
        changed = spec != self._spec or not self.layer_model.layers
        self._spec = spec
        if changed:
            self._layers = layers = spec.layers
            self._feed.set_layers(layers)
            row = max(self.layer_view.currentIndex().row(), 0)
            self.layer_model.set_layers(layers)
            self.layer_view.selectionModel().setCurrentIndex(
                self.layer_model.index(min(row, len(layers) - 1), 0),
                QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            self.controls.show_totals(spec, len(layers))
            self.by_type.show_spec(spec)
        if self.isVisible():
            self._refresh(resize=changed)
        else:  # e.g. following the live demo's model: fill and size the tables when shown
            self._dirty = True
            self._resize_pending |= changed

    def _schedule(self) -> None:
        """Timings changed: redraw now, or at the next throttle tick, or when shown."""
        self._dirty = True
        if self.isVisible() and not self._throttle.isActive():
            self._on_throttle()

    def _on_throttle(self) -> None:
        if self._dirty and self.isVisible():
            self._refresh()
            self._throttle.start()

    def refresh_now(self) -> None:
        """Draw any timings still waiting for the throttle (e.g. before a screenshot)."""
        if self._dirty:
            self._refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        """Hidden, the tab only collects live timings and frames; catch up when shown."""
        super().showEvent(event)
        if self._dirty:
            self._refresh()
        if self._maps_stale:
            self._maps_stale = False
            self._on_row(self.layer_view.currentIndex())

    def _refresh(self, resize: bool = False) -> None:
        """Fill the time columns, the by-type table, the charts and the sentence from the
        current figures (cells and bars are updated in place)."""
        self._dirty = False
        resize, self._resize_pending = resize or self._resize_pending, False
        layers = self._layers
        account = self._timing.account()
        mean = account.ms() if account else {}
        twins = unlike_twins(account.rows, {
            l.name: (l.type, l.input_shape, l.output_shape, l.stride) for l in layers}) \
            if account else []
        self.layer_model.set_timing(account, twins)
        shares = type_shares(layers, mean, {n: self._timing.type_of(n) for n in mean})
        rows_changed = self.by_type.set_rows(layers, shares)
        timed = bool(mean)
        if resize or timed != self._timed_columns:
            # column widths follow the contents when the layers change or times first
            # appear, not on every update: sizing queries every cell
            self._timed_columns = timed
            self.layer_view.size_columns()
        if resize or timed:  # a few rows: its times, as they grow a digit, are never cut
            self.by_type.size_columns()
        if rows_changed or resize:
            self.by_type.fit_height()
        self.shares_page.show_shares(layers, mean, shares, self._feed.source == "live",
                                     self._timing.frames)
        int8 = getattr(self._model, "precision", "float") == "int8"
        self.roofline.show_times(layers, mean, "int8" if int8 else "float32",
                                 load=self._live_load())
        if self._feed.mismatched:
            self.detail.note.setText(
                f"{self._feed.mismatched} timed frame(s) came from a different network than "
                "the one selected here; select the live model's α and resolution to see them.")

    def _live_load(self):
        """Other programs' CPU use over the live frames the times rest on (None for
        profiled times, or without a live pipeline)."""
        pipeline = self._pipeline
        if self._feed.source != "live" or not hasattr(pipeline, "machine_load"):
            return None
        return pipeline.machine_load()

    # -- timing ---------------------------------------------------------------------------------
    @Slot(object)
    def show_timing(self, result: InferenceResult, source: str = "profile") -> None:
        """Add one frame's per-layer timing (the figures of recent frames are shown);
        `source`: "live" (idle gaps between frames) or "profile" (back-to-back runs)."""
        if self._feed.add(result, source):
            self._schedule()

    def clear_timing(self) -> None:
        self._timing.clear()
        self._refresh()

    # -- live demo hooks ----------------------------------------------------------------------
    def connect_pages(self, pages: dict) -> None:
        """Follow the Live tab, if there is one: its model, its frames and their timings."""
        pipeline = getattr(pages.get("live"), "pipeline", None)
        if pipeline is not None:
            self._pipeline = pipeline
            pipeline.resultReady.connect(self.on_live_result)
            pipeline.modelLoaded.connect(self.set_model)
            pipeline.runningChanged.connect(lambda: self.on_live_running(pipeline.running))

    def on_live_running(self, running: bool) -> None:
        """A new live run starts its times afresh, as the Live tab and its exports do."""
        if running and self._feed.source == "live" and self._profile_task is None:
            self._feed.restart("live")
            self._schedule()

    @Slot(object, object)
    def on_live_result(self, result: InferenceResult, frame) -> None:
        """One inferred live frame (a LiveFrame, or an RGB array): keep what the network
        saw, add its timing, now and then refresh the selected layer's feature maps.
        Hidden, the tab only remembers them (cheap: this runs on the GUI thread for every
        live frame); it catches up when shown."""
        if result.model is not None and self._model is not None \
                and result.model is not self._model:
            return  # computed by the live demo's previous model
        seen = getattr(frame, "net_input", None)
        self.set_last_frame(seen if seen is not None else getattr(frame, "preview", frame))
        if self._profile_task is None:  # a running profile owns the time columns
            self.show_timing(result, "live")
        if self.isVisible() and self._maps_clock.elapsed() > MAPS_REFRESH_MS:
            self._maps_clock.restart()
            self.detail.refresh_maps(self._model, self._frame)

    @Slot(object)
    def set_model(self, model) -> None:
        """The live demo's LoadedModel; the table switches to its α, resolution, classes."""
        self._model = model
        self.precision.set_model(model)
        self.roofline.set_model(model)
        if model is not None:
            s = model.spec
            self.set_spec(s.alpha, s.resolution, s.classes)
        self._on_row(self.layer_view.currentIndex())

    @Slot(object)
    def set_last_frame(self, frame_rgb: np.ndarray) -> None:
        """The last frame the live demo ran (H, W, 3) uint8; used for feature maps."""
        first = self._frame is None
        self._frame = frame_rgb
        if not self.isVisible():
            self._maps_stale = True
        elif first:
            self._on_row(self.layer_view.currentIndex())

    # -- selected layer -----------------------------------------------------------------------
    def selected_layer(self):
        return self.layer_view.current_layer()

    def select_layer(self, name: str) -> None:
        self.layer_view.select_name(name)

    def _on_row(self, index, _previous=None) -> None:
        self._maps_clock.restart()
        self.detail.show_layer(self.selected_layer(), self._model, self._frame)

    def set_threads(self, threads: int | None) -> None:
        """onnxruntime intra-op threads of the next "Profile layers", sweep and roofs."""
        self.threads = self.sweep.threads = threads
        self.roofline.set_threads(threads)

    # -- profiling --------------------------------------------------------------------------------
    def start_profile(self) -> None:
        """Time every layer of the selected network on a worker thread."""
        if self._profile_task is not None:
            return
        job = profile_job(self._spec, self._model, self._frame, self.threads)
        self._feed.restart("profile")
        self._profile_task = task = Task(job, self)
        task.progressed.connect(self._on_profile_progress)
        task.failed.connect(self.controls.show_message)
        task.finished.connect(self._on_profile_finished)
        self.controls.set_profiling(True)
        task.start()

    def _on_profile_progress(self, item) -> None:
        if isinstance(item, NetSpec):
            if item.classes != self._spec.classes:
                self.set_spec(item.alpha, item.resolution, item.classes)
            return
        self.show_timing(item)

    def _on_profile_finished(self) -> None:
        self._profile_task = None  # the Task deletes itself
        self.controls.set_profiling(False)
        self._refresh()
        self.profile_finished.emit()

    # -- shutdown -------------------------------------------------------------------------------
    def busy(self) -> bool:
        return (self._profile_task is not None or self.detail.busy() or self.sweep.busy()
                or self.roofline.busy() or self.precision.busy())

    def shutdown(self) -> None:
        """Stop every worker thread of the tab (call before the window closes)."""
        stop(self._profile_task, self.detail.shutdown(), self.sweep.task,  # ~0.3 s at most
             self.roofline.shutdown(), self.precision.shutdown())

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt)
        self.shutdown()
        super().closeEvent(event)

