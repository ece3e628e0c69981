"""The panels' fit: whole tensors at the largest cell size that fits, crops only at the
legible minimum, and never more than the space."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visualizer.conv.fit import Measure, Section, fit_row, window


def measure(cell_h: int) -> Measure:
    return Measure(round(cell_h * 1.45), cell_h, 14, 5, lambda text: 7 * len(text))


MEASURES = [measure(h) for h in range(30, 14, -1)]  # 30 px down to the minimum, 15


def used(fit, panels):
    """Width and height the fitted panels take, from their sections' own arithmetic."""
    m = fit.measure
    widths, heights = [], []
    for pf, secs in zip(fit.panels, panels):
        h = -m.gap
        w = 0
        for sf, s in zip(pf.sections, secs):
            bw, bh = m.block(s, sf.rows, sf.cols)
            lines = -(-sf.count // sf.per_row)
            w = max(w, sf.per_row * bw + (sf.per_row - 1) * m.gap)
            h += lines * bh + (lines - 1) * m.gap + m.gap
        widths.append(w)
        heights.append(h)
    return widths, heights


def test_whole_at_the_largest_cells_that_fit():
    panels = [[Section(3, 5, 5, "ch 2")], [Section(3, 3, 3, "ch 2")],
              [Section(16, 3, 3, "ch 15")]]
    roomy = fit_row(panels, 2000, 2000, MEASURES)
    assert roomy.measure.cell_h == 30
    tight = fit_row(panels, 700, 420, MEASURES)
    assert 15 < tight.measure.cell_h < 30
    for fit in (roomy, tight):
        assert all(not sf.cropped(s) for pf, p in zip(fit.panels, panels)
                   for sf, s in zip(pf.sections, p))
    # one cell larger would not fit whole: the fit took the largest
    bigger = [m for m in MEASURES if m.cell_h == tight.measure.cell_h + 1]
    crop = fit_row(panels, 700, 420, bigger)
    assert any(sf.cropped(s) for pf, p in zip(crop.panels, panels)
               for sf, s in zip(pf.sections, p))
    widths, heights = used(tight, panels)
    assert sum(widths) + 2 * tight.measure.gap * 2 <= 700 and max(heights) <= 420


def test_crops_only_below_the_minimum_and_keeps_the_listed_channels():
    panels = [[Section(16, 34, 34, "ch 15", keep=4, span=3)], [Section(16, 3, 3, "ch 15")],
              [Section(64, 32, 32, "ch 63")]]
    fit = fit_row(panels, 900, 500, MEASURES)
    assert fit.measure.cell_h == 15  # the legible minimum
    inp = fit.panels[0].sections[0]
    assert inp.cropped(panels[0][0]) and inp.count >= 4 and min(inp.rows, inp.cols) >= 3
    assert not fit.panels[1].sections[0].cropped(panels[1][0])  # what fits stays whole
    widths, heights = used(fit, panels)
    assert sum(widths) <= 900 and max(heights) <= 500


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)),
                         min_size=1, max_size=2), min_size=1, max_size=3),
       st.integers(300, 2000), st.integers(150, 1200))
def test_never_larger_than_the_space(shapes, width, height):
    panels = [[Section(c, r, k, f"ch {c}") for c, r, k in p] for p in shapes]
    fit = fit_row(panels, width, height, MEASURES)
    widths, heights = used(fit, panels)
    m = fit.measure
    fits_whole = all(not sf.cropped(s) for pf, p in zip(fit.panels, panels)
                     for sf, s in zip(pf.sections, p))
    if not fits_whole:
        assert m.cell_h == 15
    # a block too big even for one cell row or column is the only excuse to exceed
    for (w, h), p, pf in zip(zip(widths, heights), panels, fit.panels):
        if all(sf.rows > 1 and sf.cols > 1 for sf in pf.sections):
            assert h <= height
    if fits_whole:
        assert sum(widths) + 2 * m.gap * (len(panels) - 1) <= width


@pytest.mark.parametrize("size, focus, span, shown, low, expected", [
    (10, 4, 1, 3, 0, (3, 6)), (10, 0, 1, 3, 0, (0, 3)), (10, 9, 1, 3, 0, (7, 10)),
    (9, -1, 3, 4, -1, (-1, 3)), (16, 4, 4, 1, 0, (4, 5)), (5, 2, 1, 8, 0, (0, 5))])
def test_window_keeps_the_focus_in_view(size, focus, span, shown, low, expected):
    assert window(size, focus, span, shown, low) == expected
