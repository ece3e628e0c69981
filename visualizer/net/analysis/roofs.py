"""The roofs of this machine, measured with onnxruntime on the threads the app uses: how
fast its kernels multiply-add (float32, and int8 with uint8 or int8 weights) and how fast
they stream memory, from main memory and in cache (the graphs: roof_benches.py).

A roof is an upper bound, so each pass keeps the fastest of its runs; the graphs take
turns within a pass, so that a burst of load hits one turn, not a whole roof. Passes
repeat until two consecutive ones agree within AGREE on every roof (at most MAX_PASSES);
the roofs are the better of those two, stored with their spread. While measuring, other
programs' CPU use is watched (machine_load.py): a pass during which they left fewer free
cores than the calibration's threads is discarded. Roofs that rest on such passes, or
whose passes never agreed, are shown with the reason and never cached.

Trusted roofs are cached as JSON per machine, thread count and onnxruntime version in
the user cache folder (see checkpoints.cache_dir), and measured again on demand or when a
layer ran faster than they allow (`forget_roofs`, then `load_or_measure(refresh=True)`).
A calibration takes about 1-3 s.
"""
from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from visualizer.net.analysis.machine_cache import machine_cache_file, read_json, write_json
from visualizer.net.analysis.machine_load import LoadWatch, MachineLoad, combined
from visualizer.net.analysis.roof_benches import (DEFAULT_SIZE, STAGES, TINY_SIZE,
                                                  Bench, BenchFactory, CalibrationSize,
                                                  OrtBench, calibration_graphs)
from visualizer.net.runtime.sessions import enter_live, leave_live

__all__ = ["AGREE", "CalibrationCancelled", "CalibrationSize", "DEFAULT_SIZE", "MAX_PASSES",
           "Roofs", "TINY_SIZE", "cache_file", "cached_roofs", "forget_roofs",
           "load_or_measure", "measure_roofs", "save_roofs"]

#: Bump when the method changes, so older cached roofs are measured again.
METHOD = 4
#: Two consecutive passes agree when every roof differs by at most this share.
AGREE = 0.05
MIN_PASSES, MAX_PASSES = 2, 6
#: turns of the graphs within one pass
ROUNDS = 2
#: roof name -> Roofs field
FIELDS = {"compute": "peak_gmacs", "int8_compute": "int8_peak_gmacs",
          "int8_s8_compute": "int8_s8_peak_gmacs", "memory": "bandwidth_gbs",
          "cache": "cache_bandwidth_gbs"}


@dataclass(frozen=True)
class Roofs:
    peak_gmacs: float  # float32 1×1 convolution
    bandwidth_gbs: float  # main memory
    cache_bandwidth_gbs: float
    threads: int | None  # intra-op threads asked for (None: onnxruntime's default)
    cpu_features: tuple[str, ...]
    int8_peak_gmacs: float = 0.0  # QLinearConv, uint8 weights (0: not measured)
    int8_s8_peak_gmacs: float = 0.0  # QLinearConv, int8 weights
    cpu: str = ""
    onnxruntime: str = ""
    size: str = ""
    seconds: float = 0.0  # how long the calibration took
    measured_at: float = 0.0  # time.time() of the measurement
    runs: dict[str, int] = field(default_factory=dict)
    #: per roof name, the relative difference of the passes it rests on
    spread: dict[str, float] = field(default_factory=dict)
    passes: int = 0  # passes run, discarded ones included
    agreed: bool = True  # two consecutive passes agreed within AGREE
    busy_passes: int = 0  # passes discarded: other programs kept the cores busy
    others_cpu_percent: float | None = None  # during the passes the roofs rest on
    busy: bool = False  # the roofs rest on passes during which other programs contended
    note: str = ""  # e.g. a newer measurement that was refused

    # -- reading ---------------------------------------------------------------------
    def value(self, name: str) -> float:
        return getattr(self, FIELDS[name])

    def peak(self, dtype: str = "float32", signed_weights: bool = False) -> float:
        """The compute roof of the kernels a network in `dtype` runs on (GMAC/s)."""
        if dtype == "float32":
            return self.peak_gmacs
        if dtype in ("int8", "uint8"):
            return self.int8_s8_peak_gmacs if signed_weights else self.int8_peak_gmacs
        raise ValueError(f"no compute roof for {dtype!r}")

    @property
    def trusted(self) -> bool:
        return self.agreed and not self.busy

    def problem(self) -> str:
        """Why these roofs are not trusted (and not cached), or ""."""
        why = []
        if self.busy:
            why.append(f"other programs used {self.others_cpu_percent or 0:.0f} % CPU while "
                       f"they were measured ({self.busy_passes} of {self.passes} passes)")
        if not self.agreed:
            worst = max(self.spread, key=self.spread.get) if self.spread else "?"
            why.append(f"{self.passes} passes never agreed within {AGREE:.0%} "
                       f"({worst} varied by {100 * self.spread.get(worst, 0):.0f} %)")
            if self.busy_passes and not self.busy:
                why.append(f"{self.busy_passes} passes discarded: other programs kept the "
                           "cores busy")
        return "; ".join(why)

    def summary(self) -> dict[str, Any]:
        """The `roofs` object of `bench --json`."""
        return {"peak_gmacs": self.peak_gmacs, "int8_peak_gmacs": self.int8_peak_gmacs,
                "int8_s8_peak_gmacs": self.int8_s8_peak_gmacs,
                "bandwidth_gbs": self.bandwidth_gbs,
                "cache_bandwidth_gbs": self.cache_bandwidth_gbs, "threads": self.threads,
                "cpu_features": list(self.cpu_features), "spread": dict(self.spread),
                "passes": self.passes, "agreed": self.agreed, "busy": self.busy,
                "busy_passes": self.busy_passes,
                "others_cpu_percent": self.others_cpu_percent, "trusted": self.trusted,
                "problem": self.problem(), "note": self.note}

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["cpu_features"] = list(self.cpu_features)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Roofs":
        d = dict(d)
        d["cpu_features"] = tuple(d.get("cpu_features", ()))
        known = {f.name for f in dataclasses.fields(cls)}
        roofs = cls(**{k: v for k, v in d.items() if k in known})
        if not all(math.isfinite(roofs.value(n)) and roofs.value(n) > 0 for n in FIELDS):
            raise ValueError("a roof is not a positive number")
        return roofs


