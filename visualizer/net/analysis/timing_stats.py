"""The one statistic of every per-layer figure, and one account of a frame.

Every per-layer time the app shows or writes (the Live tab's chart, the Network tab, the
Float vs int8 page, the CSV/JSON exports, the headless --report and `bench`) comes from a
`LayerStats` window through `account()`: each row's trimmed mean with its spread (p25 to
p75) and n, and the whole frame with the remainder as a row of its own, so that the rows
add up to the total shown beside them.

Why rows are scaled. onnxruntime's profiler costs time of its own: a few microseconds per
node outside the kernels and, by disturbing the caches between nodes, more inside them
(a trivial node takes ~7 µs profiled against ~0.5 µs plain; a 0.25-128 frame runs
1.5-2× as long profiled). So the profiled frame is longer than a plain frame, and its
kernel times add up to more than a plain frame lasts. A frame's account is therefore the
profiled frame's own decomposition — each node group's kernel time plus the time outside
all kernels (`OVERHEAD`: thread hand-offs, memory planning, the profiler's bookkeeping) —
scaled by one factor so that it adds up to the plain frame's time (the statistic of the
frames that ran unprofiled beside them). The factor is shown with the figures; raw
(unscaled) times stay in the rows as `raw_ms`. Without plain frames the factor is 1.

Pure Python (no Qt), so tests check it against hand-made results.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Sequence

from visualizer.net.model.rates import gmacs_per_s
from visualizer.net.runtime.results import InferenceResult, LayerTiming

#: timed frames a figure rests on at most (the most recent ones)
WINDOW = 50
#: share of the values left out at each end by robust_ms
TRIM = 0.2
#: the row of each frame's time outside every kernel (the remainder of the account)
OVERHEAD = "overhead"
OVERHEAD_TIP = ("time of the frame outside every kernel: handing work to the threads and "
                "back, memory planning, and the profiler's own bookkeeping")


def statistic(window: int | None = WINDOW) -> str:
    """How the figures are computed, in words (exports and reports carry it)."""
    frames = "all timed frames" if window is None else \
        f"the last {window} timed frames at most"
    return (f"trimmed mean of {frames}: the fastest and slowest {TRIM:.0%} left out "
            "(at least one of each from 3 frames on); spread: 25th to 75th percentile; "
            "layer rows scaled to the plain frame (see `scale`)")


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


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """(25th, 75th) percentile, linearly interpolated (numpy's default)."""
    v = sorted(values)
    if not v:
        raise ValueError("no values")

    def at(q: float) -> float:
        pos = q * (len(v) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (v[hi] - v[lo]) * (pos - lo)

    return at(0.25), at(0.75)


@dataclass(frozen=True)
class Row:
    """One row of a frame's account: a node group (a paper layer, softmax, layout, other)
    or the overhead; times in ms, scaled to the plain frame."""
    name: str
    type: str
    macs: int
    ms: float
    p25: float
    p75: float
    n: int
    raw_ms: float  # as profiled, before scaling
    fused: bool = False  # no node of its own: the provider fused it into another's

    @property
    def gmacs_per_s(self) -> float | None:
        return gmacs_per_s(self.macs, self.ms)

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "macs": self.macs, "ms": self.ms,
                "p25_ms": self.p25, "p75_ms": self.p75, "n": self.n, "raw_ms": self.raw_ms,
                "fused": self.fused, "gmacs_per_s": self.gmacs_per_s}


@dataclass(frozen=True)
class Account:
    """One account of a frame: rows that add up to `frame_ms`."""
    rows: tuple[Row, ...]
    frame_ms: float  # the whole frame: the plain frames' statistic (else the profiled)
    frame_p25: float
    frame_p75: float
    plain_n: int  # plain frames behind frame_ms (0: it is the profiled frames')
    profiled_ms: float  # the profiled runs' own statistic (wall of the run call)
    scale: float  # frame_ms over the profiled frame's decomposition
    n: int  # timed (profiled) frames

    def ms(self) -> dict[str, float]:
        return {r.name: r.ms for r in self.rows}

    def row(self, name: str) -> Row | None:
        return next((r for r in self.rows if r.name == name), None)

    def conditions(self) -> str:
        """What the figures rest on, in a few words (under charts, in exports)."""
        whole = (f"whole frame {self.frame_ms:.2f} ms (p25–p75 {self.frame_p25:.2f}–"
                 f"{self.frame_p75:.2f}, {self.plain_n} plain frames)" if self.plain_n else
                 f"whole frame {self.frame_ms:.2f} ms (profiled frames only)")
        return (f"n = {self.n} timed frame{'s' * (self.n != 1)}; {whole}; profiled frame "
                f"{self.profiled_ms:.2f} ms, layers scaled ×{self.scale:.2f}")

    def summary(self) -> dict:
        """The frame's figures for exports and reports."""
        return {"frame_ms": self.frame_ms, "frame_p25_ms": self.frame_p25,
                "frame_p75_ms": self.frame_p75, "plain_frames": self.plain_n,
                "profiled_frame_ms": self.profiled_ms, "scale": self.scale,
                "timed_frames": self.n}


class LayerStats:
    """Per-layer times (ms per node group) of the most recent `window` timed frames, the
    profiled runs' wall times and the plain frames' times; `account()` turns them into
    one account of a frame. window=None keeps every frame."""

    def __init__(self, window: int | None = WINDOW, trim: float = TRIM) -> None:
        self.trim = trim
        self._frames: deque[dict[str, float]] = deque(maxlen=window)
        self._walls: deque[float] = deque(maxlen=window)  # profiled runs, ms
        self._plain: deque[float] = deque(maxlen=window)  # plain frames, ms
        self._info: dict[str, tuple[str, int]] = {}  # name -> (type, mult-adds)
        self.total = 0  # timed frames added since the last clear (the window may hold fewer)
        #: layers without a time of their own in the latest frame (fused by the provider)
        self.fused: frozenset[str] = frozenset()

    def add(self, result: InferenceResult) -> None:
        """Add one frame: a timed one (with per-layer times) or a plain one."""
        if result.layers:
            self.add_layers(result.layers, result.total_ms)
        else:
            self.add_plain(result.total_ms)

    def add_plain(self, ms: float) -> None:
        """A frame that ran unprofiled: `ms`, the wall time of its run."""
        if ms > 0:
            self._plain.append(ms)

    def add_layers(self, layers: Sequence[LayerTiming], wall_ms: float | None = None) -> None:
        """A timed frame: its node groups' kernel times and the profiled run's wall time
        (None: the kernels' sum, i.e. no overhead known)."""
        if not layers:
            return
        self.fused = frozenset(t.name for t in layers if t.fused)
        frame: dict[str, float] = {}
        for t in layers:
            frame[t.name] = frame.get(t.name, 0.0) + t.ms
            self._info.setdefault(t.name, (t.type, t.macs))
        kernels = sum(frame.values())
        frame[OVERHEAD] = max(0.0, (wall_ms or kernels) - kernels)
        self._info.setdefault(OVERHEAD, (OVERHEAD, 0))
        self._frames.append(frame)
        self._walls.append(wall_ms or kernels)
        self.total += 1

    def clear(self) -> None:
        self._frames.clear()
        self._walls.clear()
        self._plain.clear()
        self._info.clear()
        self.total = 0
        self.fused = frozenset()

    @property
    def frames(self) -> int:
        """n: the timed frames each figure rests on."""
        return len(self._frames)

    def account(self) -> Account | None:
        """The rows (network order, the overhead last), scaled to add up to the plain
        frame's statistic; None before the first timed frame. A node group missing from
        a timed frame took 0 ms in it."""
        if not self._frames:
            return None
        names = [n for n in self._info if n != OVERHEAD] + [OVERHEAD]
        samples = {n: [f.get(n, 0.0) for f in self._frames] for n in names}
        raw = {n: robust_ms(v, self.trim) for n, v in samples.items()}
        decomposed = sum(raw.values())
        profiled = robust_ms(self._walls, self.trim)
        if self._plain:
            frame_ms = robust_ms(self._plain, self.trim)
            f25, f75 = quartiles(self._plain)
        else:
            frame_ms, (f25, f75) = decomposed, quartiles(
                [sum(f.values()) for f in self._frames])
        scale = frame_ms / decomposed if decomposed > 0 else 1.0
        rows = []
        for n in names:
            kind, macs = self._info[n]
            q25, q75 = quartiles(samples[n])
            rows.append(Row(n, kind, macs, raw[n] * scale, q25 * scale, q75 * scale,
                            self.frames, raw[n], n in self.fused))
        return Account(tuple(rows), frame_ms, f25, f75, len(self._plain), profiled, scale,
                       self.frames)

    def ms(self) -> dict[str, float]:
        """Each row's figure (the account's), the overhead included; {} before timing."""
        account = self.account()
        return account.ms() if account else {}

    def rows(self) -> list[dict]:
        """The account's rows as dicts (exports, reports): name, type, macs, ms, p25_ms,
        p75_ms, n, raw_ms, fused, gmacs_per_s."""
        account = self.account()
        return [r.as_dict() for r in account.rows] if account else []

    def type_of(self, name: str) -> str:
        return self._info.get(name, ("other", 0))[0]


def unlike_twins(rows: Sequence[Row], shapes: dict[str, tuple]) -> list[str]:
    """Layers that do the same work as others (same type and shapes: `shapes` maps a
    layer name to its (type, input shape, output shape, stride)) but whose p25–p75
    range does not overlap that of the group's median layer: their figure says more
    about the moment it was measured than about the layer."""
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        key = shapes.get(r.name)
        if key is not None and r.n >= 3:
            groups.setdefault(key, []).append(r)
    flagged = []
    for group in groups.values():
        if len(group) < 2:
            continue
        mid = sorted(group, key=lambda r: r.ms)[len(group) // 2]
        flagged += [r.name for r in group
                    if r is not mid and (r.p25 > mid.p75 or r.p75 < mid.p25)]
    return flagged
