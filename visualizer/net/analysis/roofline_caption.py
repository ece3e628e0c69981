"""Where each layer's point sits against the roofs, and the roofline caption in those words.

A point is *near* a roof when it lies within a factor NEAR of the roof line at its
intensity (log-log distance); of the roof pieces drawn there (the memory slope, the
in-cache slope, the flat compute roof), the nearest one names it. A point more than FAR
below every roof is *far below* them all: neither memory nor arithmetic limits that
layer, its kernel's efficiency and per-op overhead do; between NEAR and FAR below the
lowest roof it is *under* that roof, and more than NEAR above the memory roof but as far
below the in-cache one, *between* them. A point more than ABOVE over the highest roof
(the in-cache roofline) is *above* them: those roofs were measured too low.

Each layer's *fraction* is its achieved GMAC/s over its attainable roof, the in-cache
roofline min(compute roof, intensity × in-cache bandwidth) at its intensity.
Pure: the page, `bench` and the tests call the same functions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from visualizer.net.analysis.roofline import RooflinePoint, type_ranges

#: within this factor of a roof line (below or above) a point is near it
NEAR = 2.0
#: below every roof line by more than this factor, a point is far below them all
FAR = 4.0
#: a point this far above the highest roof is above them (the roofs are refused)
ABOVE = 0.10
WHERE = {"compute": "near the compute roof", "cache": "near the in-cache roof",
         "memory": "near the memory roof",
         "between": "between the memory and in-cache roofs",
         "under-compute": "2–4× under the compute roof",
         "under-cache": "2–4× under the in-cache roof",
         "under-memory": "2–4× under the memory roof",
         "far": "far below every roof", "above": "above the roofs"}
#: the order in which a type's placements are listed
ORDER = ("compute", "cache", "memory", "between", "under-compute", "under-cache",
         "under-memory", "far", "above")
TYPE_NAMES = {"conv": "Conv", "depthwise": "Depthwise", "pointwise": "Pointwise", "fc": "FC"}
BOUND_BY_KERNEL = ("bound by the kernel's efficiency and per-op overhead, not by memory "
                   "or arithmetic")


@dataclass(frozen=True)
class Placement:
    name: str
    type: str
    intensity: float
    gmacs_per_s: float
    attainable: float  # the in-cache roofline at its intensity (GMAC/s)
    where: str  # a key of WHERE

    @property
    def fraction(self) -> float:
        """Achieved over attainable (1.0 = on the roof)."""
        return self.gmacs_per_s / self.attainable


def roof_lines(intensity: float, peak_gmacs: float, bandwidth_gbs: float,
               cache_bandwidth_gbs: float) -> dict[str, float]:
    """The roof pieces drawn at `intensity` (GMAC/s): the flat compute roof, and each
    bandwidth slope where it is still below the compute roof."""
    lines = {"compute": peak_gmacs}
    for name, bw in (("memory", bandwidth_gbs), ("cache", cache_bandwidth_gbs)):
        if intensity * bw < peak_gmacs:
            lines[name] = intensity * bw
    return lines


def place(point: RooflinePoint, peak_gmacs: float, bandwidth_gbs: float,
          cache_bandwidth_gbs: float) -> Placement | None:
    """Where a timed point sits (None for a point without a speed)."""
    y = point.gmacs_per_s
    if y is None or y <= 0 or point.intensity <= 0:
        return None
    x = point.intensity
    top = min(peak_gmacs, x * max(bandwidth_gbs, cache_bandwidth_gbs))
    lines = roof_lines(x, peak_gmacs, bandwidth_gbs, cache_bandwidth_gbs)
    nearest = min(lines, key=lambda k: abs(math.log(y / lines[k])))
    distance = math.log(y / lines[nearest])
    if y > (1 + ABOVE) * top:
        where = "above"
    elif y * FAR < min(lines.values()):
        where = "far"
    elif abs(distance) <= math.log(NEAR):
        where = nearest
    elif y < min(lines.values()):  # below the lowest roof by NEAR to FAR
        where = f"under-{nearest}"
    else:  # well above the memory roof and well below the in-cache one
        where = "between"
    return Placement(point.name, point.type, x, y, top, where)


def placements(points: Sequence[RooflinePoint], peak_gmacs: float, bandwidth_gbs: float,
               cache_bandwidth_gbs: float) -> list[Placement]:
    out = [place(p, peak_gmacs, bandwidth_gbs, cache_bandwidth_gbs) for p in points]
    return [p for p in out if p is not None]


def above(points: Sequence[RooflinePoint], peak_gmacs: float, bandwidth_gbs: float,
          cache_bandwidth_gbs: float) -> list[str]:
    """Names of the layers that ran faster than the roofs allow."""
    return [p.name for p in placements(points, peak_gmacs, bandwidth_gbs,
                                       cache_bandwidth_gbs) if p.where == "above"]


def _span(lo: float, hi: float, fmt: str) -> str:
    a, b = f"{lo:{fmt}}", f"{hi:{fmt}}"
    return a if a == b else f"{a}–{b}"


def _intensity(lo: float, hi: float) -> str:
    fmt = ".2f" if hi < 2 else ".1f" if hi < 10 else ".0f"
    return _span(lo, hi, fmt)


def type_sentence(kind: str, places: list[Placement], intensities: tuple[float, float],
                  layers: int) -> str:
    """E.g. "Pointwise (13 layers, 5.3–28 MAC/byte): 9 near the compute roof, 4 near the
    in-cache roof (45–80 %)." (percent of the attainable roof)"""
    name = TYPE_NAMES.get(kind, kind.capitalize())
    head = (f"{name} ({layers} layer{'s' if layers != 1 else ''}, "
            f"{_intensity(*intensities)} MAC/byte)")
    if not places:
        return f"{head}: not timed yet."
    counts = {w: sum(p.where == w for p in places) for w in ORDER}
    if len(places) == 1:
        where = WHERE[places[0].where]
    elif max(counts.values()) == len(places):
        where = f"all {len(places)} {WHERE[places[0].where]}"
    else:
        where = ", ".join(f"{counts[w]} {WHERE[w]}" for w in ORDER if counts[w])
    fractions = [100 * p.fraction for p in places]
    return f"{head}: {where} ({_span(min(fractions), max(fractions), '.0f')} %)."