class CalibrationCancelled(Exception):
    pass


# measuring -----------------------------------------------------------------------------
def _pass(benches: dict[str, Bench], seconds: float, cancel: Callable[[], bool],
          runs: dict[str, int], tick: Callable[[str, float], None]) -> dict[str, float]:
    """One pass: each bench in turn, ROUNDS times, about `seconds` each in all; the rate
    of its fastest run (giga-units per second)."""
    best = {name: math.inf for name in benches}
    steps = ROUNDS * len(benches)
    for i in range(ROUNDS):
        for j, (name, bench) in enumerate(benches.items()):
            tick(name, (i * len(benches) + j) / steps)
            spent, done = 0.0, 0
            while done < 1 or spent < seconds / ROUNDS:
                if cancel():
                    raise CalibrationCancelled()
                t = bench.run()
                best[name] = min(best[name], t)
                spent += t
                done += 1
            runs[name] = runs.get(name, 0) + done
    return {name: benches[name].work / max(t, 1e-12) / 1e9 for name, t in best.items()}


def _spread(a: float, b: float) -> float:
    return abs(a - b) / max(a, b) if max(a, b) > 0 else 0.0


def agree(a: dict[str, float], b: dict[str, float], tolerance: float = AGREE) -> bool:
    """Whether two passes agree within `tolerance` on every roof."""
    return all(_spread(a[n], b[n]) <= tolerance for n in a)


