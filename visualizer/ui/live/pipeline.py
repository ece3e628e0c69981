"""The live pipeline: frames in, immutable InferenceResults out, never on the GUI thread.

`InferenceWorker` (inference_worker.py) lives in its own QThread and infers one frame at
a time. `LivePipeline` (GUI thread) connects a frame source to it:
a frame that arrives while the worker is busy (or before a model is ready) is dropped and
counted, never queued, so frames_received == frames_inferred + frames_dropped once the
frame in flight has returned. A result computed by the model in use before a switch is
discarded (and its frame counted as dropped): nothing of another model is counted or
shown for the current one. Models load (and download) on a background Task with
progress and cancel; a model that fails to load leaves the previous one in place.
"""
from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QObject, QThread, Signal

from visualizer.net.runtime.results import InferenceResult
from visualizer.net.analysis.machine_load import MachineLoad, load_between, snapshot
from visualizer.net.analysis.timing_stats import WINDOW, LayerStats
from visualizer.net.runtime.sessions import current_provider, live_threads
from visualizer.qtthreads.task import (STOP_WAIT_MS, Task, alive, detach,
                                       keep_until_finished, stop as stop_task)
from visualizer.ui.live.inference_worker import (
    InferenceWorker, LiveStats, LoadFn, RunnerFactory, Rate, default_load, default_runner,
)
from visualizer.video.frame_source import FrameSource
from visualizer.video.live_frame import DEFAULT_PREVIEW_SIDE, LiveFrame, Targets


