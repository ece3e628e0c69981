"""Roof calibration repeatability, calibrations under an artificial load, and whether
every layer's measured point lies at or below the roofs. Prints figures; asserts nothing.

    python benchmarks/bench_roofline.py [--repeats 5] [--threads 1 2] [--runs 40]
                                        [--load-runs 5] [--model untrained:1.0_224 ...]

For each thread count:
1. Under load: `load-runs` calibrations while a busy loop spins on one core, interleaved
   with as many without it ("quiet": whatever else the machine runs), each through the
   cache as the app does it (load_or_measure(refresh=True) into a temporary folder). The
   reference is each roof's best over the quiet runs (a roof is an upper bound). A loaded
   run either agrees with it within 10 % on every roof, or is refused (not trusted, so not
   cached); after each run the cache holds either nothing or roofs within 10 % of the
   reference: "cached wrong" counts the runs after which it did not.
2. The calibration (net/roofs.py, default size, never the cache) is run `repeats` times
   back to back; the spread of each roof is reported as ± half the range over the median.
3. Each model is profiled layer by layer (onnxruntime's profiler, the mean over `runs`
   back-to-back runs) and every layer's achieved GMAC/s is compared with min(compute roof,
   intensity × bandwidth) for main memory and for the cache, using the median roofs.
Report the CPU features and the machine load with the figures.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from visualizer.net.analysis import roofs as rf  # noqa: E402
from visualizer.net.analysis.cpu_features import detect  # noqa: E402
from visualizer.net.models import load_model  # noqa: E402
from visualizer.net.analysis.roofline import attainable, layer_traffic  # noqa: E402
from visualizer.net.runtime.runner import Runner  # noqa: E402

NOISE = 0.10
AGREE = 0.10  # a calibration under load must agree with the quiet roofs this well


def load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def calibrations(threads: int | None, repeats: int) -> dict[str, list[float]]:
    got: dict[str, list[float]] = {"peak_gmacs": [], "int8_peak_gmacs": [],
                                   "int8_s8_peak_gmacs": [], "bandwidth_gbs": [],
                                   "cache_bandwidth_gbs": [], "seconds": [], "passes": []}
    for _ in range(repeats):
        r = rf.measure_roofs(threads)
        for key in got:
            got[key].append(getattr(r, key))
    return got


def busy_loop(core: int) -> subprocess.Popen:
    """A Python busy loop pinned to `core` (the artificial load)."""
    code = (f"import os\ntry:\n    os.sched_setaffinity(0, {{{core}}})\nexcept Exception:\n"
            "    pass\nwhile True:\n    pass\n")
    return subprocess.Popen([sys.executable, "-c", code])


def loaded_calibrations(threads: int, runs: int) -> None:
    """`runs` calibrations with a busy loop on one core, interleaved with as many
    without; each loaded one agrees with the quiet roofs or is refused, never cached
    wrong."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    names = list(rf.FIELDS)
    quiet, loaded = [], []
    with tempfile.TemporaryDirectory() as cache:
        for i in range(runs):
            quiet.append(rf.load_or_measure(threads, refresh=True, cache=cache))
            rf.forget_roofs(threads, cache=cache)
            spinner = busy_loop(cores[-1])
            try:
                r = rf.load_or_measure(threads, refresh=True, cache=cache)
                hit = rf.cached_roofs(threads, cache=cache)
            finally:
                spinner.kill()
                spinner.wait()
            loaded.append((r, hit, load()))
            rf.forget_roofs(threads, cache=cache)
    ref = {n: max(q.value(n) for q in quiet) for n in names}
    print(f"\nthreads {threads}: {runs} calibrations with a busy loop on core {cores[-1]}, "
          f"interleaved with {runs} without (load {load()})")
    print("  quiet runs: " + "; ".join(
        f"{'trusted' if q.trusted else 'refused'}, others {q.others_cpu_percent or 0:.0f} %"
        for q in quiet))
    print("  reference (best quiet): " + ", ".join(f"{n} {ref[n]:.1f}" for n in names))
    agreed = refused = wrong = cached_wrong = 0
    for i, (r, hit, avg) in enumerate(loaded, 1):
        off = {n: r.value(n) / ref[n] - 1 for n in names}
        worst = max(names, key=lambda n: abs(off[n]))
        within = all(abs(v) <= AGREE for v in off.values())
        if not r.trusted:
            verdict = f"refused ({r.problem()})"
            refused += 1
        elif within:
            verdict = "agrees"
            agreed += 1
        else:
            verdict = "TRUSTED BUT OFF"
            wrong += 1
        bad_cache = hit is not None and not all(
            abs(hit.value(n) / ref[n] - 1) <= AGREE for n in names)
        cached_wrong += bad_cache
        print(f"  run {i}: others {r.others_cpu_percent or 0:.0f} % CPU, {r.passes} passes "
              f"({r.busy_passes} busy); worst {worst} {100 * off[worst]:+.0f} %; {verdict}; "
              f"cache: {'none' if hit is None else 'WRONG' if bad_cache else 'ok'} "
              f"(load {avg})")
    print(f"  => {agreed} agree within {AGREE:.0%}, {refused} refused, {wrong} trusted but "
          f"off, {cached_wrong} cached wrong")


