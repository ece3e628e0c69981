"""Precision "auto": the faster of float and int8 for a quantized checkpoint on this
machine, as measured, and the int8 graph's depthwise/first-conv layers as exact float
islands where that measured faster.

The measurement is `bench --compare-precision`'s (and the Float vs int8 page's):
1. float, int8 (in this CPU's fastest exact integer formats, int8_kernels.py) and int8
   with every exact conv/depthwise layer as a float island run interleaved
   (precision_compare.compare_precisions): per-layer figures from profiled runs scaled
   to the whole-graph figures of plain runs (timing_stats.LayerStats.account);
2. an island is kept where its own kernels plus the layout nodes it owns in the
   optimised graph (all on one footing: the account's statistic, scaled alike) beat
   the integer layer (with the layout nodes it owns) by 5 %; when only some islands are
   kept, or the two fastest candidates are within 10 %, the candidates (float, int8,
   int8 with the kept islands) are timed again, plain and interleaved, CONFIRM_RUNS runs
   each;
3. the fastest whole graph wins. The choice is cached per machine, thread count,
   onnxruntime version, execution provider and checkpoint (in the user cache folder),
   so it is measured once. Islands are tried on the CPU provider only (a GPU's float
   kernels may round, e.g. in TF32).
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from visualizer.net.analysis.machine_cache import machine_cache_file, read_json, write_json

if TYPE_CHECKING:
    import numpy as np

    from visualizer.net.models import LoadedModel

#: Bump when the method changes, so older cached choices are measured again.
METHOD = 2
FLOAT, INT8, ISLANDS = "float", "int8", "int8 islands"
#: layer types whose integer kernels lose to float often enough to try islands
ISLAND_TYPES = ("conv", "depthwise")
#: an island must beat the integer layer by this factor to be kept, and a graph with
#: islands the same graph without them (whole-graph medians) to be chosen
ISLAND_MARGIN = 0.95
#: plain runs of each candidate when they are timed again (step 2)
CONFIRM_RUNS = 40
#: candidates within this factor of each other are timed again before choosing
CLOSE = 1.10


@dataclass(frozen=True)
class PrecisionChoice:
    precision: str  # "float" or "int8"
    islands: tuple[str, ...]  # with int8: layers run as exact float islands
    whole_graph_ms: dict[str, float]  # candidate (FLOAT, INT8, ISLANDS) -> median ms
    threads: int | None
    model: str  # the checkpoint's name
    runs: int = 0
    onnxruntime: str = ""
    measured_at: float = 0.0  # time.time()
    chosen: str = ""  # the candidate that won

    @property
    def ratio(self) -> float | None:
        """int8's time over float's: the chosen int8 variant's, or (float chosen) the
        fastest int8 variant's. None without both."""
        f = self.whole_graph_ms.get(FLOAT)
        q = [v for k, v in self.whole_graph_ms.items() if k != FLOAT and v > 0]
        if not f or not q:
            return None
        return (self.whole_graph_ms[self.chosen] if self.precision == INT8 else min(q)) / f

    def describe(self) -> str:
        """e.g. "int8: measured 0.53× float's time on this machine (2 threads)"."""
        what = "int8" + (f" with {', '.join(self.islands)} as exact float islands"
                         if self.islands else "")
        r = self.ratio
        figure = "" if r is None else \
            f": int8 measured {r:.2f}× float's time" if self.precision == FLOAT else \
            f": measured {r:.2f}× float's time"
        threads = "default threads" if not self.threads else \
            f"{self.threads} thread{'s' if self.threads > 1 else ''}"
        return f"{what if self.precision == INT8 else FLOAT}{figure} on this machine " \
               f"({threads})"

    def to_json(self) -> dict:
        d = asdict(self)
        d["islands"] = list(self.islands)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "PrecisionChoice":
        d = dict(d)
        d["islands"] = tuple(d.get("islands", ()))
        choice = cls(**d)
        if choice.precision not in (FLOAT, INT8) or choice.chosen not in choice.whole_graph_ms:
            raise ValueError(f"not a precision choice: {choice.precision!r}, {choice.chosen!r}")
        return choice


