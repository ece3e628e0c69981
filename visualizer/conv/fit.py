"""How much of each tensor the Convolution tab can draw whole: the fit of its panels.

A panel (input, weights or output) holds one or more sections, each a row-wrapped set of
equal blocks (one per channel, or per filter slice). The fit first tries to lay out every
block of every section in full, shrinking cells from their normal size down to a legible
minimum; only beyond that minimum does it crop: first the blocks that do not fit (keeping
each block whole), then, if one block is still too big, its rows and columns. It says how
many blocks and cells to show; which ones (around the step) is the caller's choice.

Pure arithmetic on sizes in pixels, no Qt: the caller measures its fonts (`Measure`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Section:
    """`count` blocks of rows × cols cells, titled at most as wide as `title`. When they
    must be cropped, at least `keep` blocks stay in view if their cells can be cut down
    to `span` × `span` (e.g. the channels a step's text lists, and its window)."""

    count: int
    rows: int
    cols: int
    title: str = ""
    keep: int = 1
    span: int = 1


@dataclass(frozen=True)
class Measure:
    """Pixel sizes at one cell size: a cell, a block title's height, the gap between blocks
    (and between panels), and a block title's width."""

    cell_w: int
    cell_h: int
    title_h: int
    gap: int
    title_w: Callable[[str], int]

    def block(self, s: Section, rows: int | None = None, cols: int | None = None
              ) -> tuple[int, int]:
        rows, cols = s.rows if rows is None else rows, s.cols if cols is None else cols
        # + 1: the grid's closing line
        return (max(cols * self.cell_w + 1, self.title_w(s.title) + 4),
                rows * self.cell_h + self.title_h + 1)


@dataclass(frozen=True)
class SectionFit:
    per_row: int  # blocks side by side
    count: int  # blocks shown (of Section.count)
    rows: int  # cell rows shown per block (of Section.rows)
    cols: int

    def cropped(self, s: Section) -> bool:
        return (self.count, self.rows, self.cols) != (s.count, s.rows, s.cols)


@dataclass(frozen=True)
class PanelFit:
    width: int
    sections: tuple[SectionFit, ...]


@dataclass(frozen=True)
class Fit:
    measure: Measure
    panels: tuple[PanelFit, ...]

    @property
    def cell(self) -> tuple[int, int]:
        return self.measure.cell_w, self.measure.cell_h


def _lines(n: int, k: int) -> int:
    return -(-n // k)


def section_height(s: Section, m: Measure, per_row: int, rows: int | None = None,
                   cols: int | None = None, count: int | None = None) -> int:
    _, bh = m.block(s, rows, cols)
    lines = _lines(s.count if count is None else count, per_row)
    return lines * bh + (lines - 1) * m.gap


def panel_height(sections: Sequence[Section], m: Measure, per_row: int) -> int:
    return (sum(section_height(s, m, min(per_row, s.count)) for s in sections)
            + (len(sections) - 1) * m.gap)


def panel_width(sections: Sequence[Section], m: Measure, per_row: int) -> int:
    out = 0
    for s in sections:
        k = min(per_row, s.count)
        bw, _ = m.block(s)
        out = max(out, k * bw + (k - 1) * m.gap)
    return out


def whole_width(sections: Sequence[Section], m: Measure, height: int) -> tuple[int, int] | None:
    """(width, blocks per row) of the narrowest whole layout no taller than `height`;
    None when even one row of blocks is taller."""
    most = max(s.count for s in sections)
    if panel_height(sections, m, most) > height:
        return None
    lo, hi = 1, most  # heights do not grow with the blocks per row: bisect the fewest
    while lo < hi:
        mid = (lo + hi) // 2
        if panel_height(sections, m, mid) <= height:
            hi = mid
        else:
            lo = mid + 1
    return panel_width(sections, m, lo), lo


def fit_row(panels: Sequence[Sequence[Section]], width: int, height: int,
            measures: Sequence[Measure], min_widths: Sequence[int] = ()) -> Fit:
    """Fit panels side by side in width × height. `measures` go from the normal cell size
    down to the legible minimum (the last); every panel is drawn whole at the largest
    measure where they all fit, else cropped at the minimum. A panel is at least as wide
    as its `min_widths` entry (e.g. its caption)."""
    mins = list(min_widths) + [0] * (len(panels) - len(min_widths))
    for m in measures:
        found = [whole_width(p, m, height) for p in panels]
        found = [None if f is None else (max(f[0], lo), f[1]) for f, lo in zip(found, mins)]
        if all(found):
            gaps = m.gap * 2 * (len(panels) - 1)
            if sum(w for w, _ in found) + gaps <= width:
                return Fit(m, tuple(
                    PanelFit(w, tuple(SectionFit(min(k, s.count), s.count, s.rows, s.cols)
                                      for s in p))
                    for p, (w, k) in zip(panels, found)))
    return _cropped(panels, width, height, measures[-1], mins)


def _cropped(panels, width: int, height: int, m: Measure, mins: Sequence[int]) -> Fit:
    """At the smallest cells: panels that fit whole within a fair share of the width get
    what they need, the others share the rest and show what fits of their sections."""
    room = max(len(panels), width - m.gap * 2 * (len(panels) - 1))
    need = {i: whole_width(p, m, height) for i, p in enumerate(panels)}
    need = {i: None if f is None else (max(f[0], mins[i]), f[1]) for i, f in need.items()}
    widths: dict[int, int] = {}
    pending = list(range(len(panels)))
    changed = True
    while changed and pending:
        changed = False
        share = (room - sum(widths.values())) // len(pending)
        for i in list(pending):
            if need[i] is not None and need[i][0] <= share:
                widths[i] = need[i][0]
                pending.remove(i)
                changed = True
    share = (room - sum(widths.values())) // max(1, len(pending))
    out = []
    for i, p in enumerate(panels):
        if i in widths:
            w, k = need[i]
            out.append(PanelFit(w, tuple(SectionFit(min(k, s.count), s.count, s.rows, s.cols)
                                         for s in p)))
        else:
            out.append(_crop_panel(p, max(share, mins[i], 1), height, m))
    return Fit(m, tuple(out))


def _crop_panel(sections: Sequence[Section], width: int, height: int, m: Measure) -> PanelFit:
    """What of each section fits in width × height: its height is shared in proportion to
    what each section needs (at least one block each), blocks are cut to what fits."""
    room = height - (len(sections) - 1) * m.gap
    needs = []
    for s in sections:
        bw, _ = m.block(s)
        k = max(1, min(s.count, (width + m.gap) // (bw + m.gap)))
        needs.append(section_height(s, m, k))
    total = sum(needs)
    fits = []
    for s, need in zip(sections, needs):
        h = room if len(sections) == 1 else max(m.title_h + m.cell_h, room * need // total)
        fits.append(_crop_section(s, width, h, m))
    return PanelFit(width, tuple(fits))


def _crop_section(s: Section, width: int, height: int, m: Measure) -> SectionFit:
    rows = max(1, min(s.rows, (height - m.title_h - 1) // m.cell_h))
    cols = max(1, min(s.cols, (width - 1) // m.cell_w))
    bw, bh = m.block(s, rows, cols)
    per_row = max(1, min(s.count, (width + m.gap) // (bw + m.gap)))
    lines = max(1, (height + m.gap) // (bh + m.gap))
    fit = SectionFit(per_row, max(1, min(s.count, per_row * lines)), rows, cols)
    keep = min(s.keep, s.count)
    if fit.count >= keep:
        return fit
    best = None  # cut the blocks smaller so that `keep` of them fit, their span whole
    for k in range(1, keep + 1):
        lines = -(-keep // k)
        rows = min(s.rows, ((height + m.gap) // lines - m.gap - m.title_h - 1) // m.cell_h)
        cols = min(s.cols, ((width + m.gap) // k - m.gap - 1) // m.cell_w)
        if rows >= min(s.span, s.rows) and cols >= min(s.span, s.cols) and \
                m.block(s, rows, cols)[0] * k + (k - 1) * m.gap <= width:
            if best is None or rows * cols > best.rows * best.cols:
                best = SectionFit(k, keep, rows, cols)
    return best or fit


def window(size: int, focus: int, span: int, shown: int, low: int = 0) -> tuple[int, int]:
    """[start, stop) of `shown` indices among low … low+size-1 that keeps focus …
    focus+span-1 in view (centred on it when the range is cropped)."""
    if shown >= size:
        return low, low + size
    # the span centred when it fits, else its first `shown` indices
    start = focus + span // 2 - shown // 2 if shown >= span else focus
    start = max(low, min(start, low + size - shown))
    return start, start + shown
