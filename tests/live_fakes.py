"""Test doubles for the live pipeline: a runner with the net.runner.Runner interface.

Its layers and mult-adds come from the real NetSpec; its "inference" sleeps a chosen
time and predicts from the frame's mean colour, so tests can check that each result
belongs to the frame it came with.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.results import InferenceResult, LayerTiming, Prediction


@dataclass(frozen=True)
class FakeModel:
    spec: NetSpec
    name: str = "fake 0.25-128"
    trained: bool = False
    labels: tuple[str, ...] | None = None
    input_mean: float = 127.5
    input_std: float = 127.5
    onnx_bytes: bytes = b""


class FakeRunner:
    """`slow_calls`: call numbers (1 = first) whose layer times are 10× (a frame
    interrupted by another program); `gate`: when set, inference waits for it."""

    def __init__(self, model: FakeModel, delay_s: float = 0.02, slow_calls=(),
                 gate: threading.Event | None = None) -> None:
        self.model = model
        self.layers = model.spec.layers
        self.delay_s = delay_s
        self.slow_calls, self.gate = set(slow_calls), gate
        self.closed = False
        self.calls = 0
        self.threads: set[str] = set()

    def infer(self, frame_rgb: np.ndarray, frame_id: int = 0) -> InferenceResult:
        assert not self.closed, "inference on a closed runner"
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        if self.gate is not None:
            assert self.gate.wait(10), "the test never opened the gate"
        time.sleep(self.delay_s)
        red = int(frame_rgb[..., 0].mean())
        top5 = tuple(Prediction(f"red {red + i}", red + i, 0.5 / (i + 1)) for i in range(5))
        scale = 10.0 if self.calls in self.slow_calls else 1.0
        layers = tuple(LayerTiming(l.name, l.type, l.macs, l.params,
                                   scale * (0.1 + l.macs / 1e8)) for l in self.layers)
        return InferenceResult(top5, self.delay_s * 1000, 0.1, layers, self.model.trained,
                               frame_id, model=self.model)

    def close(self) -> None:
        self.closed = True


def fake_loader(fail_on: str = "broken"):
    """A load_fn for LivePipeline: 'untrained:A_R' style specs make a FakeModel."""

    def load(source: str, alpha: float, resolution: int, progress, cancel, **_precision):
        # any precision (and auto's threads) loads the same float fake
        if fail_on in source:
            raise RuntimeError(f"cannot load {source}")
        if ":" in source:
            a, r = source.split(":", 1)[1].split("_")
            alpha, resolution = float(a), int(r)
        progress(1, 2)
        progress(2, 2)
        return FakeModel(NetSpec(alpha, resolution, 1001), name=source)

    return load


def fake_factory(delay_s: float = 0.02, **runner_options):
    runners: list[FakeRunner] = []

    def make(model, threads, profile_every=None):
        runners.append(FakeRunner(model, delay_s, **runner_options))
        return runners[-1]

    make.runners = runners
    return make


def square_frame(i: int, w: int = 320, h: int = 240) -> np.ndarray:
    """Frame i of the test video: dark blue, a yellow 40×40 square moving 4 px a frame."""
    f = np.zeros((h, w, 3), np.uint8)
    f[..., 2] = 80
    x = (i * 4) % (w - 40)
    f[100:140, x:x + 40] = (255, 200, 0)
    return f


def square_x(frame: np.ndarray) -> int:
    """Left edge of the yellow square in a decoded frame (row 120, red channel)."""
    cols = np.nonzero(frame[120, :, 0] > 128)[0]
    return int(cols[0]) if cols.size else -1


def write_video(path, frames: int = 64, fps: int = 30, codec: str = "libx264",
                w: int = 320, h: int = 240):
    """Write the moving-square video with imageio-ffmpeg (h264 in .mp4 or mjpeg in .avi)."""
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(path), (w, h), fps=fps, codec=codec, macro_block_size=16,
        pix_fmt_out="yuv420p" if codec == "libx264" else "yuvj420p", ffmpeg_log_level="error")
    writer.send(None)
    for i in range(frames):
        writer.send(square_frame(i, w, h).tobytes())
    writer.close()
    return path


def running_threads() -> set:
    """Python-visible threads still running at OS level.

    threading.enumerate() keeps a _DummyThread entry for every foreign (QThread) thread
    that ever ran Python code, alive or not (Python 3.11), so on Linux the thread's
    native id is checked against the process's task list.
    """
    import os

    try:
        tasks = {int(t) for t in os.listdir("/proc/self/task")}
    except OSError:
        return {t for t in threading.enumerate() if t.is_alive()}
    return {t for t in threading.enumerate() if t.native_id in tasks}
