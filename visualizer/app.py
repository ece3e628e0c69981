"""Entry point: headless commands (`cost`, `net`, `bench`, `export-onnx`, `animate`) or the
window.

Qt is imported lazily, only when the window is needed, so headless commands start fast
and run on machines without a display.
"""
from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
import warnings
from typing import Sequence

from visualizer.commands import COMMANDS
from visualizer.commands._common import (fail, file_name, model_name, not_empty,
                                         positive_int, thread_count)
from visualizer.io.std_streams import native_stderr_hidden, reopen_closed


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and one clear line (no usage dump) on bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


class _WindowOption(argparse.Action):
    """Stores like "store" (or "store_true" with nargs=0) and notes the option in
    `window_options`, which a command's own options of the same name cannot hide: a
    window option given with a command (`--screenshot s.png cost`) is refused, not
    ignored."""

    def __init__(self, option_strings, dest, flag: bool = False, **kw) -> None:
        if flag:
            kw.update(nargs=0, default=False)
        self.flag = flag
        super().__init__(option_strings, dest, **kw)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, True if self.flag else values)
        given = list(getattr(namespace, "window_options", None) or [])
        setattr(namespace, "window_options", given + [option_string])


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mobilenet-visualizer",
        description="MobileNet Visualizer: an animated convolution explorer and MobileNet V1 "
        "running live. Without a command, opens the window.",
    )
    gui = parser.add_argument_group("window options")
    option = lambda *names, **kw: gui.add_argument(*names, action=_WindowOption, **kw)
    option("--screenshot", metavar="PATH.png", type=file_name,
           help="render the window offscreen at 1280x800, save it as PNG and exit (with "
           "live options: at the end of a run that ends by itself, --exit-after-frames N)")
    option("--tab", choices=["convolution", "network", "live"], default=None,
           help="tab to show first")
    option("--source", metavar="PATH|camera:N",
           type=not_empty("a video, an image, a folder of images or camera:N"),
           help="live demo source: a video, an image, a folder of images or camera:N")
    option("--model", metavar="M", type=model_name,
           help="live demo model: official name, .tflite/.tgz/.onnx path, or 'untrained'")
    option("--autostart", flag=True, help="start the live demo at once")
    option("--exit-after-frames", type=positive_int, metavar="N",
           help="quit after N frames have been inferred (with --autostart)")
    option("--report", metavar="OUT.json", type=file_name,
           help="write a JSON report of the live run on exit")
    option("--threads", type=thread_count, default=None, metavar="T",
           help="onnxruntime intra-op threads of the window's runs (live demo, "
           "Profile layers, sweep, roofs): 1 to 4 × the cores")
    option("--precision", choices=("auto", "float", "int8"), default=None,
           help="live demo precision: auto (default: the faster of float and int8 on this "
           "machine, measured once per checkpoint), float, or int8 integer kernels "
           "(quantized checkpoints only)")
    parser.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        module.add_parser(sub)
        # also after the command's name; SUPPRESS: not given there keeps the value before
        sub.choices[name].add_argument("--verbose", action="store_true",
                                       default=argparse.SUPPRESS, help=VERBOSE_HELP)
    return parser


VERBOSE_HELP = ("show the diagnostics of Qt, FFmpeg and the libraries on stderr (hidden "
                "otherwise: a failure prints one line)")


class _OutputFailed(Exception):
    """Standard output refused a write (full disk, closed pipe): not the command's fault."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.reason = error.strerror or str(error)


class _GuardedOutput:
    """sys.stdout while a command runs: a failed write raises _OutputFailed, so it is told
    apart from the command's own file errors and reported in one line."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as e:
            raise _OutputFailed(e) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise _OutputFailed(e) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _drop_stdout(stream) -> None:
    """Send standard output to the null device, so the flush at exit cannot fail again
    (and print a second message or a traceback)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. captured in tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    closed = reopen_closed()  # `>&-`: no file the run opens may take stdout's number
    restore = _terminate_interrupts()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        with native_stderr_hidden(not args.verbose), warnings.catch_warnings():
            if not args.verbose:  # a library's warning is a diagnostic too
                warnings.simplefilter("ignore")
            return _run(args, closed)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: no traceback
        return INTERRUPTED
    finally:
        restore()


def _run(args: argparse.Namespace, closed: set[str]) -> int:
    if args.command:
        given = getattr(args, "window_options", None)
        if given:
            return fail(f"{given[0]} is a window option: it does nothing with the "
                        f"{args.command} command (see {args.command} --help)")
        if "stdout" in closed:
            return fail("cannot write the output: standard output is closed")
        return _run_command(args)
    from visualizer.ui.launch import run_gui  # lazy: Qt only when a window is wanted

    return run_gui(args)


def _run_command(args) -> int:
    stdout = sys.stdout
    sys.stdout = _GuardedOutput(stdout)
    try:
        module = COMMANDS[args.command]
        if getattr(module, "NEEDS_RENDERER", False):  # frames drawn by the UI's widgets
            render = functools.partial(_render_animation, verbose=args.verbose)
            code = int(module.run(args, render) or 0)
        else:
            code = int(module.run(args) or 0)
        sys.stdout.flush()  # a full disk shows here, while it can still be reported
        return code
    except BrokenPipeError:  # e.g. `net | head`: the reader left; say nothing more
        _drop_stdout(stdout)
        return 1
    except _OutputFailed as e:  # e.g. `> /dev/full`
        _drop_stdout(stdout)
        sys.stderr.write(f"error: cannot write the output: {e.reason}\n")
        return 2
    finally:
        sys.stdout = stdout


def _render_animation(plan, progress=None, verbose: bool = False) -> int:
    """The `animate` command's renderer: the Convolution tab's widgets, offscreen. Qt is
    imported only here, once the command has checked its request; its messages (the
    offscreen platform's "propagateSizeHints()") only with --verbose."""
    if not verbose:
        from visualizer.ui.console_messages import silence_qt_messages

        silence_qt_messages()
    from visualizer.ui.convolution.frames import render_plan
    from visualizer.ui.convolution.tab import presentation_view

    return render_plan(plan, presentation_view, progress)


#: Exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report a Ctrl-C).
INTERRUPTED = 130


def _terminate_interrupts():
    """SIGTERM raises KeyboardInterrupt like Ctrl-C does, so both end the same way (exit
    130, no traceback; inside Qt's event loop ui/common/interrupt.py takes over). Returns
    a function restoring the previous handler."""
    if not hasattr(signal, "SIGTERM") or threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(_signum, _frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)
