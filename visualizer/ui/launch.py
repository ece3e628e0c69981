"""Start the window, or render it offscreen with --screenshot PATH and exit."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SCREENSHOT_SIZE = (1280, 800)


def run_gui(args: argparse.Namespace) -> int:
    """Open the main window (exit code of the event loop), or save a screenshot (0 / 2)."""
    shot = getattr(args, "screenshot", None)
    if shot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        target = Path(shot)
        if target.suffix.lower() != ".png":
            sys.stderr.write(f"error: screenshot path must end in .png: {shot}\n")
            return 2
        if not target.parent.exists():
            sys.stderr.write(f"error: folder does not exist: {target.parent}\n")
            return 2
    if _no_display() and not wants_live_args(args):
        sys.stderr.write("error: no display to open the window on (DISPLAY and "
                         "WAYLAND_DISPLAY are unset); use --screenshot PATH, a headless "
                         "command (see --help), or set QT_QPA_PLATFORM=offscreen\n")
        return 2
    # Qt Multimedia's informational lines (which FFmpeg, no PipeWire) are noise to a user;
    # its warnings and errors still show.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.ffmpeg.info=false;"
                          "qt.multimedia.symbolsresolver=false")
    from visualizer.ui.headless import prepare_headless, run_live, wants_live

    live = wants_live(args)
    if live:
        prepare_headless(args)
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MobileNet Visualizer")
    window = MainWindow(first_tab=getattr(args, "tab", None))
    if live:  # --source/--model/--autostart/--exit-after-frames/--report
        return run_live(app, window, args)
    if shot:
        return save_screenshot(window, target)
    window.show()
    return app.exec()


def save_screenshot(window, path: Path) -> int:
    from PySide6.QtWidgets import QApplication

    window.resize(*SCREENSHOT_SIZE)
    window.show()
    for _ in range(3):  # let layouts settle before grabbing
        QApplication.processEvents()
    if not window.grab().save(str(path), "PNG"):
        sys.stderr.write(f"error: could not write {path}\n")
        return 2
    window.close()
    return 0


def _no_display() -> bool:
    """On Linux without a display (and no platform chosen), Qt would abort the process."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))


def wants_live_args(args: argparse.Namespace) -> bool:
    """A headless live run (it ends by itself) picks the offscreen platform on its own."""
    return getattr(args, "exit_after_frames", None) is not None
