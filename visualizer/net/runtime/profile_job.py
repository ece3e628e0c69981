"""The "Profile layers" job: per-layer times of one network, off the GUI thread.

Uses the live demo's model when it is the selected network, else untrained weights of
that shape (layer times do not depend on the weight values), and the same `Runner` as the
live demo. The runner times one run in PROFILE_EVERY (on a warmed-up profiled session),
so PROFILE_FRAMES runs give PROFILE_FRAMES / PROFILE_EVERY per-layer samples to average.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from visualizer.net.model.mobilenet import NetSpec

#: fn(report, cancelled) -> result: what a background task (ui.common.task.Task) runs
JobFn = Callable[[Callable[[Any], None], Callable[[], bool]], Any]

PROFILE_FRAMES = 40
PROFILE_EVERY = 4


def synthetic_image(size: int) -> np.ndarray:
    """A smooth synthetic RGB image: timing does not depend on the picture."""
    y, x = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    rgb = np.stack([x, y, 0.5 + 0.5 * np.sin(6 * x * y)], axis=-1)
    return (rgb * 255).astype(np.uint8)


def profile_job(spec: NetSpec, live_model, frame: np.ndarray | None,
                threads: int | None) -> JobFn:
    """A Task function: reports the timed model's NetSpec, then one InferenceResult per
    run (most of them without per-layer times)."""
    frame = frame if frame is not None else synthetic_image(spec.resolution)

    def job(report, cancelled):
        from visualizer.net.models import load_model
        from visualizer.net.runtime.runner import Runner

        use_live = live_model is not None and live_model.spec == spec
        model = live_model if use_live else load_model("untrained", alpha=spec.alpha,
                                                       resolution=spec.resolution)
        report(model.spec)
        runner = Runner(model, threads=threads, per_layer=True, profile_every=PROFILE_EVERY,
                        dense=0)
        try:
            runner.infer(frame)  # warm-up
            for i in range(PROFILE_FRAMES):
                if cancelled():
                    break
                report(runner.infer(frame, frame_id=i))
        finally:
            runner.close()

    return job
