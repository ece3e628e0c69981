"""How long building an untrained MobileNet V1 as ONNX takes, and its first inference.

Prints figures only (no pass/fail): untrained weights, build_onnx (with onnx.checker),
serialised size, onnxruntime session creation and mean inference time, per α/resolution.
Usage: python benchmarks/onnx_build.py [--runs N] [--threads T]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort

from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS, NetSpec
from visualizer.net.graph.onnx_float import build_onnx
from visualizer.net.checkpoints.untrained import untrained_weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    print(f"{'model':>10} {'weights ms':>10} {'build ms':>9} {'MB':>6} {'session ms':>10} "
          f"{'infer ms':>9} {'GMAC/s':>7}")
    for alpha in OFFICIAL_ALPHAS:
        for res in (OFFICIAL_RESOLUTIONS[0], OFFICIAL_RESOLUTIONS[-1]):
            spec = NetSpec(alpha, res, classes=1001)
            t0 = time.perf_counter()
            weights = untrained_weights(spec)
            t1 = time.perf_counter()
            data = build_onnx(weights).SerializeToString()
            t2 = time.perf_counter()
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = args.threads
            sess = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
            t3 = time.perf_counter()
            x = np.zeros((1, 3, res, res), np.float32)
            sess.run(None, {"input": x})  # warm-up
            t4 = time.perf_counter()
            for _ in range(args.runs):
                sess.run(None, {"input": x})
            ms = (time.perf_counter() - t4) * 1000 / args.runs
            print(f"{alpha:>5}-{res:<4} {(t1 - t0) * 1e3:>10.1f} {(t2 - t1) * 1e3:>9.1f} "
                  f"{len(data) / 1e6:>6.1f} {(t3 - t2) * 1e3:>10.1f} {ms:>9.2f} "
                  f"{spec.total_macs / (ms * 1e6):>7.2f}")


if __name__ == "__main__":
    main()
