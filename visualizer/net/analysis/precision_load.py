"""Loading a model in the precision the user chose: "float", "int8" (integer kernels, in
this CPU's fastest exact formats: cpu_features.int8_target, graph/int8_kernels.py) or
"auto" (the faster of the two on this machine, measured once: precision_choice.py).

`compare_and_choose` is the measurement itself, shared by `bench --compare-precision`,
the Float vs int8 page and the first "auto" load of a checkpoint; each caches its choice.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable, Sequence

import numpy as np

from visualizer.net.analysis.cpu_features import int8_target
from visualizer.net.analysis.machine_load import LoadWatch
from visualizer.net.analysis.precision_choice import (FLOAT, INT8, ISLANDS, cached_choice,
                                                      island_candidates, measure, save_choice)
from visualizer.net.models import LoadedModel, ModelError, load_model

PRECISIONS = ("auto", "float", "int8")
#: interleaved runs of each graph when "auto" measures at load time
AUTO_RUNS, AUTO_WARMUP = 20, 3
#: a choice resting on fewer interleaved runs is shown but not remembered
MIN_RUNS_TO_REMEMBER = 10


class Loader:
    """load_model for one source and its options, in any precision / island set."""

    def __init__(self, source: str, cache, kwargs: dict) -> None:
        self.source, self.cache, self.kwargs = source, cache, kwargs
        self.target = None

    def __call__(self, precision: str, islands: tuple[str, ...] = (), **extra) -> LoadedModel:
        if precision == INT8 and self.target is None:
            self.target = int8_target()
        return load_model(self.source, precision=precision, cache=self.cache,
                          int8_target=self.target if precision == INT8 else None,
                          islands=islands, **self.kwargs, **extra)


def load_precision(source: str, precision: str = "float", *, threads: int | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None,
                   measuring: Callable[[float], None] | None = None,
                   cache: str | os.PathLike | None = None, **kwargs) -> LoadedModel:
    """load_model for "float" and "int8", and "auto": the cached choice for this machine
    and `threads`, or (first time) measured now, `measuring(fraction)` following it. The
    model's `auto` says what was chosen and why. Raises ModelError ("measurement
    cancelled" when `cancel()` turned True while measuring)."""
    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision {precision!r}: use auto, float or int8")
    load = Loader(source, cache, {**kwargs, "cancel": cancel})
    if precision != "auto":
        return load(precision, progress=progress)
    if not _may_be_quantized(source):
        return replace(load(FLOAT, progress=progress), auto="float: no int8 version")
    try:
        q = load(INT8, progress=progress)
    except ModelError as e:  # no integer weights (or none this program reads)
        if cancel is not None and cancel():
            raise
        f = load(FLOAT, progress=progress)
        return replace(f, auto=f"float: {_no_int8(str(e))}")
    choice = cached_choice(q, threads, cache)
    f, note = None, ""
    built: dict[tuple[str, ...], LoadedModel] = {}  # the island variants measured
    if choice is None:
        try:
            f = load(FLOAT)
        except ModelError:  # an int8 .onnx holds no float graph
            return replace(q, auto="int8: the only precision this file holds")
        measured = compare_and_choose(f, q, load, threads, AUTO_RUNS, AUTO_WARMUP,
                                      measuring, cancel, cache, built=built)
        if measured is None:
            raise ModelError("measurement cancelled")
        choice = measured["choice"]
        if measured["not_remembered"]:
            note = f" (measured now, not remembered: {measured['not_remembered']})"
    if choice.precision == FLOAT:
        chosen = f or load(FLOAT)
    elif choice.islands:
        chosen = built.get(tuple(choice.islands))
        if chosen is None:
            chosen = load(INT8, choice.islands)
    else:
        chosen = q
    return replace(chosen, auto=choice.describe() + note)


