"""The one statistic of every per-layer figure, and the shares of mult-adds and time.

Every per-layer time the app shows or writes (the Live tab's chart, the Network tab, the
CSV/JSON exports, the headless --report and `bench`) is `robust_ms` of the timed frames
in a `LayerStats` window, with the number of those frames (`n`) beside it.
Pure Python (no Qt), so tests check it against hand-made results.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Sequence

from visualizer.net.model.mobilenet import LAYER_TYPES, NetLayer
from visualizer.net.model.rates import gmacs_per_s
from visualizer.net.runtime.results import InferenceResult, LayerTiming

#: Types in the by-type views; "other" gathers softmax, layout changes and unassigned nodes.
SHARE_TYPES = LAYER_TYPES + ("other",)

#: timed frames a figure rests on at most (the most recent ones)
WINDOW = 50
#: share of the values left out at each end by robust_ms
TRIM = 0.2
#: timed frames needed before the Network tab writes its sentence about the shares
MIN_FRAMES = 5


def statistic(window: int | None = WINDOW) -> str:
    """How the figures are computed, in words (exports and reports carry it)."""
    frames = "all timed frames" if window is None else \
        f"the last {window} timed frames at most"
    return (f"trimmed mean of {frames}: the fastest and slowest {TRIM:.0%} left out "
            "(at least one of each from 3 frames on)")


def robust_ms(values: Sequence[float], trim: float = TRIM) -> float:
    """Mean of `values` without the lowest and highest `trim` share of them, and without at
    least the lowest and the highest one once there are 3 or more: a frame interrupted by
    another program (say 10× slower) never moves the figure, whatever the count."""
    v = sorted(values)
    if not v:
        raise ValueError("no values")
    cut = max(1, int(len(v) * trim)) if len(v) >= 3 else 0
    kept = v[cut:len(v) - cut]
    return sum(kept) / len(kept)


class LayerStats:
    """Per-layer times (ms per node group) of the most recent `window` timed frames, and
    their robust figure (`ms()`), in network order. window=None keeps every frame."""

    def __init__(self, window: int | None = WINDOW, trim: float = TRIM) -> None:
        self.trim = trim
        self._frames: deque[dict[str, float]] = deque(maxlen=window)
        self._info: dict[str, tuple[str, int]] = {}  # name -> (type, mult-adds)
        self.total = 0  # timed frames added since the last clear (the window may hold fewer)
        #: layers without a time of their own in the latest frame (fused by the provider)
        self.fused: frozenset[str] = frozenset()

    def add(self, result: InferenceResult) -> None:
        """Add one timed frame (a result without per-layer times is ignored)."""
        self.add_layers(result.layers)

    def add_layers(self, layers: Sequence[LayerTiming]) -> None:
        if layers:
            self.fused = frozenset(t.name for t in layers if t.fused)
        frame: dict[str, float] = {}
        for t in layers:
            frame[t.name] = frame.get(t.name, 0.0) + t.ms
            self._info.setdefault(t.name, (t.type, t.macs))
        if frame:
            self._frames.append(frame)
            self.total += 1

    def clear(self) -> None:
        self._frames.clear()
        self._info.clear()
        self.total = 0
        self.fused = frozenset()

    @property
    def frames(self) -> int:
        """n: the timed frames each figure rests on."""
        return len(self._frames)

    def ms(self) -> dict[str, float]:
        """robust_ms per node group (a group missing from a frame took 0 ms in it)."""
        if not self._frames:
            return {}
        return {n: robust_ms([f.get(n, 0.0) for f in self._frames], self.trim)
                for n in self._info}

    def rows(self) -> list[dict]:
        """One row per node group, in network order: name, type, macs, ms, n, gmacs_per_s."""
        n = self.frames
        rows = []
        for name, ms in self.ms().items():
            kind, macs = self._info[name]
            rows.append({"name": name, "type": kind, "macs": macs, "ms": ms, "n": n,
                         "gmacs_per_s": gmacs_per_s(macs, ms)})
        return rows

    def type_of(self, name: str) -> str:
        return self._info.get(name, ("other", 0))[0]


def matches(layers: tuple[NetLayer, ...], result: InferenceResult) -> bool:
    """True when the timed network is the one described by `layers` (same mult-adds)."""
    by_name = {l.name: l for l in layers}
    timed = [t for t in result.layers if t.name in by_name]
    return bool(timed) and all(by_name[t.name].macs == t.macs for t in timed)


@dataclass(frozen=True)
class TypeShare:
    type: str
    macs: int
    ms: float | None  # None before any timing
    macs_percent: float
    time_percent: float | None

    @property
    def gmacs_per_s(self) -> float | None:
        return gmacs_per_s(self.macs, self.ms)


def type_shares(layers: tuple[NetLayer, ...], mean_ms: dict[str, float],
                types: dict[str, str] | None = None) -> tuple[TypeShare, ...]:
    """Share of mult-adds and of measured time per layer type (time over all timed nodes)."""
    total_macs = sum(l.macs for l in layers) or 1
    total_ms = sum(mean_ms.values())
    names = {l.name: l.type for l in layers}
    ms_by_type: dict[str, float] = {}
    for name, ms in mean_ms.items():
        t = names.get(name) or (types or {}).get(name, "other")
        t = t if t in LAYER_TYPES else "other"
        ms_by_type[t] = ms_by_type.get(t, 0.0) + ms
    rows = []
    for t in SHARE_TYPES:
        macs = sum(l.macs for l in layers if l.type == t)
        present = any(l.type == t for l in layers) or t in ms_by_type
        if not present:
            continue
        ms = ms_by_type.get(t, 0.0) if total_ms > 0 else None
        rows.append(TypeShare(t, macs, ms, 100 * macs / total_macs,
                              100 * ms / total_ms if ms is not None else None))
    return tuple(rows)


def explain(shares: tuple[TypeShare, ...], frames: int | None = None) -> str:
    """One sentence on what the depthwise (and pointwise) shares mean, from the numbers.
    `frames`: the timed frames behind the times; below MIN_FRAMES the sentence waits."""
    by = {s.type: s for s in shares}
    dw, pw = by.get("depthwise"), by.get("pointwise")
    if dw is None:
        return "This network has no depthwise layers (all standard convolutions)."
    if dw.time_percent is None:
        return (f"Depthwise layers: {dw.macs_percent:.1f}% of the mult-adds. Profile the layers "
                f"(or run the live demo) to see their share of the time.")
    if frames is not None and frames < MIN_FRAMES:
        return (f"Depthwise layers: {dw.macs_percent:.1f}% of the mult-adds. Their share of "
                f"the time follows after {MIN_FRAMES} timed frames (n = {frames} so far).")
    text = (f"Depthwise layers: {dw.macs_percent:.1f}% of the mult-adds, "
            f"{dw.time_percent:.1f}% of the time")
    ratio = dw.time_percent / dw.macs_percent if dw.macs_percent else float("inf")
    if ratio >= 2:
        text += (f" ({ratio:.0f}× their arithmetic share) — they move a lot of memory for "
                 "little arithmetic, so they run far below the CPU's peak.")
    else:
        text += " — here they cost about what their arithmetic suggests."
    if pw is not None and pw.time_percent is not None:
        text += (f" Pointwise layers: {pw.macs_percent:.1f}% of the mult-adds, "
                 f"{pw.time_percent:.1f}% of the time.")
    return text


#: conv1's share of the time over its share of the mult-adds above which the note shows
FIRST_LAYER_RATIO = 2.0


def first_layer_note(layers: tuple[NetLayer, ...], mean_ms: dict[str, float],
                     live: bool) -> str:
    """Why conv1 looks slow for its arithmetic, when it does (else ""). The measurement is
    never altered; this only says what is in it."""
    conv1 = next((l for l in layers if l.name == "conv1" and l.type == "conv"), None)
    total_ms, total_macs = sum(mean_ms.values()), sum(l.macs for l in layers)
    if conv1 is None or conv1.name not in mean_ms or total_ms <= 0 or total_macs <= 0:
        return ""
    time_pct = 100 * mean_ms[conv1.name] / total_ms
    macs_pct = 100 * conv1.macs / total_macs
    if time_pct < FIRST_LAYER_RATIO * macs_pct:
        return ""
    text = (f"conv1: {time_pct:.1f}% of the time for {macs_pct:.1f}% of the mult-adds — its "
            "3 input channels fill the CPU's vector units poorly.")
    if live:
        text += (" Live frames also come after an idle gap, when the worker threads sleep "
                 "and the caches are cold, so the first layers (conv1, then pw1) take 2–4× "
                 "as long as back-to-back (compare: stop the demo, “Profile layers”).")
    return text
