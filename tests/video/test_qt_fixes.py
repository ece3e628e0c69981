"""The PySide6 emit() refcount work-around keeps long live runs from aborting."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from visualizer import qt_fixes


class _Emitter(QObject):
    tick = Signal(object)


def test_many_emits_leave_true_safely_referenced():
    qt_fixes.apply()
    e = _Emitter()
    got = []
    e.tick.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(20_000):  # more emits than True has references in a fresh interpreter
        e.tick.emit(i)
    assert len(got) == 20_000
    # with the bug unpatched True would now be at before - 20000 (< 0: a fatal abort)
    assert sys.getrefcount(True) > 20_000 or sys.getrefcount(True) >= before
