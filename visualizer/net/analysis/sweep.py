"""Latency of MobileNet V1 over a grid of width multipliers × resolutions.

Pure function, no Qt: tests call `run_sweep` directly; the Network tab runs it in a worker
thread. It times untrained weights (latency does not depend on the weight values) through
the same path as the live demo: `models.load_model` then `probes.latency_samples`; each point carries the spread of its single runs (p25-p75).
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Callable, Iterable

from visualizer.net.analysis.timing_stats import quartiles
from visualizer.net.model.published import published


@dataclass(frozen=True)
class SweepPoint:
    alpha: float
    resolution: int
    macs: int  # mult-adds of the network that was timed (net.mobilenet counting)
    params: int
    latency_ms: float  # wall time of one whole-graph inference (median of batch means)
    top1: float | None  # published top-1 (%) of this official setting, float model; else None
    p25_ms: float = math.nan  # spread of the single runs (25th and 75th percentile)
    p75_ms: float = math.nan
    runs: int = 0  # timed runs behind the figures

    @property
    def label(self) -> str:
        return f"{'1.0' if self.alpha == 1 else f'{self.alpha:g}'}-{self.resolution}"


#: progress(done, total, point): called after each measured setting.
Progress = Callable[[int, int, SweepPoint], None]


def run_sweep(alphas: Iterable[float], resolutions: Iterable[int], runs: int = 10,
              warmup: int = 2, threads: int | None = None, progress: Progress | None = None,
              cancel: Callable[[], bool] | None = None, *, rounds: int = 3
              ) -> list[SweepPoint]:
    """Measure each α × resolution setting in turn; return the points measured.

    The `runs` timed inferences of a setting are split into `rounds` batches (each on a
    fresh session after `warmup` runs) and the median of the batch means is reported, so
    that a burst of other work on the machine spoils one batch rather than the figure.

    When `cancel()` becomes true the sweep stops after (or during) the current setting and
    returns the points completed so far; a setting interrupted midway is not reported.
    Raises `ValueError` for runs < 1, rounds < 1 or warmup < 0 and `models.ModelError` /
    `mobilenet.SpecError` for settings that are not a MobileNet V1.
    """
    from visualizer.net.models import load_model  # onnx/onnxruntime: only when sweeping
    from visualizer.net.runtime.probes import latency_samples

    if runs < 1 or warmup < 0 or rounds < 1:
        raise ValueError(f"runs and rounds must be at least 1 and warmup at least 0 "
                         f"(got {runs}, {rounds}, {warmup})")
    rounds = min(rounds, runs)
    grid = [(float(a), int(r)) for a in alphas for r in resolutions]
    cancelled = cancel or (lambda: False)
    points: list[SweepPoint] = []
    for alpha, resolution in grid:
        if cancelled():
            break
        model = load_model("untrained", alpha=alpha, resolution=resolution)
        batches: list[list[float]] = []
        for i in range(rounds):
            n = runs // rounds + (i < runs % rounds)
            batches.append(latency_samples(model, runs=n, warmup=warmup, threads=threads,
                                           cancel=cancel))
            if cancelled():
                break
        if cancelled() or not all(batches):
            break
        ms = statistics.median(sum(b) / len(b) for b in batches)
        every = [t for b in batches for t in b]
        p25, p75 = quartiles(every)
        entry = published(alpha, resolution)
        point = SweepPoint(alpha, resolution, model.spec.total_macs, model.spec.total_params,
                           float(ms), entry.top1 if entry else None, p25, p75, len(every))
        points.append(point)
        if progress is not None:
            progress(len(points), len(grid), point)
    return points
