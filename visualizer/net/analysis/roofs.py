"""The roofs of this machine, measured with onnxruntime: how fast its kernels can
multiply-add, and how fast they can stream memory, on the threads the app uses.

- compute roof (GMAC/s): a chain of large 1×1 convolutions (the pointwise layers' kernel),
  optimised as the network is (ORT_ENABLE_ALL), so the same GEMM code runs;
- memory roof (GB/s): a chain of element-wise Relu nodes over a tensor many times larger
  than any CPU cache, counting each node's input and output once (the convention of
  roofline.py);
- in-cache roof (GB/s): the same over ~1 MB tensors, the size of MobileNet's activations,
  which stay in the L2/L3 cache from one layer to the next.

A roof is an upper bound, so each is the fastest of its runs; the three graphs take turns
(ROUNDS times) so that a burst of load from another program cannot spoil a whole roof. The whole calibration takes
about 2-3 s; its result is cached as JSON per machine, thread count and onnxruntime
version in the user cache folder (see checkpoints.cache_dir) and re-measured on demand.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from visualizer.io.atomic import write_atomic
from visualizer.net.checkpoints.official import cache_dir
from visualizer.net.runtime.sessions import PROVIDERS, enter_live, leave_live, session_options

#: Bump when the method changes, so older cached roofs are measured again.
METHOD = 3
#: The three graphs take turns this many times, so a burst of load from another program
#: slows one turn, not a whole roof.
ROUNDS = 8
STAGES = {"compute": "compute roof: 1×1 convolutions", "memory": "memory roof: streaming Relu",
          "cache": "in-cache roof: Relu on cache-sized tensors"}


@dataclass(frozen=True)
class CalibrationSize:
    name: str
    conv_channels: int  # C_in = C_out of each 1×1 convolution
    conv_hw: int  # its height = width
    conv_nodes: int
    stream_elements: int  # float32 elements of the out-of-cache tensor
    stream_nodes: int
    cache_elements: int  # … of the in-cache tensor
    cache_nodes: int
    seconds: float  # timing budget of each roof (over all rounds)


#: ~0.2 G mult-adds per run (short runs: more chances to catch the cores idle); 128 MB read and
#: written by one node (several times a 32 MB last-level cache);
#: 1 MB in cache (a 28×28×256 float activation is 0.8 MB).
DEFAULT_SIZE = CalibrationSize("default", 512, 28, 1, 32 << 20, 1, 256 << 10, 32, 0.5)
#: For tests: milliseconds, meaningless as figures.
TINY_SIZE = CalibrationSize("tiny", 16, 8, 2, 1 << 14, 2, 1 << 10, 4, 0.005)


@dataclass(frozen=True)
class Roofs:
    peak_gmacs: float
    bandwidth_gbs: float
    cache_bandwidth_gbs: float
    threads: int | None  # intra-op threads asked for (None: onnxruntime's default)
    cpu_features: tuple[str, ...]
    cpu: str = ""
    onnxruntime: str = ""
    size: str = ""
    seconds: float = 0.0  # how long the calibration took
    measured_at: float = 0.0  # time.time() of the measurement
    runs: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The `roofs` object of `bench --json`."""
        return {"peak_gmacs": self.peak_gmacs, "bandwidth_gbs": self.bandwidth_gbs,
                "cache_bandwidth_gbs": self.cache_bandwidth_gbs, "threads": self.threads,
                "cpu_features": list(self.cpu_features)}

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["cpu_features"] = list(self.cpu_features)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Roofs":
        d = dict(d)
        d["cpu_features"] = tuple(d.get("cpu_features", ()))
        roofs = cls(**d)
        if min(roofs.peak_gmacs, roofs.bandwidth_gbs, roofs.cache_bandwidth_gbs) <= 0:
            raise ValueError("a roof is not positive")
        return roofs


class CalibrationCancelled(Exception):
    pass


