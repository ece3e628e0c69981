"""`export-onnx`: write a model (official checkpoint, TFLite file, untrained) as ONNX.

The graph's nodes carry the paper's layer names, so it reads well in Netron.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from visualizer.commands._common import fail, positive_int

NAME = "export-onnx"


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not in (0, 1]")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="convert a model to an ONNX file (opens in Netron)",
                       description="Convert MobileNet V1 to ONNX: an official checkpoint "
                       "name (downloaded once), a .tflite/.tgz/.onnx file, or 'untrained'.")
    p.add_argument("--model", required=True, metavar="SRC",
                   help="official name (e.g. mobilenet_v1_0.5_160_quant), a .tflite, .tgz "
                   "or .onnx path, 'untrained' or 'untrained:0.5_160'")
    p.add_argument("--out", required=True, metavar="PATH", help="the .onnx file to write")
    p.add_argument("--alpha", type=_alpha, default=1.0,
                   help="width multiplier of an untrained model (default 1.0)")
    p.add_argument("--resolution", type=positive_int, default=224,
                   help="input size of an untrained model (default 224)")


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        text = f"{100 * done // total}%" if total else f"{done // 1024} KiB"
        sys.stderr.write(f"\rdownloading… {text}   ")
        sys.stderr.flush()

    return show


def run(args: argparse.Namespace) -> int:
    from visualizer.net.checkpoints import write_atomic
    from visualizer.net.models import ModelError, load_model

    out = Path(args.out)
    if out.suffix.lower() != ".onnx":
        return fail(f"--out must end in .onnx, not {out.name!r}")
    if not out.parent.is_dir():
        return fail(f"folder {str(out.parent)!r} does not exist")
    try:
        model = load_model(args.model, alpha=args.alpha, resolution=args.resolution,
                           progress=_progress_printer())
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
          f"{'trained' if model.trained else 'untrained'}; input (rgb − "
          f"{model.input_mean:g})/{model.input_std:g}, NCHW")
    return 0