def profile(model_name: str, threads: int | None, runs: int) -> dict[str, float]:
    model = load_model(model_name)
    import numpy as np

    r = model.spec.resolution
    x = np.random.default_rng(0).standard_normal((1, 3, r, r), dtype=np.float32)
    with Runner(model, threads, keep_history=True, profile_every=runs + 1, spin=True) as run:
        for _ in range(5):
            run.infer_tensor(x)
        run.flush()
        run.history.clear()
        for _ in range(runs):
            run.infer_tensor(x)
        run.flush()
        history = list(run.history)
    names = [t.name for t in history[0][2]]
    return {n: statistics.mean(h[2][i].ms for h in history) for i, n in enumerate(names)}, \
        model.spec.layers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--model", nargs="*", default=["untrained:1.0_224", "untrained:0.5_160"])
    ap.add_argument("--load-runs", type=int, default=5,
                    help="calibrations under a busy loop on one core (0: none)")
    args = ap.parse_args()
    cpu = detect()
    print(f"CPU: {cpu.brand} ({cpu.arch}, {cpu.logical_cores} logical cores); features: "
          f"{', '.join(cpu.notable)}; load average {load()}")
    for threads in args.threads:
        if args.load_runs:
            loaded_calibrations(threads, args.load_runs)
    for threads in args.threads if args.repeats else ():
        got = calibrations(threads, args.repeats)
        print(f"\nthreads {threads}: {args.repeats} calibrations (load {load()})")
        med = {}
        for key, values in got.items():
            m = statistics.median(values)
            med[key] = m
            spread = 100 * (max(values) - min(values)) / 2 / m
            print(f"  {key:20s} median {m:8.1f}  ±{spread:4.1f}%   "
                  f"[{', '.join(f'{v:.1f}' for v in values)}]")
        for name in args.model:
            ms, layers = profile(name, threads, args.runs)
            over_dram, over_cache, over_peak, rows = [], [], [], []
            for layer in layers:
                if not layer.macs or ms.get(layer.name, 0) <= 0:
                    continue
                t = layer_traffic(layer)
                speed = layer.macs / (ms[layer.name] * 1e6)
                dram = attainable(t.intensity, med["peak_gmacs"], med["bandwidth_gbs"])
                cache = attainable(t.intensity, med["peak_gmacs"], med["cache_bandwidth_gbs"])
                rows.append((layer.name, t.intensity, speed, speed / cache))
                if speed > (1 + NOISE) * dram:
                    over_dram.append(layer.name)
                if speed > (1 + NOISE) * cache:
                    over_cache.append(layer.name)
                if speed > (1 + NOISE) * med["peak_gmacs"]:
                    over_peak.append(layer.name)
            best = max(rows, key=lambda r: r[3])
            print(f"  {name}: {len(rows)} layers (load {load()}); above the compute roof: "
                  f"{over_peak or 'none'}; above the in-cache roofline: {over_cache or 'none'}; "
                  f"above the main-memory roofline (expected: data in cache): "
                  f"{len(over_dram)} ({', '.join(over_dram[:8])}{'…' if len(over_dram) > 8 else ''})")
            for kind in ("dw", "pw"):
                sel = [r for r in rows if r[0].startswith(kind)]
                print(f"    {kind}: intensity {min(r[1] for r in sel):.2f}-"
                      f"{max(r[1] for r in sel):.2f} MAC/byte, {min(r[2] for r in sel):.1f}-"
                      f"{max(r[2] for r in sel):.1f} GMAC/s, {100 * min(r[3] for r in sel):.0f}-"
                      f"{100 * max(r[3] for r in sel):.0f}% of the in-cache roofline")
            print(f"    closest to its roof: {best[0]} at {100 * best[3]:.0f}%")


if __name__ == "__main__":
    main()
