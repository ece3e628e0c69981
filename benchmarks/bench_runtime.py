"""onnxruntime on the converted graph vs LiteRT on the original checkpoint, and the cost of
per-layer timing. Prints figures; asserts nothing.

    python benchmarks/bench_runtime.py [CHECKPOINT.tflite] [--runs 300] [--threads 2]

CHECKPOINT defaults to mobilenet_v1_0.75_192_quant.tflite in the folder named by
MOBILENET_VISUALIZER_TESTDATA (or the test data folder tests/conftest.py finds).
All engines run in the same process, interleaved in blocks, so that changes in machine
load hit them alike; medians of the per-block means are reported. LiteRT runs the
quantized kernels with XNNPACK; onnxruntime runs the dequantized float graph.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from visualizer.net.models import load_model  # noqa: E402
from visualizer.net.runtime.preprocess import resize_rgb  # noqa: E402
from visualizer.net.runtime.runner import Runner  # noqa: E402
from visualizer.net.runtime.sessions import PROVIDERS, session_options  # noqa: E402


def default_checkpoint() -> Path:
    folder = os.environ.get("MOBILENET_VISUALIZER_TESTDATA")
    base = Path(folder) if folder else ROOT.parent / "shared" / "testdata" / "coral"
    return base / "mobilenet_v1_0.75_192_quant.tflite"


def ort_session(model, threads: int, level: str, force_stop: bool = True):
    import onnxruntime as ort

    o = session_options(threads, spin=True)
    if not force_stop:
        o = ort.SessionOptions()
        o.intra_op_num_threads = threads
        o.log_severity_level = 3
    o.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    s = ort.InferenceSession(model.onnx_bytes, o, providers=PROVIDERS)
    return lambda x: s.run(["probs"], {"input": x})


def litert_call(path: Path, threads: int):
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_path=str(path), num_threads=threads)  # XNNPACK by default
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]

    def call(rgb: np.ndarray) -> None:
        interp.set_tensor(inp["index"], rgb[None].astype(inp["dtype"]))
        interp.invoke()

    return call


def interleaved(engines: dict, runs: int, block: int, mean: bool = False) -> dict[str, float]:
    """Median (or mean) over blocks of the mean ms per call, engines in rotating order."""
    for fn, arg in engines.values():
        for _ in range(5):
            fn(arg)
    per: dict[str, list[float]] = {k: [] for k in engines}
    names = list(engines)
    for b in range(max(1, runs // block)):
        order = names[b % len(names):] + names[:b % len(names)]
        for k in order:
            fn, arg = engines[k]
            t = time.perf_counter()
            for _ in range(block):
                fn(arg)
            per[k].append((time.perf_counter() - t) * 1e3 / block)
    pick = statistics.mean if mean else statistics.median
    return {k: pick(v) for k, v in per.items()}


def per_layer_figures(model, x: np.ndarray, threads: int, runs: int, block: int) -> dict:
    """Profiled vs plain runs (interleaved) and coverage; then the live mode's amortised
    cost with automatic profile_every."""
    with Runner(model, threads, per_layer=False, spin=True) as plain, \
            Runner(model, threads, keep_history=True, profile_every=10**9, spin=True) as prof:
        ms = interleaved({"plain": (lambda a: plain.infer_tensor(a), x),
                          "profiled": (lambda a: prof.infer_tensor(a), x)}, runs, block)
        prof.flush()
        coverage = [sum(l.ms for l in h[2]) / h[0] for h in prof.history]
        unattributed = sum(len(prof.unattributed(h[1])) for h in prof.history)
    out = {"plain_ms": ms["plain"], "profiled_ms": ms["profiled"],
           "overhead_ratio": ms["profiled"] / ms["plain"],
           "coverage_median": statistics.median(coverage), "unattributed_nodes": unattributed}
    # live mode: one profiled frame every profile_every, chosen automatically
    with Runner(model, threads, per_layer=False, spin=True) as plain, \
            Runner(model, threads, per_layer=True, spin=True) as live:
        frames = max(runs * 3, 600)
        # means, not medians: the occasional profiled frame and its flush must count
        ms = interleaved({"plain": (lambda a: plain.infer_tensor(a), x),
                          "live": (lambda a: live.infer_tensor(a), x)}, frames, block, True)
        base, live_ms = ms["plain"], ms["live"]
        out.update(live_plain_ms=base, live_ms=live_ms, live_amortised_ratio=live_ms / base,
                   live_profile_every=live.profile_every,
                   live_flush_ms=statistics.median(live.flush_ms) if live.flush_ms else 0.0,
                   live_profiled_frames=live.timed_frames)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", nargs="?", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--block", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    path = args.checkpoint or default_checkpoint()
    if not path.is_file():
        print(f"checkpoint not found: {path} (give its path)", file=sys.stderr)
        return 2
    model = load_model(str(path))
    r = model.spec.resolution
    rgb = resize_rgb(np.random.default_rng(0).integers(0, 256, (480, 640, 3), np.uint8), r)
    x = ((rgb.astype(np.float32) - model.input_mean) / model.input_std).transpose(2, 0, 1)[None]
    x = np.ascontiguousarray(x)
    print(f"{path.name}: {model.spec.total_macs / 1e6:.0f} M mult-adds, {args.threads} threads, "
          f"{args.runs} runs per engine in blocks of {args.block}; load now: "
          f"{os.getloadavg()[0]:.2f}")
    engines = {
        "onnxruntime ALL": (ort_session(model, args.threads, "ORT_ENABLE_ALL"), x),
        "onnxruntime EXTENDED": (ort_session(model, args.threads, "ORT_ENABLE_EXTENDED"), x),
        "onnxruntime ALL, default spinning": (
            ort_session(model, args.threads, "ORT_ENABLE_ALL", force_stop=False), x),
        "LiteRT XNNPACK (int8)": (litert_call(path, args.threads), rgb),
    }
    ms = interleaved(engines, args.runs, args.block)
    for k, v in ms.items():
        print(f"  {k:36s} {v:7.3f} ms")
    print(f"  onnxruntime ALL / LiteRT: {ms['onnxruntime ALL'] / ms['LiteRT XNNPACK (int8)']:.3f}")
    f = per_layer_figures(model, x, args.threads, args.runs, args.block)
    print("per-layer timing (onnxruntime profiler on the optimised graph):")
    print(f"  every frame profiled: {f['profiled_ms']:.3f} ms vs plain {f['plain_ms']:.3f} ms "
          f"-> overhead ×{f['overhead_ratio']:.3f}; layer times cover "
          f"{100 * f['coverage_median']:.1f}% of the frame (median); "
          f"unattributed nodes: {f['unattributed_nodes']}")
    print(f"  live mode (one profiled frame every {f['live_profile_every']}, "
          f"{f['live_profiled_frames']} profiled, flush + new session "
          f"{f['live_flush_ms']:.1f} ms): {f['live_ms']:.3f} ms per frame vs plain "
          f"{f['live_plain_ms']:.3f} ms -> ×{f['live_amortised_ratio']:.3f} amortised")
    print(f"load at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
