"""int8 vs float on onnxruntime, and int8 on onnxruntime vs LiteRT (XNNPACK), for the
quantized checkpoints. Prints figures; asserts nothing.

    python benchmarks/bench_int8.py [CHECKPOINT.tflite ...] [--runs 200] [--threads 2]

Without checkpoints: the three shared ones (mobilenet_v1_{0.25_128,0.5_160,0.75_192}_quant)
in the folder named by MOBILENET_VISUALIZER_TESTDATA (or the one tests/conftest.py finds).
Whole graph: onnxruntime float (the dequantized graph), onnxruntime int8 (QLinearConv
with the checkpoint's scales) and LiteRT on the same file, same thread count, interleaved
in blocks with rotating order; medians of the block means. Per layer: onnxruntime's
profiler on each optimised graph, float and int8 interleaved (net/precision_compare.py),
medians. "s8w" is the int8 graph with the uint8 weights stored as int8 (same results,
onnxruntime's uint8×int8 kernels; see tflite_quant.signed_weights). The CPU features
come from py-cpuinfo.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import replace
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_runtime import interleaved, litert_call, ort_session  # noqa: E402
from visualizer.net.analysis.cpu_features import cpu_features, int8_note  # noqa: E402
from visualizer.net.models import load_model  # noqa: E402
from visualizer.net.graph.onnx_int8 import build_int8_onnx  # noqa: E402
from visualizer.net.checkpoints.tflite_quant import import_quantized, signed_weights  # noqa: E402
from visualizer.net.analysis.precision_compare import compare_precisions  # noqa: E402
from visualizer.net.runtime.preprocess import resize_rgb  # noqa: E402

SHARED = ("mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant",
          "mobilenet_v1_0.75_192_quant")
TYPES = ("conv", "depthwise", "pointwise", "pool", "fc", "softmax", "layout", "other")


def shared_checkpoints() -> list[Path]:
    folder = os.environ.get("MOBILENET_VISUALIZER_TESTDATA")
    base = Path(folder) if folder else ROOT.parent / "shared" / "testdata" / "coral"
    return [base / f"{name}.tflite" for name in SHARED]


def bench_one(path: Path, runs: int, block: int, threads: int) -> None:
    models = {p: load_model(str(path), precision=p) for p in ("float", "int8")}
    f = models["float"]
    signed = signed_weights(import_quantized(path.read_bytes()))
    s8 = replace(models["int8"], onnx_bytes=build_int8_onnx(signed).SerializeToString())
    r = f.spec.resolution
    rgb = resize_rgb(np.random.default_rng(0).integers(0, 256, (480, 640, 3), np.uint8), r)
    x = np.ascontiguousarray(((rgb.astype(np.float32) - f.input_mean) / f.input_std)
                             .transpose(2, 0, 1)[None])
    ms = interleaved({
        "onnxruntime float": (ort_session(models["float"], threads, "ORT_ENABLE_ALL"), x),
        "onnxruntime int8": (ort_session(models["int8"], threads, "ORT_ENABLE_ALL"), x),
        "onnxruntime int8 s8w": (ort_session(s8, threads, "ORT_ENABLE_ALL"), x),
        "LiteRT XNNPACK": (litert_call(path, threads), rgb),
    }, runs, block)
    print(f"\n{path.stem}: {f.spec.total_macs / 1e6:.0f} M mult-adds, load "
          f"{os.getloadavg()[0]:.2f}")
    for k, v in ms.items():
        print(f"  {k:22s} {v:7.3f} ms")
    print(f"  int8/float {ms['onnxruntime int8'] / ms['onnxruntime float']:.2f}   "
          f"onnxruntime int8 / LiteRT {ms['onnxruntime int8'] / ms['LiteRT XNNPACK']:.2f}   "
          f"onnxruntime float / LiteRT "
          f"{ms['onnxruntime float'] / ms['LiteRT XNNPACK']:.2f}   "
          f"int8 with weights as int8 (s8w) / int8 "
          f"{ms['onnxruntime int8 s8w'] / ms['onnxruntime int8']:.2f}")
    c = compare_precisions(models, x, runs=max(runs // 2, 20), warmup=5, threads=threads)
    print(f"  per layer (profiler, medians of {c['runs']} interleaved runs): ms float / int8")
    for t in TYPES:
        rows = [l for l in c["layers"] if l["type"] == t]
        if not rows:
            continue
        fl = sum(l["ms"].get("float", 0.0) for l in rows)
        q = sum(l["ms"].get("int8", 0.0) for l in rows)
        ratio = f"{q / fl:5.2f}" if fl > 0 else "    -"
        print(f"    {t:10s} ({len(rows):2d})  {fl:7.3f} / {q:7.3f}  int8/float {ratio}")
    slower = [f"{l['name']} ×{l['ms']['int8'] / l['ms']['float']:.1f}" for l in c["layers"]
              if l["macs"] and l["ms"].get("float", 0) > 0
              and l["ms"].get("int8", 0) > 1.05 * l["ms"]["float"]]
    print(f"  layers where int8 is slower: {', '.join(slower) or 'none'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoints", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--block", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    paths = args.checkpoints or shared_checkpoints()
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"checkpoint not found: {missing[0]} (give its path)", file=sys.stderr)
        return 2
    features = cpu_features()
    print(f"{args.threads} threads, {args.runs} runs per engine in blocks of {args.block}; "
          f"cpu_count {os.cpu_count()}; load now {os.getloadavg()[0]:.2f}")
    print(f"CPU features: {', '.join(features) or 'unknown'}")
    print(f"why int8 may lose: {int8_note(features)}")
    for path in paths:
        bench_one(path, args.runs, args.block, args.threads)
    print(f"\nload at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
