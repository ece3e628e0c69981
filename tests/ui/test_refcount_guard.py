"""The PySide6 6.12 refcount guard (visualizer/ui/__init__.py) makes None/True/False
effectively immortal where the buggy wheels are installed, and leaves them alone elsewhere."""
from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from importlib import metadata
real = metadata.version
metadata.version = lambda name: {version!r} if name == "shiboken6" else real(name)
before = {{id(o): sys.getrefcount(o) for o in (None, True, False)}}
import visualizer.ui as ui
ui.guard_none_refcount()  # a second call must not add again
print(*(sys.getrefcount(o) - before[id(o)] for o in (None, True, False)))
"""


def _deltas(version: str) -> list[int]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(version=version)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return [int(v) for v in out.split()]


@pytest.mark.skipif(sys.version_info >= (3, 12) or sys.implementation.name != "cpython",
                    reason="None/True/False are immortal from CPython 3.12 on: no guard needed")
def test_guard_makes_singletons_immortal_with_the_buggy_wheels():
    deltas = _deltas("6.12.0")
    assert all(d >= 1 << 40 for d in deltas), deltas
    assert all(d < 1 << 41 for d in deltas), f"applied twice: {deltas}"


def test_guard_leaves_singletons_alone_with_fixed_wheels():
    assert all(abs(d) < 1 << 20 for d in _deltas("6.11.3"))
