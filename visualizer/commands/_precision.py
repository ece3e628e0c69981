"""`bench --compare-precision`: float and int8 of one quantized checkpoint, per layer,
side by side (interleaved runs; see net/analysis/precision_compare.py), with the int8
graph's exact float islands tried on the conv/depthwise layers, and the choice that
precision "auto" makes from it on this machine (saved for it: precision_choice.py)."""
from __future__ import annotations

import argparse

from visualizer.commands._common import (TerminalLine, download_progress, fail, first_line,
                                         print_json, table)


def run_compare(args: argparse.Namespace, frame) -> int:
    """Load the model in both precisions, time them interleaved, print the comparison."""
    from visualizer.net.analysis.precision_load import compare_source
    from visualizer.net.models import ModelError
    from visualizer.net.runtime.preprocess import PreprocessError

    if not args.model:
        return fail("--compare-precision needs --model: a quantized checkpoint "
                    "(e.g. mobilenet_v1_0.5_160_quant)")
    line = TerminalLine()  # progress on a terminal, erased before the result
    try:
        line.show("bench: comparing float and int8…")
        r = compare_source(args.model, args.threads, args.runs, args.warmup,
                           progress=lambda done: line.show(
                               f"bench: comparing float and int8, {100 * done:.0f}%"),
                           download=download_progress(line), frame=frame)
    except (ModelError, PreprocessError) as e:
        return fail(str(e))  # fail() erases the progress line first
    except Exception as e:  # onnxruntime refusing the graph, out of memory, …
        return fail(f"inference failed: {first_line(e)}")
    finally:
        line.clear()
    choice = r.pop("choice")
    r = {**r, "choice": {**choice.to_json(), "describe": choice.describe()}}
    if args.json:
        print_json(r)
        return 0
    _print(r)
    return 0


def _print(r: dict) -> None:
    print(f"{r['model']}: float vs int8, threads {r['threads'] or 'default'}, "
          f"{r['runs']} interleaved runs each; the rows (the overhead last) add up to each "
          "whole graph")
    print(f"int8 formats: {r['formats'].get('int8', '')}")
    costs = r.get("island_costs", {})
    rows = []
    for l in r["layers"]:
        f, q = l["ms"].get("float", 0.0), l["ms"].get("int8", 0.0)
        c = costs.get(l["name"])
        island = f"{c['island']:.3f} / {c['int8']:.3f}" if c else ""
        rows.append([l["name"], l["type"], f"{f:.3f}", f"{q:.3f}",
                     f"{q / f:.2f}" if f > 0 and q > 0 else "-",
                     "slower" if q > f * 1.05 and l["macs"] else "", island])
    print(table(["layer", "type", "float ms", "int8 ms", "int8/float", "",
                 "float island / int8 (incl. layout)"], rows, align="llrrrlr"))
    w = r["whole_graph_ms"]
    print()
    islands = f"   int8 with float islands {w['int8 islands']:.3f} ms" \
        if "int8 islands" in w else ""
    print(f"whole graph  float {w['float']:.3f} ms   int8 {w['int8']:.3f} ms   "
          f"int8/float {w['int8'] / w['float']:.2f}{islands}")
    print(f"CPU features: {', '.join(r['cpu_features']) or 'unknown'}")
    print(f"why: {r['note']}")
    saved = "saved for --precision auto" if r.get("remembered") else \
        f"not saved: {r.get('not_remembered') or 'not measured'}"
    print(f"auto here: {r['choice']['describe']} ({saved})")
