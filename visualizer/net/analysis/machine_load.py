"""How busy the rest of the computer was while something was timed.

Other programs running on the cores a measurement uses slow it down: onnxruntime splits
each kernel over its intra-op threads and waits for the slowest, so one preempted thread
stalls the whole layer. So every timing can be watched: CPU time that other processes
(everything but this one) spent on this process's cores, over the same interval, read
with psutil from the operating system's counters (no per-process scan; a reading takes
about 0.1 ms).

`others_percent` is in percent of one core (140 = 1.4 cores busy on average), as `top`
shows it. A measurement is *contended* when what the others used leaves fewer free
cores than its threads need (with SLACK of tolerance): then its figures are inflated, and
the note says so. Time stolen by a hypervisor counts as other programs' time.

Pure parts (`load_between`, `MachineLoad`) take snapshots and can be tested with made-up
ones; `snapshot()` reads the machine and `LoadWatch` brackets a measurement.
"""
from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from typing import Callable

#: Cores of tolerance before other programs' use counts as moving the figures: counters
#: tick at 10 ms, and a program waking now and then costs a few percent at most.
SLACK = 0.25


@dataclass(frozen=True)
class CpuSnapshot:
    wall_s: float  # a monotonic clock
    busy_s: float  # CPU seconds all processes spent on the watched cores (not idle)
    own_s: float  # CPU seconds of this process (user + system)
    cores: int  # cores this process may run on
    physical: int = 0  # physical cores among them (0: unknown, taken as `cores`)


@dataclass(frozen=True)
class MachineLoad:
    """Other processes' CPU use during one measurement."""

    others_percent: float  # percent of one core, averaged over the interval
    cores: int  # cores this process may run on
    threads: int  # cores the measurement needed (its intra-op threads)
    seconds: float  # length of the interval

    @property
    def contended(self) -> bool:
        """True when other programs left fewer free cores than the measurement needed:
        its figures are inflated (and roofs measured then are too low)."""
        return self.others_percent / 100 > self.cores - self.threads + SLACK

    def note(self, what: str = "timing") -> str:
        """One line for charts and exports when the figures moved, else ""."""
        if not self.contended:
            return ""
        return (f"other programs used {self.others_percent:.0f} % CPU while {what} "
                f"({self.cores} cores, {self.threads} needed): figures inflated")

    def to_json(self) -> dict:
        return {"others_cpu_percent": round(self.others_percent, 1), "cores": self.cores,
                "threads": self.threads, "seconds": round(self.seconds, 3),
                "contended": self.contended}


def load_between(before: CpuSnapshot, after: CpuSnapshot,
                 threads: int | None = None) -> MachineLoad:
    """Other processes' CPU use between two snapshots; `threads`: the cores the timed
    work used (None: onnxruntime's default, one thread per physical core, so the
    snapshot's physical count where known, else every core)."""
    wall = after.wall_s - before.wall_s
    others = (after.busy_s - before.busy_s) - (after.own_s - before.own_s)
    cores = max(1, after.cores)
    percent = 100 * max(0.0, others) / wall if wall > 0 else 0.0
    # counters tick in 10 ms steps: never more than every core
    percent = min(percent, 100.0 * cores)
    default = min(after.physical, cores) if after.physical > 0 else cores
    need = default if threads is None else max(1, min(int(threads), cores))
    return MachineLoad(percent, cores, need, max(0.0, wall))


def combined(loads: list[MachineLoad]) -> MachineLoad | None:
    """One load for several intervals (their time-weighted mean); None for none."""
    if not loads:
        return None
    total = sum(l.seconds for l in loads)
    if total <= 0:
        return loads[-1]
    percent = sum(l.others_percent * l.seconds for l in loads) / total
    return MachineLoad(percent, loads[-1].cores, loads[-1].threads, total)


def _cores() -> list[int] | None:
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


@functools.cache
def _physical_cores() -> int:
    """Physical cores this process may use (read once: the topology does not change)."""
    from visualizer.net.runtime.sessions import core_counts

    return core_counts()[1]


def snapshot() -> CpuSnapshot | None:
    """The machine's counters now, or None where psutil cannot read them."""
    try:
        import psutil

        per_cpu = psutil.cpu_times(percpu=True)
        own = psutil.Process().cpu_times()
    except Exception:  # an unusual platform, or counters hidden from this process
        return None
    allowed = _cores()
    if allowed and max(allowed) < len(per_cpu):
        per_cpu = [per_cpu[i] for i in allowed]
    busy = 0.0
    for t in per_cpu:
        fields = t._asdict()
        total = sum(fields.values()) - fields.get("guest", 0.0) - fields.get("guest_nice", 0.0)
        busy += total - fields.get("idle", 0.0) - fields.get("iowait", 0.0)
    try:
        physical = min(len(per_cpu), _physical_cores())
    except Exception:  # counts unreadable: treat every core as needed
        physical = 0
    return CpuSnapshot(time.monotonic(), busy, own.user + own.system, len(per_cpu),
                       physical)


class LoadWatch:
    """Brackets a measurement: `LoadWatch(threads)` starts watching, `stop()` gives the
    MachineLoad of the interval (None where the counters cannot be read)."""

    def __init__(self, threads: int | None = None,
                 read: Callable[[], CpuSnapshot | None] = snapshot) -> None:
        self.threads, self._read = threads, read
        self._start = read()

    def stop(self) -> MachineLoad | None:
        end = self._read()
        if self._start is None or end is None:
            return None
        return load_between(self._start, end, self.threads)