# -- deciding from measurements (pure) ------------------------------------------------------
def island_costs(result: dict, owners: dict[str, dict[str, str]]) -> dict[str, dict]:
    """{island layer: {"int8": ms, "island": ms}} in a compare_precisions result with INT8
    and ISLANDS: each layer's own figure plus those of the layout nodes it owns in that
    graph (`owners`: {key: {layout node: layer}}, from layout_owners), both as the
    result gives them: the account's statistic, scaled by that graph's account scale."""
    tried = set(result.get("islands", {}).get(ISLANDS, ()))
    nodes = result.get("layout_nodes", {})
    out: dict[str, dict] = {}
    for l in result["layers"]:
        if l["name"] not in tried or INT8 not in l["ms"] or ISLANDS not in l["ms"]:
            continue
        cost = {}
        for key, label in ((INT8, "int8"), (ISLANDS, "island")):
            owned = [n for n, layer in owners.get(key, {}).items() if layer == l["name"]]
            cost[label] = l["ms"][key] + sum(nodes.get(key, {}).get(n, 0.0) for n in owned)
        out[l["name"]] = cost
    return out


def island_set(costs: dict[str, dict]) -> tuple[str, ...]:
    """The islands whose cost beats the integer layer's by ISLAND_MARGIN."""
    return tuple(n for n, c in costs.items() if c["island"] < ISLAND_MARGIN * c["int8"])


def layout_owners(model: "LoadedModel") -> dict[str, str]:
    """{layout node of the model's optimised graph: the paper layer it converts for}: a
    Transpose/Reorder belongs to the float island next to it (upstream first), else to
    the layer it feeds, else to the layer that feeds it."""
    import tempfile

    import onnx
    import onnxruntime as ort

    from visualizer.net.runtime.profiling import LAYOUT_OPS, LayerAttribution
    from visualizer.net.runtime.sessions import providers

    with tempfile.TemporaryDirectory() as folder:
        o = ort.SessionOptions()
        o.optimized_model_filepath = str(Path(folder) / "optimised.onnx")
        o.log_severity_level = 3
        ort.InferenceSession(model.onnx_bytes, o, providers=providers())
        graph = onnx.load(o.optimized_model_filepath).graph
    att = LayerAttribution(onnx.load_from_string(model.onnx_bytes), model.spec.layers)
    paper = {l.name for l in model.spec.layers}
    producer = {t: n for n in graph.node for t in n.output}
    consumers: dict[str, list] = {}
    for n in graph.node:
        for t in n.input:
            consumers.setdefault(t, []).append(n)

    def find(node, up: bool) -> str | None:
        todo, seen = [node], set()
        while todo:
            n = todo.pop(0)
            if n.name in seen:
                continue
            seen.add(n.name)
            if n is not node and n.op_type not in LAYOUT_OPS:
                layer = att.layer_of(n.name, n.op_type)
                if layer in paper:
                    return layer
                continue
            nxt = [producer[t] for t in n.input if t in producer] if up else \
                [c for t in n.output for c in consumers.get(t, ())]
            todo += nxt
        return None

    islands = set(model.islands)
    owners = {}
    for n in graph.node:
        if n.op_type in LAYOUT_OPS:
            up, down = find(n, True), find(n, False)
            owner = up if up in islands else down if down in islands else down or up
            if owner:
                owners[n.name] = owner
    return owners


def choose(whole_graph_ms: dict[str, float], candidates: dict[str, Sequence[str]],
           threads: int | None, model: str, runs: int = 0) -> PrecisionChoice:
    """The fastest candidate by whole-graph median: FLOAT or INT8, or the int8 variant
    with the islands in `candidates` when it beats both by ISLAND_MARGIN (a graph with
    islands must clearly earn its conversions)."""
    timed = {k: v for k, v in whole_graph_ms.items() if k in candidates and v > 0}
    if not timed:
        raise ValueError("no candidate was timed")
    plain = {k: v for k, v in timed.items() if not candidates[k]}
    best = min(plain or timed, key=timed.get)
    islands = [k for k in timed if candidates[k]]
    if plain and islands and timed[islands[0]] < ISLAND_MARGIN * timed[best]:
        best = islands[0]
    import onnxruntime as ort

    return PrecisionChoice(FLOAT if best == FLOAT else INT8, tuple(candidates[best]),
                           timed, threads, model, runs, ort.__version__, time.time(), best)


