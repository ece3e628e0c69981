"""Float vs int8 on the same checkpoint: whole-graph and per-layer times, interleaved.

Both precisions run in small alternating blocks (plain and profiled sessions of each),
so a change in machine load hits them alike. Per-layer times come from onnxruntime's
profiler on each optimised graph, attributed to the paper layers as in the Live tab.
Figures are medians over the runs: one preempted run on a shared machine would move a
mean of a 10 µs layer many times over.
"""
from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Callable

import numpy as np

from visualizer.net.analysis.cpu_features import cpu_features, int8_note

if TYPE_CHECKING:
    from visualizer.net.models import LoadedModel

BLOCK = 5  # runs per interleaved block


def compare_precisions(models: dict[str, "LoadedModel"], x: np.ndarray, runs: int = 50,
                       warmup: int = 5, threads: int | None = None,
                       progress: Callable[[float], None] | None = None,
                       cancelled: Callable[[], bool] | None = None) -> dict | None:
    """{"runs", "threads", "whole_graph_ms": {precision: median ms}, "layers": [{"name",
    "type", "macs", "ms": {precision: median ms}}], "cpu_features", "note"} for models
    keyed by precision (all of one network, same input `x`). `progress(fraction)` follows
    the timed runs; None is returned when `cancelled()` turns True between blocks."""
    from visualizer.net.runtime.runner import Runner

    names = list(models)
    runners = []
    try:
        for p in names:
            runners.append((Runner(models[p], threads, per_layer=False, spin=True),
                            Runner(models[p], threads, keep_history=True,
                                   profile_every=runs + 1, spin=True)))
        for plain, prof in runners:
            for _ in range(warmup):
                plain.infer_tensor(x)
                prof.infer_tensor(x)
            prof.flush()
            prof.history.clear()
        plain_ms: dict[str, list[float]] = {p: [] for p in names}
        done, block = 0, 0
        while done < runs:
            n = min(BLOCK, runs - done)
            order = list(range(len(names)))
            shift = block % len(order)
            for i in order[shift:] + order[:shift]:  # a different precision goes first
                plain, prof = runners[i]
                first, second = (plain, prof) if block % 2 == 0 else (prof, plain)
                for runner in (first, second):
                    for _ in range(n):
                        _, ms, _ = runner.infer_tensor(x)
                        if runner is plain:
                            plain_ms[names[i]].append(ms)
            done, block = done + n, block + 1
            if progress is not None:
                progress(done / runs)
            if cancelled is not None and cancelled():
                return None
        histories = {}
        for p, (_, prof) in zip(names, runners):
            prof.flush()
            histories[p] = list(prof.history)
    finally:
        for pair in runners:
            for r in pair:
                r.close()
    rows: dict[str, dict] = {}
    for p in names:
        for i, row in enumerate(histories[p][0][2]):  # same rows in every run
            entry = rows.setdefault(row.name, {"name": row.name, "type": row.type,
                                               "macs": row.macs, "ms": {}})
            entry["ms"][p] = statistics.median(h[2][i].ms for h in histories[p])
    layers = list(rows.values())
    features = cpu_features()
    return {"runs": runs, "threads": threads,
            "whole_graph_ms": {p: statistics.median(v) for p, v in plain_ms.items()},
            "layers": layers, "cpu_features": list(features), "note": int8_note(features)}


def type_ratios(result: dict, types: tuple[str, ...] = ("conv", "depthwise", "pointwise",
                                                       "fc")) -> dict[str, float]:
    """int8 / float of the summed per-layer medians of each layer type in a
    compare_precisions result (types without time in both precisions are left out)."""
    out = {}
    for t in types:
        f = sum(l["ms"].get("float", 0.0) for l in result["layers"] if l["type"] == t)
        q = sum(l["ms"].get("int8", 0.0) for l in result["layers"] if l["type"] == t)
        if f > 0 and q > 0:
            out[t] = q / f
    return out
