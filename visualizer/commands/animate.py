"""`animate`: the Convolution tab's animation of one layer as a GIF or MP4, headless.

This module validates the request (no window toolkit is loaded for a bad one); the
frames are rendered by the tab's own widgets, through the renderer the entry point hands
to `run` (commands import no UI: see visualizer/app.py).
"""
from __future__ import annotations

import argparse
from typing import Callable

from visualizer.commands._common import (TerminalLine, add_layer_arguments, fail, file_name,
                                         positive_int)
from visualizer.conv.animation import (DEFAULT_HOLD, MAX_FPS, MIN_FPS, AnimationError,
                                       AnimationPlan, make_plan, parse_size)
from visualizer.conv.layer import LayerError, LayerSpec
from visualizer.io.output_paths import Output, output_problem

NAME = "animate"
#: The entry point passes a renderer: run(args, render) with render(plan, progress) -> frames.
NEEDS_RENDERER = True


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not MIN_FPS <= value <= MAX_FPS:  # NaN too; a GIF's own limit: make_plan
        raise argparse.ArgumentTypeError(f"{text} is outside {MIN_FPS:g} … {MAX_FPS:g} "
                                         "frames per second")
    return value


def _seconds(text: str) -> float:
    """--hold: a number of seconds (its range is checked with the plan)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = LayerSpec()
    p = sub.add_parser(
        NAME, help="the Convolution tab's animation as a GIF or MP4",
        description="Render the Convolution tab's animation of one layer as slides, one frame "
        "per step (the seed example: 144 standard, 27 depthwise + 144 pointwise = 171 "
        "separable; the race: one frame per standard step, 144), then a summary frame with "
        "both totals and the ratio 1/N + 1/k², held --hold seconds (a GIF stores it as one "
        "frame of that duration, an MP4 as repeated frames). Text is at least 2 % of the "
        "frame height; an optional --title heads every frame. Written as a GIF or an MP4 "
        "(by the extension of --out); the file appears only when complete.")
    p.add_argument("--out", required=True, type=file_name, metavar="anim.gif|anim.mp4",
                   help="file to write (through a symbolic link: the file it points to)")
    p.add_argument("--path", choices=["standard", "separable", "race"], default="standard",
                   help="which computation to animate; race: standard and separable side "
                   "by side on one clock of multiplications (default standard)")
    add_layer_arguments(p, d)
    p.add_argument("--groups", type=positive_int, default=d.groups,
                   help="groups of the standard path (default 1)")
    p.add_argument("--fps", type=_fps, default=8.0,
                   help=f"frames (steps) per second, {MIN_FPS:g} to {MAX_FPS:g} (a GIF: "
                   "up to 50; default 8)")
    p.add_argument("--size", default="1280x720", metavar="WxH",
                   help="frame size in pixels, 320x200 to 3840x2160 (default 1280x720)")
    p.add_argument("--title", default="", help="a line of text heading every frame")
    p.add_argument("--hold", type=_seconds, default=DEFAULT_HOLD, metavar="SECONDS",
                   help=f"how long the summary frame is held at the end, 0 for none "
                   f"(default {DEFAULT_HOLD:g})")


def plan_from(args: argparse.Namespace) -> AnimationPlan:
    """The checked plan; LayerError or AnimationError say what is wrong."""
    spec = LayerSpec(height=args.height, width=args.width, channels=args.channels,
                     kernel=args.kernel, filters=args.filters, stride=args.stride,
                     padding=args.padding, groups=args.groups)
    from visualizer.conv.example import make_example

    make_example(spec)  # raises LayerError when the layer is beyond the explorer's limit
    return make_plan(args.out, spec, args.path, args.fps, parse_size(args.size),
                     title=args.title, hold=args.hold)


def run(args: argparse.Namespace,
        render: Callable[[AnimationPlan, Callable[[int, int], None] | None], int] | None = None
        ) -> int:
    try:
        plan = plan_from(args)
    except (LayerError, AnimationError) as e:
        return fail(str(e))
    problem = output_problem([Output("--out", args.out, (".gif", ".mp4"))])
    if problem:
        return fail(problem)
    if render is None:
        return fail("animate needs the window toolkit to render its frames; run it "
                    "through main.py or the mobilenet-visualizer command", code=1)
    line = TerminalLine()  # progress on a terminal, erased before the result
    try:
        render(plan, (lambda done, total: line.show(
            f"rendering frame {done}/{total}")) if line.enabled else None)
    except OSError as e:
        return fail(f"cannot write {args.out}: {e.strerror or e}")
    finally:
        line.clear()  # also on Ctrl-C
    held = f" + the summary held {plan.hold:g} s" if plan.summary_frames else ""
    print(f"wrote {plan.out}: {len(plan.positions)} frames (one per step){held} "
          f"({plan.path} path, {plan.size[0]}x{plan.size[1]}, {plan.fps:g} fps)")
    return 0