def caption(points: Sequence[RooflinePoint], peak_gmacs: float | None = None,
            bandwidth_gbs: float | None = None, cache_bandwidth_gbs: float | None = None,
            dtype: str = "float32") -> str:
    """The roofline caption: what the axes are, then per layer type where its points sit
    and what share of the attainable roof they reach (roofs None: not measured yet)."""
    text = (f"x: mult-adds per byte a layer must move at least (in {dtype}); y: GMAC/s it "
            "achieved; %: of its attainable roof (the in-cache roofline above it).")
    ranges = type_ranges(tuple(points))
    if any(v is None or v <= 0 for v in (peak_gmacs, bandwidth_gbs, cache_bandwidth_gbs)):
        spans = "; ".join(f"{TYPE_NAMES.get(t, t)} {_intensity(ranges[t].low, ranges[t].high)}"
                          for t in TYPE_NAMES if t in ranges)
        return f"{text} Mult-adds per byte: {spans}. The roofs of this computer are " \
               "being measured."
    assert peak_gmacs and bandwidth_gbs and cache_bandwidth_gbs
    placed = placements(points, peak_gmacs, bandwidth_gbs, cache_bandwidth_gbs)
    sentences, mostly_far = [], []
    for kind in (*TYPE_NAMES, *sorted(set(ranges) - set(TYPE_NAMES))):
        if kind not in ranges:
            continue
        r = ranges[kind]
        mine = [p for p in placed if p.type == kind]
        sentences.append(type_sentence(kind, mine, (r.low, r.high),
                                       sum(p.type == kind for p in points)))
        if mine and sum(p.where == "far" for p in mine) * 2 > len(mine):
            mostly_far.append(kind if kind != "fc" else "FC")
    if mostly_far and len(mostly_far) == len(ranges):
        sentences.append(f"Far below every roof, all these layers are {BOUND_BY_KERNEL}.")
    elif mostly_far:
        who = ", ".join(mostly_far[:-1]) + (" and " if len(mostly_far) > 1 else "") + \
            mostly_far[-1]
        sentences.append(f"Far below every roof, {who} layers are {BOUND_BY_KERNEL}.")
    elif any(p.where == "far" for p in placed):
        sentences.append(f"Far below every roof means {BOUND_BY_KERNEL}.")
    if any(p.where == "above" for p in placed):
        sentences.append("Points above the roofs mean the roofs were measured too low.")
    return " ".join([text, *sentences])