class LivePipeline(QObject):
    """GUI-thread side of the live demo: one source, one inference thread, counters.

    start(source) / stop() / load_model(spec) / shutdown(); results, errors and model
    events arrive as the signals below, on the GUI thread.
    """

    resultReady = Signal(object, object)  # InferenceResult, the LiveFrame it came from
    error = Signal(str)  # source or inference problem; the pipeline has stopped
    sourceEnded = Signal()
    runningChanged = Signal()  # read `running`
    modelLoading = Signal(str)
    modelProgress = Signal(int, int)  # bytes done, total (0: unknown)
    modelLoaded = Signal(object)  # LoadedModel
    modelFailed = Signal(str)  # the previous model stays

    def __init__(self, threads: int | None = None, *, load_fn: LoadFn = default_load,
                 runner_factory: RunnerFactory = default_runner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: onnxruntime's intra-op threads (None: chosen from the cores, live_threads())
        self.threads = threads
        #: per-layer times on one frame in every `profile_every` (None: the runner decides)
        self.profile_every: int | None = None
        self._load_fn, self._runner_factory = load_fn, runner_factory
        #: the inference thread and its worker, from the first model on (_start_thread)
        self._thread: QThread | None = None
        self._worker: InferenceWorker | None = None
        self.model = None  # LoadedModel of the runner in use
        self.layers: tuple = ()
        self.source: FrameSource | None = None
        self._load_task: Task | None = None
        self._old_tasks: list[Task] = []  # cancelled loads still finishing
        self._has_runner = False
        self._busy = False
        self._sent_at: dict[int, float] = {}
        self._frame_id = 0
        self._closed = False
        self._preview_side = DEFAULT_PREVIEW_SIDE
        #: per-layer times of the current model's timed frames (the app's one statistic)
        self.timing = LayerStats()
        self.frames_stale = 0  # results of a previous model, discarded (counted as dropped)
        self.reset_counts()

    _toWorker = Signal(object, int)
    _setRunner = Signal(object)

    def _start_thread(self) -> None:
        """The inference thread, started with the first model. Unparented and kept alive
        (qtthreads) until it has finished, so the pipeline's deletion (which ends its loop,
        after the inference in flight) cannot destroy it running; its runner is closed
        after it, on the GUI thread."""
        if self._thread is not None:
            return
        self._thread = thread = QThread()
        thread.setObjectName("inference")
        self._worker = worker = InferenceWorker()
        worker.moveToThread(thread)
        self._toWorker.connect(worker.infer)
        self._setRunner.connect(worker.set_runner)
        worker.resultReady.connect(self._on_result)
        worker.failed.connect(self._on_failed)
        keep_until_finished(thread, worker.release)
        self.destroyed.connect(thread.quit)  # a pipeline deleted without shutdown()
        thread.start()

    # -- counts and statistics -------------------------------------------------------
    def reset_counts(self) -> None:
        self.frames_received = self.frames_inferred = self.frames_dropped = 0
        self.frames_failed = 0
        self._sent_at = {}  # frame ids stay unique across runs: a late result is stale
        self._last: InferenceResult | None = None
        self._latency: float | None = None
        self.result_frame_arrived: float | None = None
        self._cam_rate, self._inf_rate = Rate(), Rate()
        self.reset_timings()

    def reset_timings(self) -> None:
        """Forget the accumulated times (a new model or a new run)."""
        self._sum_ms, self._n_ms = 0.0, 0
        self.timing.clear()
        self._load_snaps: deque = deque(maxlen=WINDOW)  # the counters, per timed frame

    def machine_load(self) -> MachineLoad | None:
        """Other programs' CPU use over the timed frames the figures rest on."""
        snaps = self._load_snaps
        if len(snaps) < 2:
            return None
        return load_between(snaps[0], snaps[-1], self.effective_threads())

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def last_result(self) -> InferenceResult | None:
        return self._last

    def stats(self) -> LiveStats:
        now = time.perf_counter()
        n = self._n_ms
        return LiveStats(self.frames_received, self.frames_inferred, self.frames_dropped,
                         self._cam_rate.value(now), self._inf_rate.value(now),
                         self._last.total_ms if self._last else None,
                         self._sum_ms / n if n else None, self._latency)

    def conditions(self) -> str:
        """What the live figures were measured under, in a few words."""
        model = self.model
        precision = getattr(model, "precision", "float") if model is not None else "float"
        n = self.effective_threads()
        threads = f"{n} thread{'s' * (n != 1)}" + ("" if self.threads else " (auto)")
        text = (f"camera-paced frames, {threads}, {precision}, "
                f"{current_provider().replace('ExecutionProvider', '')}")
        load = self.machine_load()
        note = load.note("timing") if load is not None else ""
        return f"{text}; {note}" if note else text

    def report_extras(self) -> dict:
        """What exports and reports carry beside the layer rows: the conditions, the
        whole frame's figures and other programs' CPU use while the frames were timed
        (None where not known yet)."""
        account = self.timing.account()
        load = self.machine_load()
        return {"conditions": self.conditions(),
                "frame": account.summary() if account else None,
                "machine_load": load.to_json() if load is not None else None}

    def effective_threads(self) -> int:
        """The intra-op threads the next model runs with: --threads, else the cores left
        for inference once decoding and drawing have one (sessions.live_threads)."""
        return self.threads or live_threads()

    def layer_rows(self) -> list[dict]:
        """The per-layer figures of the current model's timed frames, in network order
        (name, type, macs, ms, n, gmacs_per_s): what the chart, exports and reports show."""
        return self.timing.rows()

    # -- model -------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._load_task is not None  # until its result has been handled

    def load_model(self, source: str, alpha: float = 1.0, resolution: int = 224,
                   precision: str = "float") -> None:
        """Load (maybe download) a model and build its runner off the GUI thread."""
        self.cancel_load()
        load_fn, factory = self._load_fn, self._runner_factory
        threads, every = self.effective_threads(), self.profile_every
        # float is not passed on, so a load_fn without the keyword still loads float;
        # auto measures on the threads the runner will use
        extra = {} if precision == "float" else {"precision": precision}
        if precision == "auto":
            extra["threads"] = threads

        def job(report, cancelled):
            def progress(done: int, total: int) -> None:
                report((int(done), int(total)))
            model = load_fn(source, alpha, resolution, progress, cancelled, **extra)
            if cancelled():
                return None
            return factory(model, threads, every)

        task = Task(job)
        task.progressed.connect(lambda p: self.modelProgress.emit(*p))
        task.succeeded.connect(lambda runner, t=task: self._on_loaded(t, runner))
        task.failed.connect(lambda msg, t=task: self._on_load_failed(t, msg))
        self._load_task = task
        self.modelLoading.emit(source)
        task.start()

    def cancel_load(self) -> None:
        """Cancel a load without waiting; its result, if any, is discarded."""
        task, self._load_task = self._load_task, None
        if task is not None:
            task.cancel()
            self._old_tasks.append(task)
            task.finished.connect(lambda t=task: self._forget(t))

    def _forget(self, task: Task) -> None:
        if task in self._old_tasks:
            self._old_tasks.remove(task)

    def _on_loaded(self, task: Task, runner) -> None:
        if task is not self._load_task or runner is None:
            if runner is not None:
                runner.close()
            return
        self._load_task = None
        self.model, self.layers = runner.model, tuple(runner.layers)
        self._has_runner = True
        self._set_targets()
        self.reset_timings()
        self._start_thread()
        self._setRunner.emit(runner)  # queued: swaps between two inferences
        self.modelLoaded.emit(runner.model)

    def _on_load_failed(self, task: Task, message: str) -> None:
        if task is self._load_task:
            self._load_task = None
            self.modelFailed.emit(message)

    # -- source ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.source is not None and self.source.running

    def start(self, source: FrameSource) -> None:
        """Stop any current source, reset the counts and start `source`."""
        self.stop()
        self.reset_counts()
        self.source = source
        self._set_targets()
        source.frameReady.connect(self._on_frame)
        source.framesDropped.connect(self._on_source_dropped)
        source.error.connect(self._on_source_error)
        source.ended.connect(self._on_source_ended)
        source.start()
        source.want_frame()  # then one at a time, as inference becomes free
        self.runningChanged.emit()

    def set_preview_side(self, side: int) -> None:
        """The preview's longer side the frames should have at least (the view's size)."""
        self._preview_side = max(64, int(side))
        self._set_targets()

    def _set_targets(self) -> None:
        """What the source makes of each frame: the network's input at the model's
        resolution, and a preview for the view."""
        if self.source is not None:
            res = self.model.spec.resolution if self.model is not None else None
            self.source.set_targets(Targets(res, self._preview_side))

    def stop(self) -> None:
        source, self.source = self.source, None
        if source is None:
            return
        source.frameReady.disconnect(self._on_frame)
        source.error.disconnect(self._on_source_error)
        source.ended.disconnect(self._on_source_ended)
        source.stop()  # reports the frames it received but will not emit
        source.framesDropped.disconnect(self._on_source_dropped)
        source.deleteLater()
        self.runningChanged.emit()

    def _on_frame(self, frame: LiveFrame) -> None:
        now = time.perf_counter()
        self.frames_received += 1
        self._cam_rate.tick(now)
        if self._busy or not self._has_runner:
            self.frames_dropped += 1
            if not self._busy and self.source is not None:
                self.source.want_frame()  # no model yet: the next one, when it comes
            return
        self._busy = True
        self._frame_id += 1
        self._sent_at = {self._frame_id: now}
        self._toWorker.emit(frame, self._frame_id)  # read-only arrays, shared

    def _on_source_dropped(self, count: int) -> None:
        """Frames the source received and dropped itself (e.g. replaced by a newer one
        while converting): received and dropped, like frames that find inference busy."""
        now = time.perf_counter()
        self.frames_received += count
        self.frames_dropped += count
        for _ in range(count):
            self._cam_rate.tick(now)

    def _on_result(self, result: InferenceResult, frame: LiveFrame) -> None:
        self._busy = False
        if self.source is not None:
            self.source.want_frame()
        now = time.perf_counter()
        sent = self._sent_at.pop(result.frame_id, None)
        if sent is None:  # sent before a stop/start reset the counts: not this run's
            return
        if result.model is not self.model:  # computed by the model before a switch
            self.frames_dropped += 1
            self.frames_stale += 1
            return
        self._latency = (now - sent) * 1000
        self.result_frame_arrived = sent  # perf_counter() when that frame arrived
        self.frames_inferred += 1
        self._inf_rate.tick(now)
        self._sum_ms += result.total_ms
        self._n_ms += 1
        self._last = result
        self.timing.add(result)
        if result.layers:
            snap = snapshot()  # ~0.1 ms: the counters, read per timed frame only
            if snap is not None:
                self._load_snaps.append(snap)
        self.resultReady.emit(result, frame)

    def _on_failed(self, message: str, frame_id: int) -> None:
        self._busy = False
        if self.source is not None:
            self.source.want_frame()
        if self._sent_at.pop(frame_id, None) is None:  # a previous run's frame
            return
        self.frames_failed += 1
        self.stop()
        self.error.emit(message)

    def _on_source_error(self, message: str) -> None:
        self.stop()
        self.error.emit(message)

    def _on_source_ended(self) -> None:
        self.stop()
        self.sourceEnded.emit()

    # -- shutdown ----------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = STOP_WAIT_MS) -> None:
        """Stop the source, cancel a load, release the runner and end the thread.

        Waits at most `timeout_ms` for the inference in flight; a thread still busy then
        is detached: it finishes on its own and its runner is closed after it."""
        if self._closed:
            return
        self._closed = True
        self.stop()
        self.cancel_load()
        stop_task(*self._old_tasks, timeout_ms=0)  # cancelled: they end on their own
        self._old_tasks.clear()
        thread, worker = self._thread, self._worker
        self._busy = False
        if thread is None:
            return
        thread.quit()  # after the inference in progress, if any
        if thread.wait(timeout_ms):
            worker.release()  # the thread has ended: closing the runner is safe
        else:  # it finishes on its own, and its runner is closed after it
            detach(thread)

    @property
    def thread_running(self) -> bool:
        return alive(self._thread)
