"""How much FFmpeg (inside Qt Multimedia) prints on stderr.

Qt's FFmpeg backend leaves FFmpeg's own logger in place unless QT_FFMPEG_DEBUG is set, so
FFmpeg writes straight to stderr (a stream dump per opened file, a swscaler deprecation
warning per converted frame) and no Qt message handler sees it. The log level is a
process-wide setting of the avutil library that Qt loaded; it is set here through ctypes
on that same library, before or after Qt has loaded it (the loader shares one copy).
Nothing is lost for the user: a file that cannot be played still fails through
QMediaPlayer's own error, which the app reports in one line.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os

AV_LOG_QUIET = -8


def _avutil_candidates() -> list[str]:
    """The avutil library beside Qt's (the one PySide6 wheels ship), then the system's."""
    found: list[str] = []
    try:
        import PySide6

        base = os.path.dirname(PySide6.__file__)
        for pattern in ("Qt/lib/libavutil.so.*", "Qt/lib/libavutil*.dylib", "avutil-*.dll",
                        "Qt/bin/avutil-*.dll"):
            found += sorted(glob.glob(os.path.join(base, pattern)), reverse=True)
    except ImportError:  # pragma: no cover - PySide6 is a dependency
        pass
    system = ctypes.util.find_library("avutil")
    if system:
        found.append(system)
    return found


def _load_media_backend() -> None:
    """Make Qt load its FFmpeg backend now: avutil can only be opened once Qt has loaded
    it with the helper libraries it links against (~15 ms, once)."""
    from PySide6.QtMultimedia import QMediaFormat

    QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)


def _avutil() -> ctypes.CDLL | None:
    """The avutil library Qt uses (loaded by Qt first), or None."""
    _load_media_backend()
    for path in _avutil_candidates():
        try:
            lib = ctypes.CDLL(path)
            lib.av_log_set_level.argtypes = [ctypes.c_int]
            lib.av_log_set_level.restype = None
            lib.av_log_get_level.restype = ctypes.c_int
        except (OSError, AttributeError):
            continue
        return lib
    return None


def set_ffmpeg_log_level(level: int) -> bool:
    """Set FFmpeg's log level (AV_LOG_QUIET … AV_LOG_TRACE); False if no avutil was found.
    Needs a Q(Core)Application."""
    lib = _avutil()
    if lib is not None:
        lib.av_log_set_level(level)
    return lib is not None


def ffmpeg_log_level() -> int | None:
    """FFmpeg's current log level, or None if no avutil was found."""
    lib = _avutil()
    return None if lib is None else int(lib.av_log_get_level())
