"""The standard streams of a run: present, and holding only what the program says.

- A stream the program was started without (`main.py net >&-`) is reopened on the null
  device: otherwise the next file opened takes its number, and what is printed, or what
  a C library writes to stderr, lands in that file (a report, an .onnx).
- Without --verbose, what C libraries write straight to file descriptor 2 (libpng's
  "libpng error: Write Error", FFmpeg's stream dumps, Qt before its message handler is
  installed, onnxruntime) goes to the null device, while Python's sys.stderr (the one
  error line, a progress line, a traceback) keeps the real stderr: a failed run prints
  exactly one line, a working one none.
"""
from __future__ import annotations

import faulthandler
import io
import os
import sys
from contextlib import contextmanager
from typing import Iterator

_NAMES = ((0, "stdin"), (1, "stdout"), (2, "stderr"))


def reopen_closed() -> set[str]:
    """Reopen closed standard streams on the null device; the names of those that were
    closed ("stdout", …)."""
    closed = set()
    for fd, name in _NAMES:
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        closed.add(name)
        null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if getattr(sys, name) is None:  # Python found it closed at start-up
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))
    return closed


def _is_real_stderr() -> bool:
    """sys.stderr writes to file descriptor 2 (not a test's capture, not a wrapper)."""
    try:
        return sys.stderr is not None and sys.stderr.fileno() == 2
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return False


@contextmanager
def native_stderr_hidden(hide: bool = True) -> Iterator[None]:
    """Inside (if `hide`): file descriptor 2 is the null device, sys.stderr the real
    stderr on a duplicate descriptor (and so is faulthandler's crash report). Nothing
    changes when sys.stderr is not descriptor 2 (captured by a test)."""
    if not hide or not _is_real_stderr():
        yield
        return
    old = sys.stderr
    old.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    sys.stderr = open(saved, "w", encoding=old.encoding, errors="backslashreplace",
                      buffering=1, closefd=False)
    crash_report = faulthandler.is_enabled()
    if crash_report:
        faulthandler.enable(sys.stderr)
    try:
        yield
    finally:
        try:
            sys.stderr.flush()
        except OSError:
            pass
        sys.stderr = old
        if crash_report:
            faulthandler.enable(old)
        os.dup2(saved, 2)
        os.close(saved)
