"""Qt widgets of the window. Only this package (and video/) may import Qt.

Importing it applies `guard_none_refcount()`. pyproject.toml keeps PySide6 below 6.12 on
Python < 3.12; the guard protects an environment that has 6.12 anyway. PySide6 6.12.0
wheels drop one reference to
None on every call of a Qt method that returns nothing. From Python 3.12 on None is
immortal and nothing happens; on 3.10/3.11 None's count reaches zero after some
thousand calls and the interpreter aborts ("none_dealloc"). Likewise `Signal.emit()`
drops one reference to True on every call ("bool_dealloc"). The guard gives None, True
and False a huge reference count there, which is what 3.12 does by design.
"""
from __future__ import annotations

import sys


def guard_none_refcount() -> None:
    """Make None, True and False effectively immortal on CPython < 3.12 (no-op elsewhere;
    idempotent)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    from importlib import metadata

    try:
        major, minor = (int(v) for v in metadata.version("shiboken6").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return
    if (major, minor) < (6, 12):
        return
    import ctypes

    for obj in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: first field of PyObject
        if refcnt.value < 1 << 40:
            refcnt.value += 1 << 40


guard_none_refcount()
