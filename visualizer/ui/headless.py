"""The live demo driven from the command line (`--source --model --autostart
--exit-after-frames N --report OUT.json [--screenshot PATH] [--tab network]`).

It opens the normal window (showing the Live tab, or the one --tab names) and runs the
Live tab exactly as a user would; it only adds a heartbeat (a 5 ms QTimer whose lateness
measures how long the GUI event loop was blocked) and writes a JSON report at the end. The run ends after N inferred frames, when
a video ends (before N frames too: exit 0 with the report; a video is not looped), on a
source or model error (exit 2 and one line on stderr, report still written), when the
window is closed, or on Ctrl-C or SIGTERM (exit 130, no traceback, report still written).
Images and folders of images repeat until N frames.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from visualizer.io.atomic import write_atomic
from visualizer.io.report import run_metadata
from visualizer.ui.common.image_files import save_png
from visualizer.net.analysis.timing_stats import statistic
from visualizer.ui.common.interrupt import INTERRUPTED, Interrupted
from visualizer.ui.live.pickers import default_model
from visualizer.video.sources import SourceError, make_source

HEARTBEAT_MS = 5
MODEL_TIMEOUT_S = 600.0  # a first-time download of the largest checkpoint may be slow


def prepare_headless(args) -> None:
    """A run that ends by itself needs no screen: use Qt's offscreen platform when there
    is no display (before the QApplication exists)."""
    no_display = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.exit_after_frames is not None and no_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def check_args(args) -> str | None:
    """One line describing what is wrong with the source, or None (the options' own
    combinations are checked before Qt starts: launch.check_live_options)."""
    if args.source:
        try:
            make_source(args.source).deleteLater()
        except SourceError as e:
            return str(e)
    return None


class Heartbeat(QObject):
    """Longest gap between ticks of a 5 ms timer, minus the 5 ms: the worst GUI stall."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.max_stall_ms = 0.0
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(self._timer.timerType().PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start(self.interval_ms)

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            late = (now - self._last) * 1000 - self.interval_ms
            self.max_stall_ms = max(self.max_stall_ms, late)
        self._last = now


class LiveRun(QObject):
    """Drives a LiveTab until the end condition, then writes the report and quits."""

    def __init__(self, window, tab, args) -> None:
        super().__init__(tab)
        self.window, self.tab, self.args = window, tab, args
        self.pipe = tab.pipeline
        self.heartbeat = Heartbeat(parent=self)
        self.exit_code = 0
        self.reason = ""
        self.error: str | None = None
        self.latencies: list[float] = []
        self.started_at: float | None = None
        self._done = False
        p = self.pipe
        p.resultReady.connect(self._on_result)
        self.headless = args.exit_after_frames is not None
        if self.headless:  # otherwise the tab shows these and the window stays open
            p.error.connect(lambda m: self.finish("error", m))
            p.sourceEnded.connect(lambda: self.finish("source ended"))
            p.modelFailed.connect(lambda m: self.finish("model failed", m))
        p.runningChanged.connect(self._on_running)
        QApplication.instance().aboutToQuit.connect(self._closing)

    def begin(self) -> None:
        args, tab = self.args, self.tab
        n = args.exit_after_frames
        tab.pipeline.threads = args.threads
        if n is not None and n < 120:  # short runs: per-layer times of enough frames
            tab.pipeline.profile_every = max(4, min(30, n // 6))
        if args.source:
            tab.set_source(args.source)
        if getattr(args, "precision", None):
            tab.model_picker.set_precision(args.precision)
        tab.load_model(args.model or default_model())
        if args.autostart:
            tab.start()
            QTimer.singleShot(int(MODEL_TIMEOUT_S * 1000), self._model_timeout)

    def _model_timeout(self) -> None:
        if self.pipe.model is None:
            self.finish("error", f"no model within {MODEL_TIMEOUT_S:g} s")

    def _on_running(self) -> None:
        if self.pipe.running and self.started_at is None:
            self.started_at = time.perf_counter()
            self.heartbeat.start()

    def _on_result(self, result, _frame) -> None:
        s = self.pipe.stats()
        if s.latency_ms is not None:
            self.latencies.append(s.latency_ms)
        n = self.args.exit_after_frames
        if n is not None and s.frames_inferred >= n:
            self.finish(f"{n} frames")

    def finish(self, reason: str, error: str | None = None) -> None:
        if self._done:
            return
        self._done = True
        self.reason, self.error = reason, error
        self.heartbeat.stop()
        self.pipe.stop()
        self._wait_idle(time.perf_counter())

    def interrupted(self) -> None:
        """Ctrl-C or SIGTERM: end as at the last frame (the frame in flight comes back, the
        report is written, the event loop ends); the exit code is then 130."""
        self.finish("interrupted")

    def _closing(self) -> None:
        """The window is closing: write the report now (no event loop to wait in)."""
        if not self._done:
            self._done, self.reason = True, "window closed"
            self.heartbeat.stop()
            self.pipe.stop()
            self._write()

    def _wait_idle(self, since: float) -> None:
        """Let the frame in flight come back so received == inferred + dropped."""
        if self.pipe.busy and time.perf_counter() - since < 30:
            QTimer.singleShot(5, lambda: self._wait_idle(since))
            return
        self._write()

    def report(self) -> dict:
        p, s = self.pipe, self.pipe.stats()
        elapsed = time.perf_counter() - self.started_at if self.started_at else 0.0
        top = p.last_result.top5[0] if p.last_result and p.last_result.top5 else None
        lat = self.latencies
        return {
            **run_metadata(p.model, p.effective_threads()),
            "source": self.args.source,
            "ended_by": self.reason,
            "error": self.error,
            "duration_s": round(elapsed, 3),
            "frames_received": s.frames_received,
            "frames_inferred": s.frames_inferred,
            "frames_dropped": s.frames_dropped,
            "frames_failed": p.frames_failed,
            "camera_fps": s.frames_received / elapsed if elapsed else 0.0,
            "inference_fps": s.frames_inferred / elapsed if elapsed else 0.0,
            "mean_inference_ms": s.mean_ms,
            "mean_latency_ms": sum(lat) / len(lat) if lat else None,
            "max_latency_ms": max(lat) if lat else None,
            "max_stall_ms": self.heartbeat.max_stall_ms,
            "last_top1": {"label": top.label, "index": top.index, "prob": top.prob}
            if top else None,
            "timed_frames": p.timing.frames,
            "layer_statistic": statistic(),
            **p.report_extras(),  # conditions, frame, machine_load
            "layers": p.layer_rows(),
        }

    def _write(self) -> None:
        if self.error:
            sys.stderr.write(f"error: {self.error}\n")
            self.exit_code = 2
        if self.args.report:  # the path was checked before the run (launch.check_outputs)
            try:
                write_atomic(Path(self.args.report).expanduser(),
                             json.dumps(self.report(), indent=2) + "\n")
            except OSError as e:  # e.g. the disk filled up during the run
                sys.stderr.write(f"error: cannot write {self.args.report}: {e.strerror or e}\n")
                self.exit_code = 2
        shot = getattr(self.args, "screenshot", None)
        shown = self.window.tabs.currentWidget()
        if shot and hasattr(shown, "refresh_now"):
            shown.refresh_now()  # draw what a throttled tab still holds back
        if shot:
            try:
                save_png(self.window.grab(), Path(shot).expanduser())
            except OSError as e:
                sys.stderr.write(f"error: cannot write {shot}: {e.strerror or e}\n")
                self.exit_code = 2
        if self.reason != "window closed":
            self.tab.shutdown()
            QApplication.instance().exit(self.exit_code)


def run_live(app: QApplication, window, args, interrupted: Interrupted | None = None) -> int:
    """Run the live demo from the command line; returns the process exit code."""
    tab = window.page("live")
    problem = check_args(args)
    if problem is None and (tab is None or not hasattr(tab, "pipeline")):
        why = tab.text() if hasattr(tab, "text") else "unknown reason"
        problem = f"the Live tab could not be opened: {why}"
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        window.close()  # stops the tabs' threads
        return 2
    # the Live tab unless --tab names another: the run drives the Live tab either way
    shown = window.page(getattr(args, "tab", None) or "live") or tab
    window.tabs.setCurrentWidget(shown)
    window.resize(1280, 800)
    run = LiveRun(window, tab, args)
    if interrupted is not None:  # Ctrl-C / SIGTERM (launch.py): end as at the last frame
        interrupted.on_signal = run.interrupted
    run.begin()  # before show(): the tab then loads no default model first
    window.show()
    code = app.exec()
    tab.shutdown()
    return INTERRUPTED if interrupted and interrupted.signum else run.exit_code or code
