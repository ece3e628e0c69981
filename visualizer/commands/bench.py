"""`bench`: per-layer times of MobileNet V1 on onnxruntime, and top-5 per image.

Plain whole-graph runs and profiled runs are interleaved in small blocks so that a
change in machine load hits both alike; the overhead ratio compares their means.
"""
from __future__ import annotations

import argparse
from typing import Any

from visualizer.commands._common import (add_precision_argument, alpha, download_progress,
                                         fail, non_negative_int, positive_int, print_json,
                                         table)
from visualizer.commands._bench_roofline import add_arguments, add_roofline, print_roofline

NAME = "bench"
BLOCK = 5  # runs per interleaved block


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="per-layer inference times on onnxruntime and top-5 per image",
                       description="Time MobileNet V1 layer by layer with onnxruntime's "
                       "profiler on the optimised graph, next to plain whole-graph runs. "
                       "Without --model, untrained weights of the given width and resolution "
                       "are timed (their predictions are meaningless).")
    p.add_argument("--model", metavar="M", help="official name, .tflite/.tgz/.onnx file, "
                   "or 'untrained' (default: untrained with --alpha/--resolution)")
    p.add_argument("--alpha", type=alpha, default=1.0, help="width multiplier (untrained)")
    p.add_argument("--resolution", type=positive_int, default=224,
                   help="input resolution (untrained)")
    p.add_argument("--image", action="append", default=[], metavar="PATH",
                   help="an image to classify (repeatable); the first is also the timing input")
    p.add_argument("--runs", type=positive_int, default=50, help="timed runs of each kind")
    p.add_argument("--warmup", type=non_negative_int, default=5, help="untimed runs first")
    p.add_argument("--threads", type=positive_int, default=None,
                   help="onnxruntime intra-op threads (default: onnxruntime's choice)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_precision_argument(p)
    p.add_argument("--compare-precision", action="store_true",
                   help="time a quantized checkpoint in float and int8, per layer side by "
                   "side (interleaved runs)")
    p.add_argument("--provider", metavar="EP", default=None,
                   help="onnxruntime execution provider (default CPUExecutionProvider; "
                   "see onnxruntime.get_available_providers())")
    add_arguments(p)


def _read_image(path: str) -> Any:
    """An (H, W, 3) uint8 array of the photo as a viewer shows it: EXIF orientation applied
    (as the Live tab does), 16-bit samples scaled to 8 bits rather than clipped."""
    import warnings

    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                im = ImageOps.exif_transpose(im)
                if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):  # 16-bit gray
                    gray = np.asarray(im, dtype=np.float64) / 257.0
                    return np.repeat(np.clip(gray.round(), 0, 255).astype(np.uint8)[:, :, None],
                                     3, axis=2)
                return np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise ValueError(f"image not found: {path}") from None
    except Image.DecompressionBombError:
        raise ValueError(f"image {path} has too many pixels to decode safely") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise ValueError(f"cannot read image {path}: {e}") from None


