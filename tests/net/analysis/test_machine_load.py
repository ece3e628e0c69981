"""Other programs' CPU use while timing: made-up counter snapshots, and one real reading."""
from __future__ import annotations

import pytest

from visualizer.net.analysis.machine_load import (CpuSnapshot, LoadWatch, MachineLoad,
                                                  combined, load_between, snapshot)


def snap(wall: float, busy: float, own: float, cores: int = 2) -> CpuSnapshot:
    return CpuSnapshot(wall, busy, own, cores)


def test_others_are_all_busy_time_but_this_process():
    # 2 s; the cores were busy 3.4 s in all, 0.6 s of it this process: others 2.8 s / 2 s
    load = load_between(snap(10, 100, 5), snap(12, 103.4, 5.6), threads=1)
    assert load.others_percent == pytest.approx(140.0)
    assert load.seconds == pytest.approx(2.0) and load.cores == 2 and load.threads == 1
    assert load.cores - load.others_percent / 100 == pytest.approx(0.6)  # cores left free


@pytest.mark.parametrize("others,cores,threads,contended", [
    (0.0, 2, 2, False),  # quiet
    (20.0, 2, 2, False),  # a program waking now and then: within SLACK
    (40.0, 2, 2, True),  # two threads need both cores
    (100.0, 2, 1, False),  # a busy loop on the other core leaves one free for one thread
    (140.0, 2, 1, True),  # the case: less than one core left
    (100.0, 8, 4, False),
    (500.0, 8, 4, True),
    (30.0, 1, 1, True),
])
def test_contended_when_others_leave_fewer_free_cores_than_the_threads(
        others, cores, threads, contended):
    wall = 2.0
    load = load_between(snap(0, 0, 0, cores), snap(wall, others / 100 * wall, 0, cores),
                        threads)
    assert load.contended is contended
    note = load.note()
    assert bool(note) is contended
    if contended:
        assert f"other programs used {others:.0f} % CPU while timing" in note
        assert "figures inflated" in note


def test_threads_none_means_every_core_and_counts_are_bounded():
    load = load_between(snap(0, 0, 0, 4), snap(1, 0.5, 0, 4))
    assert load.threads == 4 and load.contended  # 0.5 core busy: all 4 were needed
    assert load_between(snap(0, 0, 0, 2), snap(1, 5, 0, 2), 8).threads == 2
    # counters tick in steps: never more than every core, never below 0
    assert load_between(snap(0, 0, 0, 2), snap(1, 2.1, 0, 2)).others_percent == 200.0
    assert load_between(snap(0, 0, 0, 2), snap(1, 0.1, 0.3, 2)).others_percent == 0.0
    assert load_between(snap(1, 0, 0), snap(1, 1, 0)).others_percent == 0.0  # no time


def test_threads_none_needs_the_physical_cores_as_onnxruntime_uses_one_per_core():
    # 8 logical cores, 4 physical: onnxruntime's default runs 4 threads, so another
    # program using one core leaves enough free
    quiet = load_between(CpuSnapshot(0, 0, 0, 8, 4), CpuSnapshot(1, 1.0, 0, 8, 4))
    assert quiet.threads == 4 and not quiet.contended
    busy = load_between(CpuSnapshot(0, 0, 0, 8, 4), CpuSnapshot(1, 4.5, 0, 8, 4))
    assert busy.threads == 4 and busy.contended
    # a physical count above the usable cores is capped; given threads win
    assert load_between(CpuSnapshot(0, 0, 0, 2, 6), CpuSnapshot(1, 0, 0, 2, 6)).threads == 2
    assert load_between(CpuSnapshot(0, 0, 0, 8, 4), CpuSnapshot(1, 0, 0, 8, 4), 6).threads == 6


def test_combined_weights_each_interval_by_its_length():
    a = MachineLoad(0.0, 2, 1, 3.0)
    b = MachineLoad(200.0, 2, 1, 1.0)
    both = combined([a, b])
    assert both.others_percent == pytest.approx(50.0) and both.seconds == 4.0
    assert combined([]) is None
    assert both.to_json() == {"others_cpu_percent": 50.0, "cores": 2, "threads": 1,
                              "seconds": 4.0, "contended": False}


def test_a_watch_brackets_the_measurement_with_two_readings():
    readings = iter([snap(0, 10, 1), snap(2, 13, 1.2)])
    load = LoadWatch(2, read=lambda: next(readings)).stop()
    assert load.others_percent == pytest.approx(140.0) and load.contended
    assert LoadWatch(1, read=lambda: None).stop() is None  # counters not readable


def test_this_machine_can_be_read():
    s = snapshot()
    assert s is not None and s.cores >= 1 and s.busy_s > 0 and s.own_s > 0
    assert 0 <= s.physical <= s.cores
