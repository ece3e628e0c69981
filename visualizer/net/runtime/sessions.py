"""onnxruntime session settings shared by the runner and the probes, and the count of
live users of the cores.

Spinning: intra-op threads spin while a run is in progress and stop after it
(session.force_spinning_stop), so idle sessions never steal the cores; when another
runner is live in this process, new sessions do not spin at all, since two sessions
spinning at once on two cores slow each other down many times over.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnxruntime as ort


CPU = "CPUExecutionProvider"
PROVIDERS = [CPU]  # the default, and what the roof calibration always uses
_provider = CPU  # chosen by the user (set_provider): for sessions created from then on


def available_providers() -> list[str]:
    """What this onnxruntime build offers (CPU always; GPU builds add e.g. CUDA)."""
    import onnxruntime as ort

    return list(ort.get_available_providers())


def set_provider(name: str) -> None:
    """Run the sessions created from now on (next model load, profile, probe) on `name`,
    with the CPU provider for the nodes it does not take. Raises ValueError for a
    provider this build does not have."""
    global _provider
    if name not in available_providers():
        raise ValueError(f"execution provider {name!r} is not available; this onnxruntime "
                         f"offers {', '.join(available_providers())}")
    _provider = name


def current_provider() -> str:
    return _provider


def providers() -> list[str]:
    """The providers list for a new session: the chosen one, then the CPU fallback."""
    return [_provider] if _provider == CPU else [_provider, CPU]

_live_lock = threading.Lock()
_live = 0  # runners (and latency measurements) alive in this process


def enter_live() -> int:
    """Register a live user of the cores; returns how many others were live."""
    global _live
    with _live_lock:
        _live += 1
        return _live - 1


def leave_live() -> None:
    global _live
    with _live_lock:
        _live = max(0, _live - 1)


def session_options(threads: int | None, spin: bool) -> "ort.SessionOptions":
    import onnxruntime as ort

    o = ort.SessionOptions()
    if threads:
        o.intra_op_num_threads = int(threads)
    o.log_severity_level = 3  # no warnings on stderr
    o.add_session_config_entry("session.force_spinning_stop", "1")
    if not spin:
        o.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return o


def core_counts() -> tuple[int, int]:
    """(logical, physical): the logical cores this process may run on (its affinity) and
    the physical cores, counted at most as many as those."""
    import psutil

    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return usable, min(usable, psutil.cpu_count(logical=False) or usable)


def live_threads(logical: int | None = None, physical: int | None = None) -> int:
    """onnxruntime's intra-op threads for the live demo: the physical cores left once one
    is kept for decoding, preparing and drawing the frames (at least 1). Spinning threads
    that share a core with the frame converter and the window slow all of them down.
    Counts not given are core_counts()'s."""
    if logical is None or physical is None:
        usable, cores = core_counts()
        logical = logical or usable
        physical = physical or cores
    return max(1, min(physical, logical - 1))