def _measure(model, x, args) -> dict:
    """Interleaved plain and profiled runs; per-layer means over the profiled runs."""
    from visualizer.net.runner import Runner

    with Runner(model, args.threads, per_layer=False, spin=True) as plain, \
            Runner(model, args.threads, keep_history=True, profile_every=args.runs + 1,
                   spin=True) as prof:
        for _ in range(args.warmup):
            plain.infer_tensor(x)
        for _ in range(args.warmup):
            prof.infer_tensor(x)
        prof.flush()
        prof.history.clear()
        plain_ms: list[float] = []
        done = 0
        while done < args.runs:
            n = min(BLOCK, args.runs - done)
            first, second = (plain, prof) if (done // BLOCK) % 2 == 0 else (prof, plain)
            for runner in (first, second):
                for _ in range(n):
                    _, ms, _ = runner.infer_tensor(x)
                    if runner is plain:
                        plain_ms.append(ms)
            done += n
        prof.flush()
        history = list(prof.history)
    walls = [h[0] for h in history]
    timed = sum(walls) / len(walls)
    whole = sum(plain_ms) / len(plain_ms)
    rows = history[0][2]
    layers = []
    for i, row in enumerate(rows):
        ms = sum(h[2][i].ms for h in history) / len(history)
        layers.append({"name": row.name, "type": row.type, "macs": row.macs,
                       "params": row.params, "ms": ms, "percent": 100 * ms / timed,
                       "fused": all(h[2][i].fused for h in history),
                       "gmacs_per_s": row.macs / (ms * 1e6) if ms > 0 else 0.0})
    coverage = sum(sum(l.ms for l in h[2]) / h[0] for h in history) / len(history)
    return {"whole_graph_ms": whole, "timed_ms": timed, "overhead_ratio": timed / whole,
            "coverage": coverage, "layers": layers, "runs": len(history)}


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from visualizer.net.mobilenet import SpecError
    from visualizer.net.models import ModelError, load_model
    from visualizer.net.preprocess import PreprocessError

    if args.provider:
        from visualizer.net.sessions import set_provider

        try:
            set_provider(args.provider)
        except ValueError as e:
            return fail(str(e))
    if args.compare_precision:
        from visualizer.commands._precision import run_compare

        try:
            frame = _read_image(args.image[0]) if args.image else \
                np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
        except ValueError as e:
            return fail(str(e))
        return run_compare(args, frame)
    try:
        if args.model is not None:  # given but empty: "no model given", not untrained
            model = load_model(args.model, alpha=args.alpha, resolution=args.resolution,
                               progress=download_progress(), precision=args.precision)
        else:
            model = load_model("untrained", alpha=args.alpha, resolution=args.resolution,
                               precision=args.precision)
    except (ModelError, SpecError) as e:
        return fail(str(e))
    try:
        frames = [(path, _read_image(path)) for path in args.image]
    except ValueError as e:
        return fail(str(e))
    from visualizer.net.runner import Runner

    try:
        timing_frame = frames[0][1] if frames else \
            np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
        with Runner(model, args.threads, per_layer=False) as top:
            x = top.preprocess(timing_frame)
            images = [{"path": path, "top5": [
                {"label": p.label, "index": p.index, "prob": p.prob}
                for p in top.infer(frame).top5]} for path, frame in frames]
        figures = _measure(model, x, args)
    except PreprocessError as e:
        return fail(str(e))
    except Exception as e:  # onnxruntime refusing the graph, out of memory, …
        return fail(f"inference failed: {str(e).strip().splitlines()[0] if str(e) else e!r}")
    result = {"model": model.name, "precision": model.precision, "trained": model.trained,
              "alpha": model.spec.alpha,
              "resolution": model.spec.resolution, "threads": args.threads, **figures,
              "images": images}
    try:
        add_roofline(result, model.spec.layers, args)
    except Exception as e:  # onnxruntime refusing the calibration graphs, out of memory, …
        return fail(f"roof calibration failed: {str(e).strip().splitlines()[0] if str(e) else e!r}")
    if args.json:
        print_json(result)
    else:
        _print(result, model)
    return 0


def _print(r: dict, model) -> None:
    from visualizer.net.mobilenet import summary_by_type

    note = "" if r["trained"] else "  (UNTRAINED weights: predictions are meaningless)"
    print(f"{r['model']} ({r['precision']}): α={r['alpha']:g}, "
          f"{r['resolution']}×{r['resolution']}, "
          f"threads {r['threads'] or 'default'}, {r['runs']} runs{note}")
    rows, cum = [], 0.0
    for l in r["layers"]:
        cum += l["percent"]
        rows.append([l["name"], l["type"], f"{l['macs']:,}", f"{l['params']:,}",
                     "fused" if l.get("fused") else f"{l['ms']:.3f}", f"{l['percent']:.1f}",
                     f"{cum:.1f}",
                     f"{l['gmacs_per_s']:.1f}" if l["macs"] else "-"])
    print(table(["layer", "type", "mult-adds", "params", "mean ms", "%", "cum %", "GMAC/s"],
                rows, align="llrrrrrr"))
    print()
    print_roofline(r)
    print()
    by_type = {s.type: s for s in summary_by_type(model.spec.layers)}
    trows = []
    for t in ("conv", "depthwise", "pointwise", "pool", "fc", "softmax", "layout", "other"):
        sel = [l for l in r["layers"] if l["type"] == t]
        if not sel:
            continue
        ms = sum(l["ms"] for l in sel)
        s = by_type.get(t)
        trows.append([t, len(sel), f"{ms:.3f}", f"{100 * ms / r['timed_ms']:.1f}",
                      f"{s.macs_percent:.2f}" if s else "-"])
    print(table(["type", "layers", "ms", "% of time", "% of mult-adds"], trows,
                align="lrrrr"))
    print()
    print(f"whole graph (plain)   {r['whole_graph_ms']:.3f} ms")
    print(f"with per-layer timing {r['timed_ms']:.3f} ms  (×{r['overhead_ratio']:.3f})")
    print(f"layer times cover     {100 * r['coverage']:.1f}% of the timed frame")
    for img in r["images"]:
        print()
        print(f"{img['path']}{note}")
        for p in img["top5"]:
            print(f"  {p['prob']:7.2%}  {p['label']}  [{p['index']}]")
