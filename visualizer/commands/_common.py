"""Helpers shared by the headless commands."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Callable


def fail(message: str, code: int = 2) -> int:
    """One clear line on stderr, no traceback (a progress line still shown is erased
    first, so the message starts a line of its own)."""
    if TerminalLine.shown is not None:
        TerminalLine.shown.clear()
    sys.stderr.write(f"error: {message}\n")
    return code


def first_line(e: BaseException) -> str:
    """An exception's message cut to its first line, for one-line errors; its type when
    the message is blank."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _shown(text: str, limit: int = 40) -> str:
    """The user's text quoted for a message, cut short so the message stays one short line."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def not_empty(hint: str) -> Callable[[str], str]:
    """An argparse type for text that must not be empty (an empty --model would mean the
    default model, an empty path the current folder); `hint` says what to give."""

    def check(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"must not be empty: give {hint}")
        return text

    return check


file_name = not_empty("a file name")
model_name = not_empty("an official name such as mobilenet_v1_0.5_160_quant, a "
                       ".tflite/.tgz/.onnx file or 'untrained'")


def untrained_shape_problem(model: str | None, alpha: float | None,
                            resolution: int | None) -> str | None:
    """--alpha and --resolution shape untrained weights only: with a checkpoint, a file or
    'untrained:A_R' (which has its own) they would be ignored, so they are refused."""
    given = [o for o, v in (("--alpha", alpha), ("--resolution", resolution)) if v is not None]
    if not given or model is None or model.strip() == "untrained":
        return None
    options = " and ".join(given)
    return (f"{options} {'shape' if len(given) > 1 else 'shapes'} untrained weights only, "
            f"and {model!r} has its own: drop {options}, or use --model untrained")


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


def _net_option(field: str, value) -> None:
    """Check one NetSpec field by NetSpec's own rule (one definition for every command);
    ArgumentTypeError with its message."""
    from visualizer.net.model.mobilenet import NetSpec, SpecError

    try:
        NetSpec(**{field: value})
    except SpecError as e:
        raise argparse.ArgumentTypeError(str(e).replace(f"{field} must be", "must be")) \
            from None


def alpha(text: str) -> float:
    """A width multiplier: a finite number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    _net_option("alpha", value)
    return value


def _whole_net_option(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number") from None
    _net_option(name, value)
    return value


def resolution(text: str) -> int:
    """An input resolution: a multiple of 32, from 32 to the limit."""
    return _whole_net_option("resolution", text)


def classes(text: str) -> int:
    """A number of classes."""
    return _whole_net_option("classes", text)


class TerminalLine:
    """Progress as one line on stderr, rewritten in place, when stderr is a terminal;
    nothing otherwise (a log or a pipe gets only the result). `clear()` when done."""

    #: The line on screen now, if any: fail() erases it before its message.
    shown: "TerminalLine | None" = None

    def __init__(self) -> None:
        try:
            self.enabled = sys.stderr.isatty()
        except (AttributeError, ValueError):  # closed or replaced by a non-stream
            self.enabled = False
        self._shown = False

    def show(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r{text}\x1b[K")  # and erase the rest of the old line
            sys.stderr.flush()
            self._shown = True
            TerminalLine.shown = self

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = False
            if TerminalLine.shown is self:
                TerminalLine.shown = None


def download_progress(line: TerminalLine) -> Callable[[int, int], None] | None:
    """A progress callback that shows on `line` (None when stderr is not a terminal);
    the caller clears the line."""
    if not line.enabled:
        return None

    def show(done: int, total: int) -> None:
        line.show(f"downloading… {100 * done // total}%" if total else
                  f"downloading… {done // 1024} KiB")

    return show


def add_precision_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--precision", choices=("auto", "float", "int8"), default=None,
                   help="float32; int8 on onnxruntime's integer kernels (a quantized "
                   "checkpoint, in the exact integer formats this CPU runs fastest); or auto: "
                   "the faster of the two on this machine, measured once (bench "
                   "--compare-precision) and cached (default float)")


def measuring_progress(line: TerminalLine):
    """A progress callback for the first "auto" measurement of a checkpoint, shown on
    `line` (None when stderr is not a terminal); the caller clears the line."""
    if not line.enabled:
        return None

    def show(fraction: float) -> None:
        line.show(f"measuring float vs int8 on this machine (once)… {100 * fraction:.0f}%")

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
