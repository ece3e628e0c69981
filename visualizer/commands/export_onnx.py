"""`export-onnx`: write a model (official checkpoint, TFLite file, untrained) as ONNX.

The graph's nodes carry the paper's layer names, so it reads well in Netron.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from visualizer.commands._common import (add_precision_argument, alpha, download_progress,
                                         fail, measuring_progress, positive_int)

NAME = "export-onnx"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="convert a model to an ONNX file (opens in Netron)",
                       description="Convert MobileNet V1 to ONNX: an official checkpoint "
                       "name (downloaded once), a .tflite/.tgz/.onnx file, or 'untrained'.")
    p.add_argument("--model", required=True, metavar="SRC",
                   help="official name (e.g. mobilenet_v1_0.5_160_quant), a .tflite, .tgz "
                   "or .onnx path, 'untrained' or 'untrained:0.5_160'")
    p.add_argument("--out", required=True, metavar="PATH", help="the .onnx file to write")
    p.add_argument("--alpha", type=alpha, default=1.0,
                   help="width multiplier of an untrained model (default 1.0)")
    p.add_argument("--resolution", type=positive_int, default=224,
                   help="input size of an untrained model (default 224)")
    add_precision_argument(p)


def run(args: argparse.Namespace) -> int:
    from visualizer.io.atomic import unwritable_reason, write_atomic
    from visualizer.net.analysis.precision_load import load_precision
    from visualizer.net.models import ModelError

    out = Path(args.out).expanduser()
    if out.suffix.lower() != ".onnx":
        return fail(f"--out must end in .onnx, not {out.name!r}")
    problem = unwritable_reason(out)  # before a download or a conversion, not after
    if problem:
        return fail(f"--out: {problem}")
    try:
        model = load_precision(args.model, args.precision, alpha=args.alpha,
                               resolution=args.resolution, progress=download_progress(),
                               measuring=measuring_progress())
    except ModelError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\r")
    try:
        write_atomic(out, model.onnx_bytes)
    except OSError as e:
        return fail(f"cannot write {out}: {e.strerror or e}")
    s = model.spec
    print(f"wrote {out} ({len(model.onnx_bytes) / 1e6:.1f} MB): {model.name}, MobileNet V1 "
          f"α={s.alpha:g} {s.resolution}×{s.resolution}, {s.classes} classes, "
          f"{'trained' if model.trained else 'untrained'}, {model.precision}; input (rgb − "
          f"{model.input_mean:g})/{model.input_std:g}, NCHW")
    if model.kernels:
        islands = f"; {', '.join(model.islands)} as exact float islands" if model.islands \
            else ""
        print(f"int8 formats: {model.kernels}{islands}")
    if model.auto:
        print(f"auto: {model.auto}")
    return 0
