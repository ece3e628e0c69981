"""The inference thread's side of the live demo, and the pipeline's counters.

`InferenceWorker` lives in its own QThread and infers one frame at a time with the current
runner; it talks to the GUI thread only through signals. `LiveStats` is an immutable
snapshot of the pipeline's counters and rates.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

#: (source, alpha, resolution, progress, cancel[, precision=, threads=]) -> LoadedModel;
#: progress(done, total): bytes downloaded, or (percent, MEASURING) while precision "auto"
#: measures float vs int8 on this machine (the first time for a checkpoint)
LoadFn = Callable[..., Any]
MEASURING = -100
#: (model, threads, profile_every) -> object with .model, .layers, .infer(frame, frame_id),
#: .close(), like net.runner.Runner
RunnerFactory = Callable[[Any, "int | None", "int | None"], Any]


def default_load(source: str, alpha: float, resolution: int, progress, cancel,
                 precision: str = "float", threads: int | None = None):
    from visualizer.net.analysis.precision_load import load_precision

    return load_precision(source, precision, threads=threads, alpha=alpha,
                          resolution=resolution, progress=progress, cancel=cancel,
                          measuring=lambda f: progress(round(100 * f), MEASURING))


def default_runner(model, threads: int | None, profile_every: int | None = None):
    from visualizer.net.runtime.runner import Runner

    return Runner(model, threads=threads, per_layer=True, profile_every=profile_every,
                  cam=True)


class InferenceWorker(QObject):
    """Runs in the inference thread; talks to the GUI only through its signals."""

    resultReady = Signal(object, object)  # InferenceResult, the frame it came from
    failed = Signal(str, int)  # message, frame_id

    def __init__(self) -> None:
        super().__init__()
        self._runner = None

    @Slot(object)
    def set_runner(self, runner) -> None:
        old, self._runner = self._runner, runner
        if old is not None and old is not runner:
            old.close()

    @Slot(object, int)
    def infer(self, frame, frame_id: int) -> None:
        """One LiveFrame (its network input, made for this model's resolution; the
        preview if it has none) or an RGB array."""
        rgb = getattr(frame, "net_input", None)
        if rgb is None:
            rgb = getattr(frame, "preview", frame)
        try:
            result = self._runner.infer(rgb, frame_id)
        except Exception as exc:  # reported inline, never a traceback
            self.failed.emit(f"Inference failed: {exc or type(exc).__name__}", frame_id)
        else:
            self.resultReady.emit(result, frame)

    @Slot()
    def release(self) -> None:
        self.set_runner(None)


@dataclass(frozen=True)
class LiveStats:
    frames_received: int
    frames_inferred: int
    frames_dropped: int
    camera_fps: float
    inference_fps: float
    last_ms: float | None
    mean_ms: float | None
    latency_ms: float | None  # frame arrival -> result back on the GUI thread


class Rate:
    """Events per second over the last `span` seconds."""

    def __init__(self, span: float = 2.0) -> None:
        self.span, self.times = span, deque()

    def tick(self, now: float) -> None:
        self.times.append(now)
        while self.times and now - self.times[0] > self.span:
            self.times.popleft()

    def value(self, now: float) -> float:
        while self.times and now - self.times[0] > self.span:
            self.times.popleft()
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / max(now - self.times[0], 1e-9)
