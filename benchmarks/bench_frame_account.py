"""One account of a frame, measured: do the per-layer rows describe the plain frame?
(printed, never asserted)

    python benchmarks/bench_frame_account.py [--runs 40] [--threads 1 2] [--models M ...]

For each model (the shared quantized checkpoints by default), precision (float, int8) and
thread count, runs `bench`'s measurement (the live runner's one-in-N profiling next to
plain whole-graph runs, interleaved) and prints:
- rows / whole: the sum of the rows over bench's plain whole-graph time (1.00 by
  construction of the account; goal: at most 1.02);
- kernels / whole and overhead / whole: the layers' (and other kernels') share and the
  remainder's (goal: overhead 0-10 % on 0.75-192, up to 25 % on 0.25-128);
- scale: how much the profiled frame's parts were shrunk (or stretched) to the plain frame;
- profiled / plain: a profiled frame's wall time over a plain one's (goal: at most 1.10);
  what onnxruntime's profiler itself costs, a few µs a node, shows here;
- the profiler's cost per node, measured on a chain of trivial nodes.
With the load average and the CPU features: figures from a busy machine say so.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CORAL = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "coral"
MODELS = ["mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant",
          "mobilenet_v1_0.75_192_quant"]


def profiler_cost_per_node(threads: int, nodes: int = 60) -> float:
    """µs a profiled run spends per node beyond a plain run, on trivial Relu nodes."""
    import tempfile

    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper

    chain = [helper.make_node("Relu", [f"t{i}"], [f"t{i + 1}"], name=f"r{i}")
             for i in range(nodes)]
    graph = helper.make_graph(chain, "chain",
                              [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [1, 16])],
                              [helper.make_tensor_value_info(f"t{nodes}", TensorProto.FLOAT,
                                                             [1, 16])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8

    def session(profiled: bool):
        o = ort.SessionOptions()
        o.intra_op_num_threads = threads
        o.log_severity_level = 3
        if profiled:
            o.enable_profiling = True
            o.profile_file_prefix = str(Path(tempfile.mkdtemp()) / "p")
        return ort.InferenceSession(model.SerializeToString(), o,
                                    providers=["CPUExecutionProvider"])

    x = {"t0": np.ones((1, 16), np.float32)}
    plain, profiled = session(False), session(True)
    times: dict[str, list[float]] = {"plain": [], "profiled": []}
    for _ in range(300):
        for name, s in (("plain", plain), ("profiled", profiled)):
            t = time.perf_counter()
            s.run(None, x)
            times[name].append(time.perf_counter() - t)
    os.remove(profiled.end_profiling())
    extra = statistics.median(times["profiled"]) - statistics.median(times["plain"])
    return extra / nodes * 1e6


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=40, help="timed frames per configuration")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--models", nargs="+", default=MODELS)
    p.add_argument("--precisions", nargs="+", default=["float", "int8"])
    args = p.parse_args()

    import numpy as np

    from visualizer.commands.bench import _measure
    from visualizer.net.analysis.cpu_features import detect
    from visualizer.net.analysis.precision_load import load_precision
    from visualizer.net.runtime.preprocess import preprocess

    feats = detect()
    print(f"CPU: {feats.brand}; features: {', '.join(feats.notable) or 'none notable'}")
    for threads in args.threads:
        print(f"profiler cost: {profiler_cost_per_node(threads):.1f} µs per node beyond a "
              f"plain run ({threads} thread(s), trivial nodes)")
    print(f"{'model':32} {'prec':5} {'thr':>3} {'whole ms':>9} {'rows/whole':>10} "
          f"{'kernels':>8} {'overhead':>8} {'scale':>6} {'prof/plain':>10} {'load':>5}")
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    for name in args.models:
        for precision in args.precisions:
            path = CORAL / f"{name}.tflite" if (CORAL / f"{name}.tflite").is_file() else name
            model = load_precision(str(path), precision)  # as the app loads it
            x = preprocess(frame, model.spec.resolution, model.input_mean, model.input_std)
            for threads in args.threads:
                r = _measure(model, x, SimpleNamespace(runs=args.runs, warmup=5,
                                                       threads=threads))
                whole = r["whole_graph_ms"]
                rows = sum(l["ms"] for l in r["layers"])
                over = sum(l["ms"] for l in r["layers"] if l["type"] == "overhead")
                print(f"{name:32} {precision:5} {threads:>3} {whole:9.3f} "
                      f"{rows / whole:10.3f} {(rows - over) / whole:8.1%} "
                      f"{over / whole:8.1%} {r['scale']:6.2f} "
                      f"{r['timed_ms'] / whole:10.2f} {os.getloadavg()[0]:5.2f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
