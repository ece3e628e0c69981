"""Helpers shared by the headless commands."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Callable


def fail(message: str, code: int = 2) -> int:
    """One clear line on stderr, no traceback."""
    sys.stderr.write(f"error: {message}\n")
    return code


def _shown(text: str, limit: int = 40) -> str:
    """The user's text quoted for a message, cut short so the message stays one short line."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def thread_count(text: str) -> int:
    """onnxruntime intra-op threads: 1 to 4 × the machine's cores (more only thrashes;
    --threads 1000 stalled the window for seconds)."""
    value = positive_int(text)
    cores = os.cpu_count() or 1
    if value > 4 * cores:
        raise argparse.ArgumentTypeError(
            f"{value} is more than 4 × this machine's {cores} cores (at most {4 * cores})")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be 0 or more")
    return value


def print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def table(headers: list[str], rows: list[list[object]], align: str | None = None) -> str:
    """A plain text table; `align` has one 'l' or 'r' per column (default: text left,
    numbers right)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if align is None:
        align = "".join("r" if rows and isinstance(rows[0][i], (int, float)) else "l"
                        for i in range(len(headers)))
    lines = []
    for j, r in enumerate(cells):
        parts = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(r, widths, align)]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def alpha(text: str) -> float:
    """A width multiplier: a finite number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 1]")
    return value


def download_progress() -> Callable[[int, int], None] | None:
    """A progress callback that prints to a terminal (None when stderr is not one)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        text = f"{100 * done // total}%" if total else f"{done // 1024} KiB"
        sys.stderr.write(f"\rdownloading… {text}   ")
        sys.stderr.flush()

    return show


def add_precision_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--precision", choices=("auto", "float", "int8"), default="float",
                   help="float32; int8 on onnxruntime's integer kernels (a quantized "
                   "checkpoint, in the exact integer formats this CPU runs fastest); or auto: "
                   "the faster of the two on this machine, measured once (bench "
                   "--compare-precision) and cached (default float)")


def measuring_progress():
    """A stderr line following the first "auto" measurement of a checkpoint (or None when
    stderr is not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(fraction: float) -> None:
        sys.stderr.write(f"\rmeasuring float vs int8 on this machine (once)… "
                         f"{100 * fraction:.0f}%   ")
        sys.stderr.flush()

    return show


def add_layer_arguments(p: argparse.ArgumentParser, d) -> None:
    """--height … --padding of one convolution layer, defaulting to LayerSpec `d`."""
    p.add_argument("--height", type=positive_int, default=d.height, help="input height")
    p.add_argument("--width", type=positive_int, default=d.width, help="input width")
    p.add_argument("--channels", type=positive_int, default=d.channels, help="input channels")
    p.add_argument("--kernel", type=positive_int, default=d.kernel, help="kernel size k")
    p.add_argument("--filters", type=positive_int, default=d.filters, help="filters N")
    p.add_argument("--stride", type=positive_int, default=d.stride)
    p.add_argument("--padding", type=non_negative_int, default=d.padding)
