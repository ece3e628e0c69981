"""`bench --compare-precision`: float and int8 of one quantized checkpoint, per layer,
side by side (interleaved runs; see net/precision_compare.py)."""
from __future__ import annotations

import argparse

from visualizer.commands._common import (TerminalLine, download_progress, fail, print_json,
                                         table)


def run_compare(args: argparse.Namespace, frame) -> int:
    """Load the model in both precisions, time them interleaved, print the comparison."""
    from visualizer.net.models import ModelError, load_model
    from visualizer.net.analysis.precision_compare import compare_precisions
    from visualizer.net.runtime.preprocess import PreprocessError, preprocess

    if not args.model:
        return fail("--compare-precision needs --model: a quantized checkpoint "
                    "(e.g. mobilenet_v1_0.5_160_quant)")
    try:
        models = {p: load_model(args.model, progress=download_progress() if p == "float"
                                else None, precision=p) for p in ("float", "int8")}
    except ModelError as e:
        return fail(str(e))
    m = models["float"]
    line = TerminalLine()
    try:
        x = preprocess(frame, m.spec.resolution, m.input_mean, m.input_std)
        line.show("bench: comparing float and int8…")
        r = compare_precisions(models, x, args.runs, args.warmup, args.threads,
                               progress=lambda done: line.show(
                                   f"bench: comparing float and int8, {100 * done:.0f}%"))
    except PreprocessError as e:
        return fail(str(e))
    except Exception as e:  # onnxruntime refusing the graph, out of memory, …
        return fail(f"inference failed: {str(e).strip().splitlines()[0] if str(e) else e!r}")
    finally:
        line.clear()
    r = {"model": m.name, "alpha": m.spec.alpha, "resolution": m.spec.resolution, **r}
    if args.json:
        print_json(r)
        return 0
    print(f"{r['model']}: float vs int8, threads {r['threads'] or 'default'}, "
          f"{r['runs']} interleaved runs each, medians")
    rows = []
    for l in r["layers"]:
        f, q = l["ms"].get("float", 0.0), l["ms"].get("int8", 0.0)
        rows.append([l["name"], l["type"], f"{f:.3f}", f"{q:.3f}",
                     f"{q / f:.2f}" if f > 0 and q > 0 else "-",
                     "slower" if q > f * 1.05 and l["macs"] else ""])
    print(table(["layer", "type", "float ms", "int8 ms", "int8/float", ""], rows,
                align="llrrrl"))
    w = r["whole_graph_ms"]
    print()
    print(f"whole graph  float {w['float']:.3f} ms   int8 {w['int8']:.3f} ms   "
          f"int8/float {w['int8'] / w['float']:.2f}")
    print(f"CPU features: {', '.join(r['cpu_features']) or 'unknown'}")
    print(f"why: {r['note']}")
    return 0
