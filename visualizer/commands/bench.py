"""`bench`: per-layer times of MobileNet V1 on onnxruntime, and top-5 per image.

Per-layer times come as in the live demo: the runner profiles one frame in N (N chosen
so that profiling costs about 5 % of the inference time), and each layer's figure is the
app's one statistic (net/timing_stats.py) of `--runs` timed frames. Plain whole-graph
runs are interleaved with the timing runner's cycles, so that a change in machine load
hits both alike; the overhead ratio compares their mean cost per frame.
"""
from __future__ import annotations

import argparse
import time
from typing import Sequence

from visualizer.net.analysis.timing_stats import statistic
from visualizer.net.model.rates import rate_text

from visualizer.commands._common import (TerminalLine, add_precision_argument, alpha,
                                         download_progress, fail, file_name, first_line,
                                         measuring_progress, model_name, non_negative_int,
                                         not_empty, positive_int, print_json, resolution,
                                         table, thread_count, untrained_shape_problem)
from visualizer.commands._bench_roofline import add_arguments, add_roofline, print_roofline
from visualizer.commands._images import read_image

NAME = "bench"

def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="per-layer inference times on onnxruntime and top-5 per image",
                       description="Time MobileNet V1 layer by layer with onnxruntime's "
                       "profiler on the optimised graph, next to plain whole-graph runs. "
                       "Without --model, untrained weights of the given width and resolution "
                       "are timed (their predictions are meaningless).")
    p.add_argument("--model", metavar="M", type=model_name,
                   help="official name, .tflite/.tgz/.onnx file, "
                   "or 'untrained' (default: untrained with --alpha/--resolution)")
    p.add_argument("--alpha", type=alpha, default=None,
                   help="width multiplier of untrained weights (default 1.0)")
    p.add_argument("--resolution", type=resolution, default=None,
                   help="input resolution of untrained weights (default 224)")
    p.add_argument("--image", action="append", default=[], metavar="PATH", type=file_name,
                   help="an image to classify (repeatable); the first is also the timing input")
    p.add_argument("--runs", type=positive_int, default=20,
                   help="frames timed layer by layer (each layer's n)")
    p.add_argument("--warmup", type=non_negative_int, default=5, help="untimed runs first")
    p.add_argument("--threads", type=thread_count, default=None,
                   help="onnxruntime intra-op threads (default: onnxruntime's choice)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_precision_argument(p)
    p.add_argument("--compare-precision", action="store_true",
                   help="time a quantized checkpoint in float and int8, per layer side by "
                   "side (interleaved runs)")
    p.add_argument("--provider", metavar="EP", default=None,
                   type=not_empty("an execution provider, e.g. CPUExecutionProvider"),
                   help="onnxruntime execution provider (default CPUExecutionProvider; "
                   "see onnxruntime.get_available_providers())")
    add_arguments(p)


def time_shares(layer_ms: Sequence[float], frame_ms: float) -> list[float]:
    """Each layer's percent of the timed frame (its figure over the frame's figure, both
    the same statistic): the one definition of the JSON's "percent", of "coverage" (their
    sum / 100) and of the table's % and cum % columns."""
    return [100 * ms / frame_ms for ms in layer_ms]


def _timed(runner, x) -> tuple[float, float, tuple]:
    """(wall ms of the call, profile end and session swap included; run ms; layers)."""
    t = time.perf_counter()
    _, ms, layers = runner.infer_tensor(x)
    return (time.perf_counter() - t) * 1e3, ms, layers


def _measure(model, x, args, line: TerminalLine | None = None) -> dict:
    """Plain runs next to the live demo's one-in-N per-layer timing (same runner, same
    automatic rate), in alternating blocks, until `args.runs` frames were timed.

    A cycle is the timing runner's frames up to and including a profiled one (profile end
    and session swap included), next to as many plain runs. Costs per frame are the app's
    statistic of the cycles' (and plain blocks') means, so that a burst of load from other
    programs, which hits one block and not its neighbour, does not decide the ratio."""
    from visualizer.net.analysis.machine_load import LoadWatch
    from visualizer.net.runtime.runner import Runner
    from visualizer.net.analysis.timing_stats import LayerStats, robust_ms

    line = line or TerminalLine()
    watch = LoadWatch(args.threads)  # other programs' CPU use while timing
    stats = LayerStats(window=None)
    walls: list[float] = []  # run ms of each profiled frame
    plain_ms: list[float] = []  # mean wall ms of a plain run, per block
    cost_ms: list[float] = []  # mean wall ms of a frame of the timing runner, per cycle
    frames = plain_runs = 0
    params: dict[str, int] = {}
    fused: dict[str, int] = {}  # timed frames in which the provider fused the layer
    ran_on: dict[str, str] = {}  # the provider(s) that ran each row's nodes (profile)
    with Runner(model, args.threads, per_layer=False, spin=True) as plain, \
            Runner(model, args.threads, dense=0, spin=True) as timing:
        line.show("bench: warming up…")
        for _ in range(args.warmup):
            plain.infer_tensor(x)
        while timing.timed_frames == 0:  # warm-up: its first profile sets its rate
            timing.infer_tensor(x)
        cycle = 0
        started = time.perf_counter()
        while stats.frames < args.runs:
            done = stats.frames
            left = (time.perf_counter() - started) / done * (args.runs - done) if done else None
            line.show(f"bench: timing layers, {done}/{args.runs} frames"
                      + (f", about {left:.0f} s left" if left is not None else ""))
            for kind in ((timing, plain) if cycle % 2 == 0 else (plain, timing)):
                if kind is timing:
                    costs: list[float] = []
                    while True:
                        wall, ms, layers = _timed(timing, x)
                        costs.append(wall)
                        if layers:
                            break
                    cost_ms.append(sum(costs) / len(costs))
                    frames += len(costs)
                    walls.append(ms)
                    stats.add_layers(layers, ms)
                    params.update((t.name, t.params) for t in layers)
                    for t in layers:
                        fused[t.name] = fused.get(t.name, 0) + t.fused
                        ran_on[t.name] = t.provider or ran_on.get(t.name, "")
                else:  # as many plain runs as the timing runner's cycle takes
                    block = [_timed(plain, x) for _ in range(timing.profile_every)]
                    for _, run_ms, _ in block:
                        stats.add_plain(run_ms)
                    plain_ms.append(sum(b[0] for b in block) / len(block))
                    plain_runs += len(block)
            cycle += 1
        every = timing.profile_every
        session_providers = list(timing.session_providers)
    load = watch.stop()
    account = stats.account()
    whole, per_frame = account.frame_ms, robust_ms(cost_ms)
    rows = account.rows
    layers = []
    for row, percent in zip(rows, time_shares([r.ms for r in rows], whole)):
        layers.append({**row.as_dict(), "params": params.get(row.name, 0), "percent": percent,
                       "fused": fused.get(row.name, 0) == len(walls) and row.name in fused,
                       "provider": ran_on.get(row.name, "")})
    return {"whole_graph_ms": whole, "whole_graph_p25_ms": account.frame_p25,
            "whole_graph_p75_ms": account.frame_p75, "timed_ms": robust_ms(walls),
            "per_frame_ms": per_frame, "overhead_ratio": per_frame / robust_ms(plain_ms),
            "scale": account.scale, "coverage": sum(l["percent"] for l in layers) / 100,
            "layers": layers, "runs": stats.frames, "frames": frames,
            "plain_runs": plain_runs, "profile_every": every, "statistic": statistic(None),
            "session_providers": session_providers,
            "machine_load": load.to_json() if load is not None else None,
            "machine_load_note": load.note("timing") if load is not None else ""}


def _conflict(args: argparse.Namespace) -> str | None:
    """Options that would be ignored together, refused in one line."""
    problem = untrained_shape_problem(args.model, args.alpha, args.resolution)
    if problem or not args.compare_precision:
        return problem
    if args.precision is not None:
        return "--compare-precision times both precisions: drop --precision"
    if args.recalibrate or args.no_roofs:
        return "--compare-precision measures no roofs: drop --recalibrate and --no-roofs"
    if len(args.image) > 1:
        return "--compare-precision times one image: give --image once"
    return None


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from visualizer.net.model.mobilenet import SpecError
    from visualizer.net.models import ModelError
    from visualizer.net.runtime.preprocess import PreprocessError

    problem = _conflict(args)
    if problem:
        return fail(problem)
    if args.provider:
        from visualizer.net.runtime.sessions import set_provider

        try:
            set_provider(args.provider)
        except ValueError as e:
            return fail(str(e))
        from visualizer.net.runtime.providers import check_providers

        check = check_providers([args.provider])[args.provider]
        if not check.usable:
            return fail(f"execution provider {args.provider} is not usable here: {check.reason}")
    try:  # before a model is downloaded or converted
        frames = [(path, read_image(path)) for path in args.image]
    except ValueError as e:
        return fail(str(e))
    # the frame timed: the first --image, else a fixed noise frame of a camera's size
    timing_frame = frames[0][1] if frames else \
        np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    if args.compare_precision:
        from visualizer.commands._precision import run_compare

        return run_compare(args, timing_frame)
    precision = args.precision or "float"
    alpha = 1.0 if args.alpha is None else args.alpha
    resolution = 224 if args.resolution is None else args.resolution
    line = TerminalLine()
    try:
        from visualizer.net.analysis.precision_load import load_precision

        model = load_precision(args.model or "untrained", precision, threads=args.threads,
                               alpha=alpha, resolution=resolution,
                               progress=download_progress(line),
                               measuring=measuring_progress(line))
    except (ModelError, SpecError) as e:
        return fail(str(e))
    from visualizer.net.runtime.runner import Runner

    try:
        line.show("bench: loading the model into onnxruntime…")
        with Runner(model, args.threads, per_layer=False) as top:
            x = top.preprocess(timing_frame)
            images = [{"path": path, "top5": [
                {"label": p.label, "index": p.index, "prob": p.prob}
                for p in top.infer(frame).top5]} for path, frame in frames]
        figures = _measure(model, x, args, line)
    except PreprocessError as e:
        return fail(str(e))
    except Exception as e:  # onnxruntime refusing the graph, out of memory, …
        return fail(f"inference failed: {first_line(e)}")
    finally:
        line.clear()
    result = {"model": model.name, "precision": model.precision, "trained": model.trained,
              "int8_formats": model.kernels, "float_islands": list(model.islands),
              "auto": model.auto,
              "alpha": model.spec.alpha,
              "resolution": model.spec.resolution, "threads": args.threads, **figures,
              "images": images}
    try:
        add_roofline(result, model, args, line)
    except Exception as e:  # onnxruntime refusing the calibration graphs, out of memory, …
        return fail(f"roof calibration failed: {first_line(e)}")
    finally:
        line.clear()
    if args.json:
        print_json(result)
    else:
        _print(result, model)
    return 0


def _where(r: dict) -> str:
    """Where the layers ran (the profile's providers) and the session's providers."""
    from visualizer.net.runtime.providers import ran_on
    from visualizer.net.runtime.sessions import current_provider

    paper = {l["name"]: l["provider"] for l in r["layers"]
             if l["provider"] and l["type"] not in ("softmax", "layout", "other")}
    where = ran_on(current_provider(), tuple(r["session_providers"]), paper)
    return f"{where.text}  (session providers: {', '.join(r['session_providers'])})"


def _print(r: dict, model) -> None:
    from itertools import accumulate

    from visualizer.net.model.mobilenet import summary_by_type

    note = "" if r["trained"] else "  (UNTRAINED weights: predictions are meaningless)"
    print(f"{r['model']} ({r['precision']}): α={r['alpha']:g}, "
          f"{r['resolution']}×{r['resolution']}, "
          f"threads {r['threads'] or 'default'}, {r['runs']} runs{note}")
    if r["precision"] == "int8":
        islands = f"; {', '.join(r['float_islands'])} as exact float islands" \
            if r["float_islands"] else ""
        print(f"int8 formats: {r['int8_formats']}{islands}")
    if r["auto"]:
        print(f"auto: {r['auto']}")
    rows = []
    for l, cum in zip(r["layers"], accumulate(l["percent"] for l in r["layers"])):
        rows.append([l["name"], l["type"], f"{l['macs']:,}", f"{l['params']:,}",
                     "fused" if l.get("fused") else f"{l['ms']:.3f}",
                     f"{l['p25_ms']:.3f}–{l['p75_ms']:.3f}", f"{l['percent']:.1f}",
                     f"{cum:.1f}", rate_text(l["gmacs_per_s"]) if l["macs"] else "-"])
    rows.append(["total", "", "", "", f"{sum(l['ms'] for l in r['layers']):.3f}", "",
                 f"{sum(l['percent'] for l in r['layers']):.1f}", "", ""])
    print(table(["layer", "type", "mult-adds", "params", "ms", "p25–p75", "%", "cum %",
                 "GMAC/s"], rows, align="llrrrrrrr"))
    print(f"ms: {r['statistic']} (n = {r['runs']}); the rows are the profiled frame's kernel "
          f"times and its overhead, scaled ×{r['scale']:.2f} to add up to the plain frame")
    print()
    print_roofline(r)
    print()
    by_type = {s.type: s for s in summary_by_type(model.spec.layers)}
    trows = []
    for t in ("conv", "depthwise", "pointwise", "pool", "fc", "softmax", "layout", "other",
              "overhead"):
        sel = [l for l in r["layers"] if l["type"] == t]
        if not sel:
            continue
        ms = sum(l["ms"] for l in sel)
        s = by_type.get(t)
        trows.append([t, len(sel), f"{ms:.3f}", f"{sum(l['percent'] for l in sel):.1f}",
                      f"{s.macs_percent:.2f}" if s else "-"])
    print(table(["type", "layers", "ms", "% of time", "% of mult-adds"], trows,
                align="lrrrr"))
    print()
    print(f"whole graph (plain)   {r['whole_graph_ms']:.3f} ms  (p25–p75 "
          f"{r['whole_graph_p25_ms']:.3f}–{r['whole_graph_p75_ms']:.3f}, "
          f"{r['plain_runs']} runs): the total of the rows above")
    print(f"timed frame           {r['timed_ms']:.3f} ms  (profiled runs, same statistic: "
          f"×{r['timed_ms'] / r['whole_graph_ms']:.2f} the plain frame)")
    print(f"with per-layer timing {r['per_frame_ms']:.3f} ms per frame  "
          f"(×{r['overhead_ratio']:.3f}; one frame in {r['profile_every']} profiled)")
    print(f"ran                   {_where(r)}")
    if r.get("machine_load_note"):
        print(f"NOTE: {r['machine_load_note']}")
    for img in r["images"]:
        print()
        print(f"{img['path']}{note}")
        for p in img["top5"]:
            print(f"  {p['prob']:7.2%}  {p['label']}  [{p['index']}]")
