"""The headless run's GUI heartbeat, on a clock the test moves by hand."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

import visualizer.ui.headless as headless


def test_heartbeat_measures_the_worst_stall(qapp, monkeypatch):
    """The worst stall is the longest gap between two ticks minus the tick interval."""
    now = [100.0]
    monkeypatch.setattr(headless, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    beat = headless.Heartbeat(interval_ms=5)
    beat.start()
    beat.stop()  # ticks are driven by hand below, not by the timer
    assert beat.max_stall_ms == 0.0
    for gap_ms in (5, 6, 42, 5, 12):  # one tick 37 ms late; later ones do not hide it
        now[0] += gap_ms / 1000
        beat._tick()
    assert beat.max_stall_ms == pytest.approx(37.0)
    now[0] += 1.0  # a second without the heartbeat running is no stall:
    beat.start()  # a restart measures from then, not from the last tick before it
    beat.stop()
    now[0] += 0.006
    beat._tick()
    assert beat.max_stall_ms == pytest.approx(37.0)
