"""What Qt and FFmpeg print on stderr: nothing, unless --verbose.

A headless run that fails prints exactly one error line, and a working one prints none;
Qt's chatter (platform plugin notes, "No HW decoder found", RHI fallbacks) and FFmpeg's
(a stream dump per file, a swscaler warning per frame) are diagnostics for whoever debugs
playback, so they are shown with --verbose only. Qt's fatal messages always show: the
process is about to abort and that line says why.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from visualizer.video.ffmpeg_log import AV_LOG_QUIET, set_ffmpeg_log_level


def _only_fatal(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if kind == QtMsgType.QtFatalMsg:
        category = getattr(context, "category", None)
        prefix = f"{category}: " if category and category != "default" else ""
        sys.stderr.write(f"{prefix}{message}\n")
        sys.stderr.flush()


def silence_qt_messages() -> None:
    """Drop Qt's debug, info, warning and critical messages (before the QApplication
    exists, so the platform plugin's first lines are caught too)."""
    qInstallMessageHandler(_only_fatal)


def silence_ffmpeg() -> None:
    """FFmpeg prints nothing (after the QApplication exists)."""
    set_ffmpeg_log_level(AV_LOG_QUIET)
