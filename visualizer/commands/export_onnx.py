"""`export-onnx`: write a model (official checkpoint, TFLite file, untrained) as ONNX.

The graph's nodes carry the paper's layer names, so it reads well in Netron.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from visualizer.commands._common import (TerminalLine, add_precision_argument, alpha,
                                         download_progress, fail, file_name,
                                         measuring_progress, model_name, resolution,
                                         untrained_shape_problem)

NAME = "export-onnx"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="convert a model to an ONNX file (opens in Netron)",
                       description="Convert MobileNet V1 to ONNX: an official checkpoint "
                       "name (downloaded once), a .tflite/.tgz/.onnx file, or 'untrained'.")
    p.add_argument("--model", required=True, metavar="SRC", type=model_name,
                   help="official name (e.g. mobilenet_v1_0.5_160_quant), a .tflite, .tgz "
                   "or .onnx path, 'untrained' or 'untrained:0.5_160'")
    p.add_argument("--out", required=True, metavar="PATH", type=file_name,
                   help="the .onnx file to write (through a symbolic link: the file it "
                   "points to)")
    p.add_argument("--alpha", type=alpha, default=None,
                   help="width multiplier of an untrained model (default 1.0)")
    p.add_argument("--resolution", type=resolution, default=None,
                   help="input size of an untrained model (default 224)")
    add_precision_argument(p)


def run(args: argparse.Namespace) -> int:
    from visualizer.io.atomic import write_atomic
    from visualizer.io.output_paths import Input, Output, output_problem
    from visualizer.net.analysis.precision_load import load_precision
    from visualizer.net.models import ModelError

    out = Path(args.out).expanduser()
    problem = untrained_shape_problem(args.model, args.alpha, args.resolution) or \
        output_problem([Output("--out", args.out, (".onnx",))],  # before any download
                       [Input("--model", args.model)] if Path(args.model).expanduser().exists()
                       else [])
    if problem:
        return fail(problem)
    line = TerminalLine()
    try:
        model = load_precision(args.model, args.precision or "float",
                               alpha=1.0 if args.alpha is None else args.alpha,
                               resolution=224 if args.resolution is None else args.resolution,
                               progress=download_progress(line),
                               measuring=measuring_progress(line))
    except ModelError as e:
        return fail(str(e))
    finally:
        line.clear()
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
