"""Work-around for a reference-count bug of PySide6 6.12.0's SignalInstance.emit().

emit() returns Py_True without taking a reference, so every signal emitted from Python
(our own and pyqtgraph's) takes one reference from True. After a few thousand emits -
a minute or two of live video - CPython aborts with "Fatal Python error: bool_dealloc".
Python 3.12+ makes True immortal, so nothing happens there. On 3.10/3.11, `apply()`
detects the bug with a probe signal and, only then, gives True the same protection by
raising its reference count far beyond what any run can use up (True is never freed
anyway). Call it once Qt is imported: the launcher and the live pipeline do.
"""
from __future__ import annotations

import ctypes
import sys

_RESERVE = 1 << 40
_applied = False


def emit_leaks_true() -> bool:
    """True when emitting a Python signal drops a reference to True (the 6.12.0 bug)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(20):
        probe.ping.emit()
    leaked = before - sys.getrefcount(True) >= 20
    if leaked:  # give back what the probe took
        ctypes.pythonapi.Py_IncRef.argtypes = [ctypes.py_object]
        for _ in range(20):
            ctypes.pythonapi.Py_IncRef(True)
    return leaked


def apply() -> bool:
    """Protect True from the leak if this PySide6 has it; returns whether it did."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return _applied
    if emit_leaks_true():
        refcnt = ctypes.c_ssize_t.from_address(id(True))
        refcnt.value += _RESERVE
        _applied = True
    return _applied