# graphs --------------------------------------------------------------------------------
def _model(nodes: list, shape: list[int], out: str, inits: list) -> bytes:
    graph = helper.make_graph(
        nodes, "roof", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def conv_chain(channels: int, hw: int, nodes: int) -> tuple[bytes, tuple[int, ...], int]:
    """(ONNX bytes, input shape, mult-adds per run) of `nodes` 1×1 convolutions."""
    rng = np.random.default_rng(0)
    inits, graph_nodes, x = [], [], "x"
    for i in range(nodes):
        w = rng.standard_normal((channels, channels, 1, 1)).astype(np.float32)
        w *= np.float32(1 / channels ** 0.5)  # keeps values of order 1 along the chain
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        graph_nodes.append(helper.make_node("Conv", [x, f"w{i}"], [f"y{i}"], name=f"conv{i}"))
        x = f"y{i}"
    shape = [1, channels, hw, hw]
    return _model(graph_nodes, shape, x, inits), tuple(shape), nodes * hw * hw * channels ** 2


def relu_chain(elements: int, nodes: int) -> tuple[bytes, tuple[int, ...], int]:
    """(ONNX bytes, input shape, bytes moved per run) of `nodes` element-wise Relu nodes."""
    graph_nodes, x = [], "x"
    for i in range(nodes):
        graph_nodes.append(helper.make_node("Relu", [x], [f"y{i}"], name=f"relu{i}"))
        x = f"y{i}"
    return (_model(graph_nodes, [elements], x, []), (elements,),
            nodes * 2 * elements * 4)


# timing --------------------------------------------------------------------------------
class _Bench:
    """One calibration graph in its session, with its fastest run so far."""

    def __init__(self, model: bytes, shape: tuple[int, ...], work: float,
                 threads: int | None) -> None:
        o = session_options(threads, spin=True)
        o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(model, o, providers=PROVIDERS)
        self.out = self.session.get_outputs()[0].name
        # the values do not change the speed of these kernels (no zeros, no denormals)
        self.feed = {"x": np.full(shape, 0.5, np.float32)}
        self.work = work  # mult-adds or bytes per run
        self.best = math.inf  # seconds
        self.runs = 0
        self.session.run([self.out], self.feed)  # warm-up: allocations, page faults

    def run_for(self, seconds: float, cancel: Callable[[], bool]) -> None:
        """Run for about `seconds` (at least once), keeping the fastest."""
        start, done = time.perf_counter(), 0
        while done < 1 or time.perf_counter() - start < seconds:
            if cancel():
                raise CalibrationCancelled()
            t = time.perf_counter()
            self.session.run([self.out], self.feed)
            self.best = min(self.best, time.perf_counter() - t)
            done += 1
        self.runs += done

    @property
    def rate(self) -> float:
        """Work per second of the fastest run, in giga-units."""
        return self.work / self.best / 1e9


def measure_roofs(threads: int | None = None, size: CalibrationSize = DEFAULT_SIZE,
                  progress: Callable[[str, float], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Roofs:
    """Measure the three roofs now. `progress(stage, fraction done)`; raises
    CalibrationCancelled when `cancel()` turns true."""
    from visualizer.net.analysis.cpu_features import detect

    cancel = cancel or (lambda: False)
    report = progress or (lambda stage, done: None)
    t0 = time.perf_counter()
    enter_live()
    try:
        report("preparing the calibration graphs", 0.0)
        benches = {
            "compute": _Bench(*conv_chain(size.conv_channels, size.conv_hw, size.conv_nodes),
                              threads),
            "memory": _Bench(*relu_chain(size.stream_elements, size.stream_nodes), threads),
            "cache": _Bench(*relu_chain(size.cache_elements, size.cache_nodes), threads),
        }
        for i in range(ROUNDS):
            for j, (name, bench) in enumerate(benches.items()):
                report(f"{STAGES[name]} (round {i + 1} of {ROUNDS})",
                       0.05 + 0.85 * (i * len(benches) + j) / (ROUNDS * len(benches)))
                bench.run_for(size.seconds / ROUNDS, cancel)
        report("detecting CPU features", 0.95)
        cpu = detect()
    finally:
        leave_live()
    b = benches
    return Roofs(peak_gmacs=b["compute"].rate, bandwidth_gbs=b["memory"].rate,
                 cache_bandwidth_gbs=b["cache"].rate, threads=threads,
                 cpu_features=cpu.notable, cpu=cpu.brand, onnxruntime=ort.__version__,
                 size=size.name, seconds=time.perf_counter() - t0, measured_at=time.time(),
                 runs={name: bench.runs for name, bench in b.items()})


# cache ---------------------------------------------------------------------------------
def cache_file(threads: int | None, size: CalibrationSize = DEFAULT_SIZE,
               cache: str | os.PathLike | None = None) -> Path:
    """Where the roofs of this machine, thread count, onnxruntime and size are kept."""
    key = "|".join([platform.node(), platform.machine(), platform.processor(),
                    str(os.cpu_count()), ort.__version__, str(threads), size.name,
                    str(METHOD)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir(cache) / "roofs" / f"roofs-{digest}.json"


def cached_roofs(threads: int | None, size: CalibrationSize = DEFAULT_SIZE,
                 cache: str | os.PathLike | None = None) -> Roofs | None:
    """The cached roofs, or None when there are none (or they cannot be read)."""
    try:
        return Roofs.from_json(json.loads(cache_file(threads, size, cache).read_text("utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_roofs(roofs: Roofs, size: CalibrationSize = DEFAULT_SIZE,
               cache: str | os.PathLike | None = None) -> None:
    """Write the roofs to the cache (atomically); a cache that cannot be written is
    skipped: the roofs are then measured again next time."""
    path = cache_file(roofs.threads, size, cache)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(roofs.to_json(), indent=1))
    except OSError:
        pass


def load_or_measure(threads: int | None = None, *, refresh: bool = False,
                    size: CalibrationSize = DEFAULT_SIZE,
                    cache: str | os.PathLike | None = None,
                    progress: Callable[[str, float], None] | None = None,
                    cancel: Callable[[], bool] | None = None) -> Roofs:
    """The cached roofs, or (first time, or `refresh`) measured now and cached."""
    if not refresh:
        hit = cached_roofs(threads, size, cache)
        if hit is not None:
            return hit
    roofs = measure_roofs(threads, size, progress, cancel)
    save_roofs(roofs, size, cache)
    return roofs