# -- cache ------------------------------------------------------------------------------------
def cache_file(model: "LoadedModel", threads: int | None,
               cache: str | os.PathLike | None = None) -> Path:
    import onnxruntime as ort

    from visualizer.net.runtime.sessions import current_provider

    s = model.spec
    return machine_cache_file("precision", "choice", ort.__version__, current_provider(),
                              threads, model.name, f"{s.alpha:g}_{s.resolution}_{s.classes}",
                              METHOD, cache=cache)


def cached_choice(model: "LoadedModel", threads: int | None,
                  cache: str | os.PathLike | None = None) -> PrecisionChoice | None:
    data = read_json(cache_file(model, threads, cache))
    if data is None:
        return None
    try:
        return PrecisionChoice.from_json(data)
    except (ValueError, TypeError, KeyError):
        return None


def save_choice(choice: PrecisionChoice, model: "LoadedModel",
                cache: str | os.PathLike | None = None) -> None:
    """Cache the choice (atomically); a cache that cannot be written is skipped."""
    write_json(cache_file(model, choice.threads, cache), choice.to_json())


# -- measuring ----------------------------------------------------------------------------------
def island_candidates(model: "LoadedModel") -> tuple[str, ...]:
    """The conv/depthwise layers of an int8 model's checkpoint that float32 computes
    exactly (float_island.island_exact)."""
    import onnx

    from visualizer.net.graph.float_island import exact_layers

    kinds = {l.name: l.type for l in model.spec.layers}
    return tuple(n for n in exact_layers(onnx.load_from_string(model.onnx_bytes))
                 if kinds.get(n) in ISLAND_TYPES)


def measure(models: dict[str, "LoadedModel"], load_islands: Callable[[tuple[str, ...]],
            "LoadedModel"], x: "np.ndarray", runs: int, warmup: int, threads: int | None,
            progress: Callable[[float], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> tuple[dict, PrecisionChoice] | None:
    """Steps 1-3 of the module's notes on `models` (FLOAT, INT8 and ISLANDS when there
    are island candidates); `load_islands(layers)` builds the int8 model with those
    islands for step 2. (compare_precisions result, choice), or None when cancelled."""
    from visualizer.net.analysis.precision_compare import compare_precisions, plain_times

    report = progress or (lambda f: None)
    result = compare_precisions(models, x, runs, warmup, threads,
                                progress=lambda f: report(0.85 * f), cancelled=cancelled)
    if result is None:
        return None
    candidates: dict[str, Sequence[str]] = {FLOAT: (), INT8: ()}
    timed = {FLOAT: models[FLOAT], INT8: models[INT8]}
    again = False
    tried = tuple(result["islands"].get(ISLANDS, ()))
    if tried:
        owners = {k: layout_owners(models[k]) for k in (INT8, ISLANDS)}
        result["island_costs"] = island_costs(result, owners)
        keep = island_set(result["island_costs"])
        if keep:
            candidates[ISLANDS] = keep
            timed[ISLANDS] = models[ISLANDS] if set(keep) == set(tried) else \
                load_islands(keep)
            again = set(keep) != set(tried)
    whole = {k: result["whole_graph_ms"][k] for k in timed if k in result["whole_graph_ms"]}
    best = sorted(whole.values())
    if again or len(best) < len(timed) or best[1] < CLOSE * best[0]:
        whole = plain_times(timed, x, max(runs, CONFIRM_RUNS), warmup, threads, cancelled)
        if whole is None:
            return None
    report(1.0)
    return result, choose(whole, candidates, threads, models[FLOAT].name, runs)
