"""Start the window, or render it offscreen with --screenshot PATH and exit."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SCREENSHOT_SIZE = (1280, 800)


def run_gui(args: argparse.Namespace) -> int:
    """Open the main window (exit code of the event loop), or save a screenshot (0 / 2)."""
    # before any work: no run that cannot save its result, or that would never end
    problem = check_outputs(args) or check_live_options(args)
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        return 2
    shot = getattr(args, "screenshot", None)
    if shot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if _no_display() and not wants_live_args(args):
        sys.stderr.write("error: no display to open the window on (DISPLAY and "
                         "WAYLAND_DISPLAY are unset); use --screenshot PATH, a headless "
                         "command (see --help), or set QT_QPA_PLATFORM=offscreen\n")
        return 2
    verbose = bool(getattr(args, "verbose", False))
    if not verbose:
        # Qt's and FFmpeg's diagnostics are for --verbose (console_messages.py); the rules
        # spare the message handler the most frequent ones
        os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.ffmpeg.info=false;"
                              "qt.multimedia.symbolsresolver=false")
        from visualizer.ui.console_messages import silence_qt_messages

        silence_qt_messages()
    from visualizer.ui.headless import prepare_headless, run_live

    live = wants_live(args)
    if live:
        prepare_headless(args)
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.common.interrupt import INTERRUPTED, quit_on_signals, signals_held
    from visualizer.ui.main_window import MainWindow

    window = None
    try:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        with quit_on_signals() as interrupted:  # Ctrl-C / SIGTERM: exit 130
            app.setApplicationName("MobileNet Visualizer")
            if not verbose:
                from visualizer.ui.console_messages import silence_ffmpeg

                silence_ffmpeg()
            window = MainWindow(first_tab=getattr(args, "tab", None),
                                threads=getattr(args, "threads", None))
            if live:  # --source/--model/--autostart/--exit-after-frames/--report
                code = run_live(app, window, args, interrupted)
            elif shot:
                code = save_screenshot(window, Path(shot).expanduser())
            else:
                window.show()
                code = app.exec()
            code = INTERRUPTED if interrupted.signum else code
    except KeyboardInterrupt:  # before the application exists, or after
        code = INTERRUPTED
    if window is not None:  # the tabs stop their work (waiting ~1 s at most); a signal
        try:  # meanwhile is held: raised inside Qt's call into closeEvent it could crash
            with signals_held():
                window.close()
        except KeyboardInterrupt:
            code = INTERRUPTED
    return leave(code)


#: After the window has gone, how long the program waits for background work it let go.
EXIT_WAIT_S = 10.0


def leave(code: int) -> int:
    """`code`, once no thread is left running; past EXIT_WAIT_S the process ends at once
    (a QThread destroyed while it runs would abort it with a crash report instead)."""
    from visualizer.qtthreads.task import wait_all

    if wait_all(EXIT_WAIT_S):
        return code
    from visualizer.net.runtime.profile_dirs import remove_own

    remove_own()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def check_outputs(args: argparse.Namespace) -> str | None:
    """One line saying why --screenshot or --report cannot be written, or must not be
    (it would replace the source, the model, the other output or a file of another
    kind: io/output_paths.py), or None."""
    from visualizer.io.output_paths import Input, Output, output_problem

    outputs = [Output(option, path, (suffix,)) for option, path, suffix in (
        ("--screenshot", getattr(args, "screenshot", None), ".png"),
        ("--report", getattr(args, "report", None), ".json")) if path is not None]
    inputs = [Input(option, path) for option, path in (
        ("--source", getattr(args, "source", None)), ("--model", getattr(args, "model", None)))
        if path and Path(path).expanduser().exists()]  # not camera:N or an official name
    return output_problem(outputs, inputs) if outputs else None


LIVE_OPTIONS = ("source", "autostart", "report", "exit_after_frames", "model", "precision")


def live_options(args: argparse.Namespace) -> list[str]:
    """The live options given, as typed ("--source", …)."""
    return ["--" + name.replace("_", "-") for name in LIVE_OPTIONS if getattr(args, name, None)]


def wants_live(args: argparse.Namespace) -> bool:
    """Any live option: the window opens with the Live tab set up from them (--model and
    --precision too: without a source, the model is loaded and waits for one)."""
    return bool(live_options(args))


def check_live_options(args: argparse.Namespace) -> str | None:
    """One line saying which live options do not go together, or None (before Qt)."""
    autostart, frames = getattr(args, "autostart", False), getattr(args, "exit_after_frames", None)
    if frames is not None and not autostart:
        return "--exit-after-frames needs --autostart"
    if autostart and not getattr(args, "source", None):
        return "--autostart needs --source (a video, an image, a folder of images or camera:N)"
    if getattr(args, "screenshot", None) and wants_live(args) and frames is None:
        # the screenshot is taken when the run ends: without an end it would wait forever
        return (f"--screenshot with {' '.join(live_options(args))} (a live run) needs "
                "--autostart and --exit-after-frames N: it is taken when the run ends")
    model = getattr(args, "model", None)
    if model and Path(model).expanduser().exists():  # a file (not a name): never a FIFO
        from visualizer.io.file_kinds import not_regular

        problem = not_regular(model, "model file")
        if problem:
            return problem
    if getattr(args, "source", None):
        from visualizer.video.source_paths import source_problem  # no Qt in there

        return source_problem(args.source)
    return None


def save_screenshot(window, path: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.common.image_files import save_png

    try:
        window.resize(*SCREENSHOT_SIZE)
        window.show()
        for _ in range(3):  # let layouts settle before grabbing
            QApplication.processEvents()
        save_png(window.grab(), path)
    except OSError as e:
        sys.stderr.write(f"error: cannot write {path}: {e.strerror or e}\n")
        return 2
    finally:
        window.close()  # stops the tabs' threads, whatever happened
    return 0


def _no_display() -> bool:
    """On Linux without a display (and no platform chosen), Qt would abort the process."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))


def wants_live_args(args: argparse.Namespace) -> bool:
    """A headless live run (it ends by itself) picks the offscreen platform on its own."""
    return getattr(args, "exit_after_frames", None) is not None
