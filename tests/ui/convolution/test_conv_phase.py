"""The phase is visible: highlight colours, a banner and a tick where pointwise starts."""
from __future__ import annotations

from PySide6.QtGui import QColor

from visualizer.ui.convolution.grid_cells import COLORS
from visualizer.ui.convolution.phase import PHASE_COLORS



def lit_kinds(view):
    return {b.highlight_kind for b in view.blocks if b.highlight}


def test_each_phase_has_its_colour_banner_and_highlights(tab):
    tab.set_path("separable")
    nd = 27  # seed example: 3 channels × 3×3 output cells
    tab.seek(5)
    assert tab.phase.phase == "depthwise"
    assert "phase 1 of 2 · depthwise · step 5 of 27: 3×3 filter 0 reads channel 0 only" in tab.phase.text()
    assert lit_kinds(tab.input_view) == lit_kinds(tab.weight_view) == {"depthwise"}
    tab.seek(nd + 2)
    assert tab.phase.phase == "pointwise" and "phase 2 of 2 · pointwise" in tab.phase.text()
    assert "pointwise · step 2 of 144" in tab.phase.text()
    assert lit_kinds(tab.input_view) == lit_kinds(tab.weight_view) == {"pointwise"}
    # the highlight colours are the tally's colours
    for kind in ("depthwise", "pointwise"):
        assert COLORS[kind].rgb() == QColor(PHASE_COLORS[kind]).rgb()
    tab.set_path("standard")
    tab.seek(3)
    assert tab.phase.phase == "standard" and lit_kinds(tab.input_view) == {"window"}
    tab.dims.set_values(channels=4, filters=8, groups=2)
    assert tab.phase.phase == "grouped" and "C_in/g = 2 channels" in tab.phase.text()
    tab.dims.set_values(channels=4, filters=4, groups=4)
    assert "C_in/g = 1 channel)" in tab.phase.text()  # singular


def test_the_scrub_bar_marks_where_pointwise_starts(tab):
    scrub = tab.transport.scrub
    assert scrub.marks == ()
    tab.set_path("separable")
    assert scrub.marks == ((27, PHASE_COLORS["pointwise"]),)
    x = scrub.mark_x(27)
    assert scrub.mark_x(0) < x < scrub.mark_x(scrub.maximum())
    img = scrub.grab().toImage()
    assert QColor(img.pixel(x, img.height() // 2)).rgb() == QColor(PHASE_COLORS["pointwise"]).rgb()
