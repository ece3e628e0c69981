"""Float vs int8 on the same checkpoint: whole-graph and per-layer times, interleaved.

The models (float, int8, and any other int8 variant, e.g. with float islands) run in
small alternating blocks (plain and profiled sessions of each), so a change in machine
load hits them alike. Each precision's figures are one account of its frame, as
everywhere in the app (timing_stats.py): its whole-graph time from the plain runs, and
rows from onnxruntime's profiler on its optimised graph (attributed to the paper layers
as in the Live tab, the time outside every kernel as an "overhead" row) scaled to add up
to it, each the app's one statistic (a trimmed mean: one preempted run on a shared
machine never moves it) with its spread.
"""
from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Callable

import numpy as np

from visualizer.net.analysis.cpu_features import cpu_features
from visualizer.net.analysis.precision_why import type_sums, why_line
from visualizer.net.analysis.timing_stats import TRIM, LayerStats, robust_ms

if TYPE_CHECKING:
    from visualizer.net.models import LoadedModel

BLOCK = 5  # runs per interleaved block


def compare_precisions(models: dict[str, "LoadedModel"], x: np.ndarray, runs: int = 50,
                       warmup: int = 5, threads: int | None = None,
                       progress: Callable[[float], None] | None = None,
                       cancelled: Callable[[], bool] | None = None) -> dict | None:
    """{"runs", "threads", "whole_graph_ms": {key: ms}, "layers": [{"name", "type", "macs",
    "ms": {key: ms}, "p25": {key: ms}, "p75": {key: ms}}], "scale": {key: the account's
    scale}, "cpu_features", "formats": {key: integer formats}, "islands": {key:
    float-island layers}, "layout_nodes": {key: {optimised node: ms}} (the layout row's
    nodes, scaled like the rows), "weight_formats": {int8 key: {layer: format}}, "note":
    why int8 wins or loses} for models keyed by precision or variant (all of one
    network, same input `x`); every ms is the account's statistic (module notes).
    `progress(fraction)` follows the timed runs; None is returned when `cancelled()`
    turns True between blocks."""
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
    whole: dict[str, float] = {}
    scale: dict[str, float] = {}
    layout_nodes: dict[str, dict[str, float]] = {}
    for p in names:
        stats = LayerStats(window=None)
        for wall, _run, timings in histories[p]:
            stats.add_layers(timings, wall)
        for ms in plain_ms[p]:
            stats.add_plain(ms)
        account = stats.account()
        whole[p], scale[p] = account.frame_ms, account.scale
        # on the rows' footing: the same statistic, scaled to the plain frame alike
        layout_nodes[p] = _layout_node_ms(histories[p], account.scale, stats.trim)
        for row in account.rows:
            entry = rows.setdefault(row.name, {"name": row.name, "type": row.type,
                                               "macs": row.macs, "ms": {}, "p25": {},
                                               "p75": {}})
            entry["ms"][p], entry["p25"][p], entry["p75"][p] = row.ms, row.p25, row.p75
    # the rows in network order, the overhead last (a precision without a row: 0 ms)
    layers = sorted(rows.values(), key=lambda e: e["type"] == "overhead")
    for entry in layers:
        for p in names:
            for key in ("ms", "p25", "p75"):
                entry[key].setdefault(p, 0.0)
    features = cpu_features()
    result = {"runs": runs, "threads": threads,
              "whole_graph_ms": whole, "scale": scale,
              "layers": layers, "cpu_features": list(features),
              "formats": {p: getattr(m, "kernels", "") for p, m in models.items()},
              "islands": {p: list(getattr(m, "islands", ())) for p, m in models.items()},
              "layout_nodes": layout_nodes,
              "weight_formats": {p: _weight_formats(m) for p, m in models.items()
                                 if getattr(m, "precision", "float") == "int8"}}
    result["note"] = why_line(result)
    return result


def _weight_formats(model) -> dict[str, str]:
    import onnx

    from visualizer.net.graph.int8_kernels import weight_formats

    return weight_formats(onnx.load_from_string(model.onnx_bytes))


def _layout_node_ms(history: list, scale: float, trim: float = TRIM) -> dict[str, float]:
    """{layout node of the optimised graph: ms} over the profiled runs in `history`: each
    node's robust_ms (0 in a run without it), times the account's `scale`, i.e. the
    statistic and footing of the account's rows, which these are added to
    (precision_choice.island_costs)."""
    from visualizer.net.runtime.profiling import LAYOUT_OPS

    runs: list[dict[str, float]] = []
    for _, run, _ in history:
        times: dict[str, float] = {}
        for n in getattr(run, "nodes", ()):
            if n.op in LAYOUT_OPS:
                times[n.name] = times.get(n.name, 0.0) + n.us / 1000.0
        runs.append(times)
    names = dict.fromkeys(n for t in runs for n in t)
    return {n: robust_ms([t.get(n, 0.0) for t in runs], trim) * scale for n in names}


def plain_times(models: dict[str, "LoadedModel"], x: np.ndarray, runs: int = 50,
                warmup: int = 5, threads: int | None = None,
                cancelled: Callable[[], bool] | None = None) -> dict[str, float] | None:
    """{key: median ms} of plain (unprofiled) runs of the models, interleaved in blocks
    in rotating order; None when `cancelled()` turns True between blocks."""
    from visualizer.net.runtime.runner import Runner

    names = list(models)
    runners = []
    try:
        for p in names:
            runners.append(Runner(models[p], threads, per_layer=False, spin=True))
        for r in runners:
            for _ in range(warmup):
                r.infer_tensor(x)
        ms: dict[str, list[float]] = {p: [] for p in names}
        for block in range(-(-runs // BLOCK)):
            shift = block % len(names)
            for i in list(range(shift, len(names))) + list(range(shift)):
                for _ in range(BLOCK):
                    ms[names[i]].append(runners[i].infer_tensor(x)[1])
            if cancelled is not None and cancelled():
                return None
    finally:
        for r in runners:
            r.close()
    return {p: statistics.median(v) for p, v in ms.items()}


def type_ratios(result: dict, types: tuple[str, ...] = ("conv", "depthwise", "pointwise",
                                                       "fc")) -> dict[str, float]:
    """int8 / float of the summed per-layer figures of each layer type in a
    compare_precisions result (types without time in both precisions are left out)."""
    f, q = type_sums(result, "float", types), type_sums(result, "int8", types)
    return {t: q[t] / f[t] for t in types if f.get(t, 0.0) > 0 and q.get(t, 0.0) > 0}
