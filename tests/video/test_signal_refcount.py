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
    before = sys.getrefcount(True)
    for i in range(20_000):  # more than True's references in a fresh interpreter
        e.tick.emit(i)
    assert len(got) == 20_000
    after = sys.getrefcount(True)
    # a PySide6 without the bug keeps the count; with it, the guard made it huge
    assert after > before - 1_000 or after > 1 << 30
