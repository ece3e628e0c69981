"""int8 vs float on onnxruntime, int8 on onnxruntime vs LiteRT (XNNPACK), and what
precision "auto" picks, for the quantized checkpoints. Prints figures; asserts nothing.

    python benchmarks/bench_int8.py [CHECKPOINT.tflite ...] [--runs 300] [--threads 1 2]

Without checkpoints: the three shared ones (mobilenet_v1_{0.25_128,0.5_160,0.75_192}_quant)
in the folder named by MOBILENET_VISUALIZER_TESTDATA (or the one tests/conftest.py finds).
Per checkpoint and thread count:
1. "auto" measures as the app does the first time (net/analysis/precision_load.py:
   float, int8 and int8 with exact float islands, interleaved; a fresh cache, so it
   really measures) and reports its choice, the per-type int8/float ratios and the why;
2. then, interleaved in blocks with rotating order (medians of the block means), whole
   graphs: onnxruntime float (the dequantized graph), int8 in the checkpoint's own uint8
   weight format, int8 in this CPU's formats (int8_kernels.py: signed weights with VNNI),
   int8 as auto chose it (when it differs, e.g. with float islands), and LiteRT on the
   same file — so one can see whether auto picked the faster.
The CPU features come from py-cpuinfo; report the machine's load with the figures.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_runtime import interleaved, litert_call, ort_session  # noqa: E402
from visualizer.net.analysis.cpu_features import cpu_features, int8_target  # noqa: E402
from visualizer.net.analysis.precision_compare import type_ratios  # noqa: E402
from visualizer.net.analysis.precision_load import compare_source, Loader  # noqa: E402
from visualizer.net.models import load_model  # noqa: E402
from visualizer.net.runtime.preprocess import resize_rgb  # noqa: E402

SHARED = ("mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant",
          "mobilenet_v1_0.75_192_quant")
#: the issue's goal on 0.75-192 at 1 thread: int8 / float and int8 / LiteRT at most
GOAL = {"float": 0.55, "LiteRT": 0.65}


def shared_checkpoints() -> list[Path]:
    folder = os.environ.get("MOBILENET_VISUALIZER_TESTDATA")
    base = Path(folder) if folder else ROOT.parent / "shared" / "testdata" / "coral"
    return [base / f"{name}.tflite" for name in SHARED]


def bench_one(path: Path, threads: int, runs: int, block: int, compare_runs: int) -> None:
    with tempfile.TemporaryDirectory() as cache:
        r = compare_source(str(path), threads, compare_runs, 5, cache=cache)
    choice = r["choice"]
    load = Loader(str(path), None, {})
    f = load("float")
    graphs = {"onnxruntime float": f,
              "onnxruntime int8, uint8 weights": load_model(str(path), precision="int8"),
              "onnxruntime int8": load("int8")}
    if choice.precision == "int8" and choice.islands:
        graphs["onnxruntime int8 as auto chose"] = load("int8", choice.islands)
    res = f.spec.resolution
    rgb = resize_rgb(np.random.default_rng(0).integers(0, 256, (480, 640, 3), np.uint8), res)
    x = np.ascontiguousarray(((rgb.astype(np.float32) - f.input_mean) / f.input_std)
                             .transpose(2, 0, 1)[None])
    engines = {k: (ort_session(m, threads, "ORT_ENABLE_ALL"), x) for k, m in graphs.items()}
    engines["LiteRT XNNPACK"] = (litert_call(path, threads), rgb)
    ms = interleaved(engines, runs, block)
    fl, q, lite = ms["onnxruntime float"], ms["onnxruntime int8"], ms["LiteRT XNNPACK"]
    print(f"\n{path.stem}, {threads} thread{'s' if threads > 1 else ''}: "
          f"{f.spec.total_macs / 1e6:.0f} M mult-adds; load {os.getloadavg()[0]:.2f}")
    print(f"  int8 formats here: {r['formats']['int8']}")
    for k, v in ms.items():
        print(f"  {k:34s} {v:7.3f} ms   ×{v / fl:.2f} float   ×{v / lite:.2f} LiteRT")
    print(f"  int8 (signed) / float {q / fl:.2f}   int8 / LiteRT {q / lite:.2f}   "
          f"uint8-weight int8 / float {ms['onnxruntime int8, uint8 weights'] / fl:.2f}")
    picked = "onnxruntime float" if choice.precision == "float" else \
        "onnxruntime int8 as auto chose" if choice.islands else "onnxruntime int8"
    fastest = min(("onnxruntime float", "onnxruntime int8", picked), key=ms.get)
    print(f"  auto ({compare_runs} interleaved runs each, fresh cache): {choice.describe()}"
          f" -> {'the faster here' if fastest == picked else f'NOT the faster ({fastest})'}")
    ratios = type_ratios(r)
    print("  per type, int8/float (profiled medians): "
          + ", ".join(f"{t} {v:.2f}" for t, v in ratios.items()))
    costs = r.get("island_costs", {})
    if costs:
        print("  float islands (ms with their layout, island / int8): "
              + ", ".join(f"{n} {c['island']:.3f}/{c['int8']:.3f}" for n, c in costs.items()))
    print(f"  why: {r['note']}")
    if path.stem.endswith("0.75_192_quant") and threads == 1:
        print(f"  goal on 0.75-192 at 1 thread: int8 <= {GOAL['float']} float "
              f"({'met' if q / fl <= GOAL['float'] else 'NOT met'}: {q / fl:.2f}), "
              f"<= {GOAL['LiteRT']} LiteRT "
              f"({'met' if q / lite <= GOAL['LiteRT'] else 'NOT met'}: {q / lite:.2f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoints", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--block", type=int, default=10)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--compare-runs", type=int, default=30,
                    help="interleaved runs of auto's measurement (the app uses 20)")
    args = ap.parse_args()
    paths = args.checkpoints or shared_checkpoints()
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"checkpoint not found: {missing[0]} (give its path)", file=sys.stderr)
        return 2
    print(f"threads {args.threads}, {args.runs} runs per engine in blocks of {args.block}; "
          f"cpu_count {os.cpu_count()}; load now {os.getloadavg()}")
    print(f"CPU features: {', '.join(cpu_features()) or 'unknown'}; int8 target "
          f"{int8_target()}")
    for path in paths:
        for threads in args.threads:
            bench_one(path, threads, args.runs, args.block, args.compare_runs)
    print(f"\nload at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