def _may_be_quantized(source: str) -> bool:
    """False for what surely has no integer weights: untrained models and the official
    float checkpoints (anything else is tried)."""
    from visualizer.net.checkpoints.official import parse_official

    text = str(source).strip()
    if text.startswith("untrained"):
        return False
    official = parse_official(text)
    return official is None or official.quantized or os.path.exists(text)


def _no_int8(message: str) -> str:
    text = message.split(": ", 1)[-1] if ": " in message else message
    return f"no int8 version ({text})"


def measurement_input(model: LoadedModel) -> np.ndarray:
    """The synthetic photo-like frame the comparisons time (same for every candidate)."""
    from visualizer.net.runtime.preprocess import preprocess
    from visualizer.net.runtime.profile_job import synthetic_image

    res = model.spec.resolution
    return preprocess(synthetic_image(res), res, model.input_mean, model.input_std)


def compare_and_choose(f: LoadedModel, q: LoadedModel, load: Callable[..., LoadedModel],
                       threads: int | None, runs: int, warmup: int,
                       progress: Callable[[float], None] | None = None,
                       cancelled: Callable[[], bool] | None = None,
                       cache: str | os.PathLike | None = None,
                       x: np.ndarray | None = None, *,
                       built: dict | None = None) -> dict | None:
    """Time float `f`, int8 `q` and (where exact) `q` with float islands, choose, and
    remember the choice unless it rests on fewer than MIN_RUNS_TO_REMEMBER runs or other
    programs' CPU use over the measurement left it contended (machine_load.LoadWatch):
    the compare_precisions result with "choice" (a PrecisionChoice), "remembered",
    "not_remembered" (why not), "machine_load" (MachineLoad.to_json, None where the
    counters cannot be read) and "model", or None when cancelled. `load(precision,
    islands)` builds the variants; `built`, when given, receives the island variants
    built, keyed by the tuple of their islands."""
    from visualizer.net.runtime.sessions import CPU, current_provider

    models = {FLOAT: f, INT8: q}
    # islands are exact on the CPU's float kernels; a GPU's may round (e.g. TF32)
    tried = island_candidates(q) if current_provider() == CPU else ()
    built = {} if built is None else built

    def load_islands(keep: Sequence[str]) -> LoadedModel:
        model = built[tuple(keep)] = load(INT8, keep)
        return model

    if tried:
        models[ISLANDS] = load_islands(tried)
    x = measurement_input(f) if x is None else x
    watch = LoadWatch(threads)  # other programs' CPU use over exactly the measurement
    out = measure(models, load_islands, x, runs, warmup, threads, progress, cancelled)
    if out is None:
        return None
    machine = watch.stop()
    result, choice = out
    why_not = (f"fewer than {MIN_RUNS_TO_REMEMBER} runs" if runs < MIN_RUNS_TO_REMEMBER
               else machine.note("timing") if machine is not None else "")
    if not why_not:
        save_choice(choice, q, cache)
    return {"model": q.name, **result, "choice": choice, "remembered": not why_not,
            "not_remembered": why_not,
            "machine_load": machine.to_json() if machine is not None else None}


def compare_source(source: str, threads: int | None, runs: int, warmup: int,
                   progress: Callable[[float], None] | None = None,
                   cancelled: Callable[[], bool] | None = None,
                   download: Callable[[int, int], None] | None = None,
                   cache: str | os.PathLike | None = None, frame: np.ndarray | None = None,
                   **kwargs) -> dict | None:
    """compare_and_choose for a checkpoint named by `source` (ModelError for one without
    integer weights), timed on `frame` (an RGB image; default: a synthetic photo)."""
    load = Loader(source, cache, kwargs)
    f = load(FLOAT, progress=download)
    q = load(INT8)
    x = None
    if frame is not None:
        from visualizer.net.runtime.preprocess import preprocess

        x = preprocess(frame, f.spec.resolution, f.input_mean, f.input_std)
    return compare_and_choose(f, q, load, threads, runs, warmup, progress, cancelled, cache, x)
