"""Shares of mult-adds and of measured time per layer type, and the sentences written
from them (the Network tab's summary, the note on conv1)."""
from __future__ import annotations

from dataclasses import dataclass

from visualizer.net.analysis.timing_stats import OVERHEAD
from visualizer.net.model.mobilenet import LAYER_TYPES, NetLayer
from visualizer.net.model.rates import gmacs_per_s
from visualizer.net.runtime.results import InferenceResult

#: Types in the by-type views; "other" gathers softmax, layout changes and unassigned
#: nodes; "overhead" is the time outside every kernel (the account's row of that name), as
#: in the layer table, so both views split a frame alike.
SHARE_TYPES = LAYER_TYPES + ("other", OVERHEAD)
#: timed frames needed before the Network tab writes its sentence about the shares
MIN_FRAMES = 5


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
        t = OVERHEAD if name == OVERHEAD else t if t in LAYER_TYPES else "other"
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
