"""Sizes of the Convolution tab's text and cells, from one scale (window × zoom) and, on
slides, a smallest text size (2 % of the frame height: readable from the back row).

Fonts are set in pixels so a frame of a given size looks the same on any screen.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QFont, QFontMetrics

from visualizer.conv.fit import Measure

#: Body text at scale 1, in pixels; other roles are ratios of it.
BODY_PX = 12.5
RATIOS = {"body": 1.0, "small": 0.88, "mono": 0.95, "headline": 1.5, "big": 1.15}
#: Cells at scale 1 (GridView's normal size); numbers use ~0.57 of the cell height.
CELL_H, CELL_RATIO, NUMBER_RATIO = 22, 1.35, 0.57
#: Cells shrink to fit whole tensors down to this height at most (at scale 1: legible),
#: and grow into spare room up to GROW times their normal size.
MIN_CELL_H, GROW = 15, 1.35
#: Slides: no text smaller than this share of the frame height.
SLIDE_TEXT_SHARE = 0.02


def pixel_font(px: int, bold: bool = False, mono: bool = False) -> QFont:
    font = QFont("monospace") if mono else QFont()
    if mono:
        font.setStyleHint(QFont.Monospace)
    font.setPixelSize(max(1, int(px)))
    font.setBold(bold)
    return font


@dataclass(frozen=True)
class TextSizes:
    """Pixel sizes of each text role at `scale`, never below `min_px`."""

    scale: float = 1.0
    min_px: int = 0

    def px(self, role: str) -> int:
        return max(self.min_px, round(BODY_PX * self.scale * RATIOS[role]))

    def font(self, role: str, bold: bool = False, mono: bool = False) -> QFont:
        return pixel_font(self.px(role), bold, mono or role == "mono")

    @classmethod
    def for_slide(cls, frame_height: int, scale: float = 1.0) -> "TextSizes":
        return cls(scale, math.ceil(SLIDE_TEXT_SHARE * frame_height))


@dataclass(frozen=True)
class CellMetrics:
    cell_w: int
    cell_h: int
    number_px: int
    small_px: int
    title_px: int
    title_h: int
    gap: int


@lru_cache(maxsize=256)
def cell_metrics(cell_h: int, min_px: int = 0, widest: str = "") -> CellMetrics:
    """Cells `cell_h` high; numbers (and titles) never below `min_px`; wide enough for the
    text `widest` (e.g. '−0.57') at the number font."""
    number = max(round(NUMBER_RATIO * cell_h), min_px)
    small = max(round(0.82 * number), min_px)
    title = max(round(0.55 * cell_h), min_px)
    title_h = round(title * 1.3) + max(3, round(title / 4))
    width = round(cell_h * CELL_RATIO)
    if widest:
        width = max(width, QFontMetrics(pixel_font(number)).horizontalAdvance(widest) + 6)
    return CellMetrics(width, cell_h, number, small, title, title_h, max(4, round(cell_h * 0.35)))


def cell_heights(sizes: TextSizes) -> list[int]:
    """Cell heights to try, largest first: a little above the normal size at this scale
    down to the legible minimum (on slides: the height whose numbers meet the smallest
    text size)."""
    normal = CELL_H * sizes.scale
    top, low = round(normal * GROW), max(MIN_CELL_H, round(0.68 * normal))
    if sizes.min_px:
        low = max(low, math.ceil(sizes.min_px / NUMBER_RATIO))
        top = max(top, low)
    return list(range(top, low - 1, -1))


@lru_cache(maxsize=256)
def measure(cell_h: int, min_px: int = 0, widest: str = "") -> Measure:
    """The fit's view of cells `cell_h` high (see conv/fit.py)."""
    m = cell_metrics(cell_h, min_px, widest)
    metrics = QFontMetrics(pixel_font(m.title_px))
    widths: dict[str, int] = {}

    def title_w(text: str) -> int:
        if text not in widths:
            widths[text] = metrics.horizontalAdvance(text)
        return widths[text]

    return Measure(m.cell_w, m.cell_h, m.title_h, m.gap, title_w)