def measure_roofs(threads: int | None = None, size: CalibrationSize = DEFAULT_SIZE,
                  progress: Callable[[str, float], None] | None = None,
                  cancel: Callable[[], bool] | None = None, *,
                  bench: BenchFactory = OrtBench,
                  watch: Callable[[int | None], Any] = LoadWatch) -> Roofs:
    """Measure the roofs now (passes until two consecutive quiet ones agree).
    `progress(stage, fraction done)`; raises CalibrationCancelled when `cancel()` turns
    true. `bench` and `watch` make the benches and watch the machine (tests: fakes)."""
    from visualizer.net.analysis.cpu_features import detect

    cancel = cancel or (lambda: False)
    report = progress or (lambda stage, done: None)
    t0 = time.perf_counter()
    enter_live()
    try:
        report("preparing the calibration graphs", 0.0)
        benches = {name: bench(graph, threads)
                   for name, graph in calibration_graphs(size).items()}
        runs: dict[str, int] = {}
        quiet: list[tuple[dict[str, float], MachineLoad | None]] = []
        busy: list[tuple[dict[str, float], MachineLoad | None]] = []
        agreed = False
        for p in range(MAX_PASSES):
            def tick(name: str, within: float, p: int = p) -> None:
                # passes until agreement are not known in advance: a fraction that keeps
                # rising, more slowly each pass
                report(f"{STAGES[name]} (pass {p + 1}, until two agree)",
                       0.05 + 0.85 * (1 - 0.6 ** (p + within)))
            w = watch(threads)
            rates = _pass(benches, size.seconds, cancel, runs, tick)
            load = w.stop()
            (busy if load is not None and load.contended else quiet).append((rates, load))
            if len(quiet) >= MIN_PASSES and agree(quiet[-2][0], quiet[-1][0]):
                agreed = True
                break
        report("detecting CPU features", 0.95)
        cpu = detect()
    finally:
        leave_live()
    used = quiet[-2:] if agreed else (quiet or busy)
    values = {n: max(r[n] for r, _ in used) for n in benches}
    spread = {n: _spread(max(r[n] for r, _ in used), min(r[n] for r, _ in used))
              for n in benches}
    load = combined([l for _, l in used if l is not None])
    return Roofs(peak_gmacs=values["compute"], bandwidth_gbs=values["memory"],
                 cache_bandwidth_gbs=values["cache"], threads=threads,
                 cpu_features=cpu.notable, int8_peak_gmacs=values["int8_compute"],
                 int8_s8_peak_gmacs=values["int8_s8_compute"], cpu=cpu.brand,
                 onnxruntime=_ort_version(), size=size.name,
                 seconds=time.perf_counter() - t0, measured_at=time.time(), runs=runs,
                 spread=spread, passes=len(quiet) + len(busy), agreed=agreed,
                 busy_passes=len(busy),
                 others_cpu_percent=None if load is None else round(load.others_percent, 1),
                 busy=not quiet)


# cache ---------------------------------------------------------------------------------
def cache_file(threads: int | None, size: CalibrationSize = DEFAULT_SIZE,
               cache: str | os.PathLike | None = None) -> Path:
    """Where the roofs of this machine, thread count, onnxruntime and size are kept."""
    return machine_cache_file("roofs", "roofs", _ort_version(), threads, size.name, METHOD,
                              cache=cache)


def cached_roofs(threads: int | None, size: CalibrationSize = DEFAULT_SIZE,
                 cache: str | os.PathLike | None = None) -> Roofs | None:
    """The cached roofs, or None when there are none (or they cannot be read, or they
    were not trusted)."""
    data = read_json(cache_file(threads, size, cache))
    if data is None:
        return None
    try:
        roofs = Roofs.from_json(data)
    except (ValueError, TypeError, KeyError):
        return None
    return roofs if roofs.trusted else None


def save_roofs(roofs: Roofs, size: CalibrationSize = DEFAULT_SIZE,
               cache: str | os.PathLike | None = None) -> bool:
    """Write trusted roofs to the cache (atomically); True when written. Untrusted roofs
    are never written; a cache that cannot be written is skipped (measured again next
    time)."""
    if not roofs.trusted:
        return False
    return write_json(cache_file(roofs.threads, size, cache), roofs.to_json())


def forget_roofs(threads: int | None, size: CalibrationSize = DEFAULT_SIZE,
                 cache: str | os.PathLike | None = None) -> None:
    """Drop the cached roofs (a layer ran faster than they allow: they are refused)."""
    try:
        cache_file(threads, size, cache).unlink()
    except OSError:
        pass


def load_or_measure(threads: int | None = None, *, refresh: bool = False,
                    size: CalibrationSize = DEFAULT_SIZE,
                    cache: str | os.PathLike | None = None,
                    progress: Callable[[str, float], None] | None = None,
                    cancel: Callable[[], bool] | None = None,
                    measure: Callable[..., Roofs] | None = None) -> Roofs:
    """The cached roofs, or (first time, or `refresh`) measured now and, when trusted,
    cached. A measurement that is not trusted leaves cached roofs in place: they are
    returned with a note saying why the new one was refused; without cached roofs, the
    untrusted ones are returned (their `problem()` says why)."""
    hit = cached_roofs(threads, size, cache)
    if hit is not None and not refresh:
        return hit
    measure = measure or measure_roofs
    roofs = measure(threads, size, progress, cancel)
    if save_roofs(roofs, size, cache) or roofs.trusted or hit is None:
        return roofs
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(hit.measured_at))
    return dataclasses.replace(hit, note=f"A new measurement was refused ({roofs.problem()}); "
                               f"these roofs were measured on {when}.")


def _ort_version() -> str:
    """onnxruntime's version (imported here, when first needed: not at start-up)."""
    import onnxruntime

    return onnxruntime.__version__
