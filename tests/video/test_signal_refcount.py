"""Long live runs emit tens of thousands of signals: the refcount guard must hold."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import visualizer.ui  # noqa: F401 - the guard is applied on import


class _Emitter(QObject):
    tick = Signal(object)


def test_many_emits_do_not_exhaust_true():
    e = _Emitter()
    got = []
    e.tick.connect(got.append)
    for i in range(20_000):  # more than True's references in a fresh interpreter
        e.tick.emit(i)
    assert len(got) == 20_000
    assert sys.getrefcount(True) > 1_000_000  # guarded (or immortal on Python 3.12+)
