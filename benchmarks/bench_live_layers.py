"""Per-layer times of a headless live run against `bench`, same model, photo and threads.
Prints figures; asserts nothing.

    python benchmarks/bench_live_layers.py [--model M] [--image PATH] [--frames 300]
                                           [--threads 2]

The live run classifies the photo repeatedly (as the Live tab does, with idle gaps
between frames) and writes its --report; `bench` times back-to-back runs. For each layer:
both figures (the app's one statistic, with n), their ratio, and the factor between the
layer's shares of the total. Goal: each layer within ±25 % (or ±0.05 ms) of bench, no
share off by more than a factor 1.5. Model and photo default to the shared test data
(MOBILENET_VISUALIZER_TESTDATA or the folder tests/conftest.py finds).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MS_TOLERANCE, MS_FLOOR, SHARE_FACTOR = 0.25, 0.05, 1.5


def data_folder() -> Path:
    folder = os.environ.get("MOBILENET_VISUALIZER_TESTDATA")
    return Path(folder) if folder else ROOT.parent / "shared" / "testdata" / "coral"


def cpu_features() -> str:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("flags")).split(":", 1)[1].split()
    except (OSError, StopIteration):
        return "unknown"
    keep = sorted(f for f in flags if f.startswith(("avx", "amx", "fma", "sse4")))
    return " ".join(keep)


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(data_folder() / "mobilenet_v1_0.75_192_quant.tflite"))
    p.add_argument("--image", default=str(data_folder() / "grace_hopper.bmp"))
    p.add_argument("--frames", type=int, default=300)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    print(f"CPU: {os.cpu_count()} cores, {cpu_features()}")
    print(f"load before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "live.json"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--source", args.image,
                        "--model", args.model, "--threads", str(args.threads), "--autostart",
                        "--exit-after-frames", str(args.frames), "--report", str(report)],
                       check=True, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        live = json.loads(report.read_text())
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "bench", "--json",
                          "--model", args.model, "--image", args.image,
                          "--threads", str(args.threads)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    bench = json.loads(out.stdout)
    print(f"load after: {load()}")
    print(f"live: {live['model']}, {live['frames_inferred']} frames, "
          f"n = {live['timed_frames']} timed, mean inference {live['mean_inference_ms']:.2f} ms")
    print(f"bench: n = {bench['runs']} timed runs, one in {bench['profile_every']}, "
          f"plain {bench['whole_graph_ms']:.3f} ms, overhead_ratio "
          f"{bench['overhead_ratio']:.3f}")
    lrows = {r["name"]: r for r in live["layers"]}
    ltotal = sum(r["ms"] for r in live["layers"])
    btotal = sum(r["ms"] for r in bench["layers"])
    off_ms = off_share = 0
    worst = 1.0
    print(f"{'layer':8} {'live ms':>8} {'bench ms':>8} {'ratio':>6} {'share×':>6}")
    for b in bench["layers"]:
        lv = lrows.get(b["name"])
        if lv is None:
            print(f"{b['name']:8} missing in the live report")
            off_ms += 1
            continue
        ok_ms = abs(lv["ms"] - b["ms"]) <= max(MS_TOLERANCE * b["ms"], MS_FLOOR)
        ls, bs = lv["ms"] / ltotal, b["ms"] / btotal
        factor = max(ls, bs) / min(ls, bs) if min(ls, bs) > 0 else float("inf")
        off_ms += not ok_ms
        off_share += factor > SHARE_FACTOR
        worst = max(worst, factor)
        ratio = lv["ms"] / b["ms"] if b["ms"] else float("nan")
        flags = ("" if ok_ms else " ms") + ("" if factor <= SHARE_FACTOR else " share")
        print(f"{b['name']:8} {lv['ms']:8.3f} {b['ms']:8.3f} {ratio:6.2f} {factor:6.2f}{flags}")
    print(f"total: live {ltotal:.3f} ms, bench {btotal:.3f} ms")
    print(f"layers outside ±{MS_TOLERANCE:.0%} (or ±{MS_FLOOR} ms): {off_ms}; shares off by "
          f"more than ×{SHARE_FACTOR}: {off_share}; worst share factor ×{worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
