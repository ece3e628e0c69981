"""Temporary folders for onnxruntime's profiles: one per Runner, named after the process.

A folder is removed when its runner closes, and the process's remaining ones at exit. A
run that was killed (SIGKILL, power loss) cannot clean up, so each new process sweeps the
folders whose process is gone: the name carries the process id.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import psutil

PREFIX = "mobilenet-visualizer-profile-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-")
_swept = False


def make_profile_dir() -> Path:
    """A new empty folder for one runner's profiles (stale ones are swept first, once)."""
    global _swept
    if not _swept:
        _swept = True
        sweep_stale()
        atexit.register(remove_own)
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def _owner(path: Path) -> int | None:
    match = _NAME.match(path.name)
    return int(match.group(1)) if match else None


def sweep_stale(root: Path | None = None) -> list[Path]:
    """Remove the profile folders of processes that no longer run; returns them."""
    removed = []
    try:
        entries = list(Path(root or tempfile.gettempdir()).glob(PREFIX + "*"))
    except OSError:
        return removed
    for path in entries:
        pid = _owner(path)
        if pid is not None and pid != os.getpid() and path.is_dir() \
                and not psutil.pid_exists(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def remove_own(root: Path | None = None) -> None:
    """Remove this process's profile folders (at exit: runners still open included)."""
    try:
        for path in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}{os.getpid()}-*"):
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass
