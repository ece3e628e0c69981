"""Whole tensors: every padding ring, every channel, the stride, and the groups.

Asserted on what the panels were given to paint (their blocks), at 1280×800."""
from __future__ import annotations

import pytest


LAYERS = {
    "seed": dict(height=5, width=5, channels=3, kernel=3, filters=16, stride=1, padding=0,
                 groups=1),
    "7x7 stride 2 pad 1": dict(height=7, width=7, channels=3, kernel=3, filters=16, stride=2,
                               padding=1, groups=1),
    "7x7x8, 12 filters": dict(height=7, width=7, channels=8, kernel=3, filters=12, stride=1,
                              padding=0, groups=1),
    "groups 2 on 8/8": dict(height=7, width=7, channels=8, kernel=3, filters=8, stride=1,
                            padding=0, groups=2),
    "groups 4 on 8/8": dict(height=7, width=7, channels=8, kernel=3, filters=8, stride=1,
                            padding=0, groups=4),
}


def extent(view):
    """{channel: drawn (y0, y1, x0, x1)} of a view's blocks."""
    return {b.channel: b.padded_range() for b in view.blocks}


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("path", ["standard", "separable"])
def test_every_tensor_is_drawn_whole_at_1280x800(tab, name, path):
    dims = LAYERS[name]
    tab.dims.set_values(**dims)
    tab.set_path(path)
    ex = tab.explorer
    s = ex.spec
    ho, wo, n = s.output_shape
    p = s.padding
    steps = [1, ex.length // 2, ex.length]
    if path == "separable":
        steps.append(s.channels * ho * wo)  # the last depthwise step
    for position in steps:
        tab.seek(position)
        step = ex.current
        outputs = [b for b in tab.output_view.blocks]
        if step.path == "pointwise":
            (column,) = tab.input_view.blocks
            assert list(column.channels) == list(range(s.channels))
        else:  # every channel, each with all its padding rings
            assert extent(tab.input_view) == {c: (-p, s.height + p, -p, s.width + p)
                                              for c in range(s.channels)}
        weights = extent(tab.weight_view)
        if step.path == "standard":
            assert weights == {c: (0, s.kernel, 0, s.kernel) for c in step.in_channels}
        elif step.path == "depthwise":
            assert weights == {c: (0, s.kernel, 0, s.kernel) for c in range(s.channels)}
        if path == "standard":
            assert [(b.channel, b.padded_range()) for b in outputs] == \
                [(c, (0, ho, 0, wo)) for c in range(n)]
        else:
            assert [(b.role, b.channel) for b in outputs] == \
                [("depthwise", c) for c in range(s.channels)] + \
                [("pointwise", c) for c in range(n)]
            assert all(b.padded_range() == (0, ho, 0, wo) for b in outputs)
        for panel in tab.panels.panels:  # nothing cropped: no overview
            assert panel.minimap.model is None and not panel.minimap.isVisible()


def test_a_tensor_too_large_is_cropped_around_the_step_with_an_overview(tab):
    tab.dims.set_values(height=32, width=32, channels=16, kernel=3, filters=64)
    tab.seek(500)
    step = tab.explorer.current
    inp, out = tab.panels.lanes[0][0], tab.panels.lanes[0][2]
    for panel in (inp, out):
        assert panel.minimap.isVisible() and panel.minimap.model is not None
    mini = inp.minimap.model
    r0, r1, c0, c1 = mini.shown
    assert (mini.rows, mini.cols) == (32, 32) and (r1 - r0, c1 - c0) != (32, 32)
    assert r0 <= step.in_y < step.in_y + 3 <= r1 and c0 <= step.in_x < step.in_x + 3 <= c1
    for b in inp.view.blocks:  # what is drawn is what the overview says
        assert b.padded_range() == (r0, r1, c0, c1)
    assert "rows" in mini.text() and "of 32×32" in mini.text()
    (strip,) = out.minimap.model.strips
    assert strip[0] == 64 and strip[1] <= step.out_channel < strip[2]
    assert [b.channel for b in out.view.blocks] == list(range(strip[1], strip[2]))


@pytest.mark.parametrize("groups", [1, 2, 4, 8])
def test_greyed_channels_are_those_outside_the_steps_group(tab, groups):
    tab.dims.set_values(height=6, width=6, channels=8, kernel=3, filters=8, groups=groups)
    ex = tab.explorer
    per = 8 // groups
    for position in range(1, ex.length + 1, 7):
        tab.seek(position)
        group = ex.current.out_channel // per  # filters of a group: per of them
        reads = set(range(group * per, (group + 1) * per))
        assert set(ex.current.in_channels) == reads
        greyed = {b.channel for b in tab.input_view.blocks if b.greyed}
        assert greyed == set(range(8)) - reads
        # the colour bands tie the group's input channels to its filter and outputs
        bands = {b.channel: b.band for b in tab.input_view.blocks}
        filter_band = {b.band for b in tab.weight_view.blocks}
        assert filter_band == {bands[c] for c in reads}
        outputs = {b.channel: b.band for b in tab.output_view.blocks}
        assert {outputs[f] for f in range(group * per, (group + 1) * per)} == filter_band
        assert len(set(bands.values())) == groups  # one colour per group


def test_depthwise_phase_greys_all_but_the_steps_channel(tab):
    tab.dims.set_values(height=6, width=6, channels=6, filters=4)
    tab.set_path("separable")
    tab.seek(6 * 16 - 2)  # the last depthwise steps: channel 5
    c = tab.explorer.current.out_channel
    assert {b.channel for b in tab.input_view.blocks if not b.greyed} == {c}
    assert {b.channel for b in tab.weight_view.blocks if not b.greyed} == {c}
    bands = {b.channel: b.band for b in tab.input_view.blocks}
    assert all(b.band == bands[b.channel] for b in tab.weight_view.blocks)


def test_the_stride_is_marked_where_windows_start_and_the_next_window(tab):
    tab.dims.set_values(**LAYERS["7x7 stride 2 pad 1"])
    tab.seek(2)  # step 2: output (0, 1); next (0, 2)
    s = tab.explorer.spec
    ho, wo, _ = s.output_shape
    block = tab.input_view.blocks[0]
    y0, y1, x0, x1 = block.padded_range()
    marked = {(y, x) for y in range(y0, y1) for x in range(x0, x1) if block.is_origin(y, x)}
    assert marked == {(oy * 2 - 1, ox * 2 - 1) for oy in range(ho) for ox in range(wo)}
    assert block.highlight == (-1, 1, 3, 3) and block.ghost == (-1, 3, 3, 3)
    tab.seek(4)  # the end of a row: the next window starts the next row
    assert tab.input_view.blocks[0].ghost == (1, -1, 3, 3)
    tab.seek(ho * wo)  # the last cell of a channel: no next window
    assert tab.input_view.blocks[0].ghost is None


def test_numbering_is_one_rule_everywhere(tab):
    tab.seek(41)
    step = tab.explorer.current
    assert (step.index, step.out_channel) == (40, 4)
    assert tab.phase.text().startswith("step 41 of 144")
    assert tab.detail.text().startswith("standard step 41 of 144: 27 products → "
                                        "output[ch 4, row 1, col 1]")
    assert tab.transport.position_label.text() == "step 41 of 144"
    assert tab.weight_view.caption_label.text().startswith("Filter 4 (0–15)")
    for w in (tab.phase, tab.detail, tab.pager_label, tab.input_view.caption_label):
        assert "Indices count from 0" in w.toolTip() or "indices from 0" in w.toolTip()
    tab.dims.set_values(channels=4, filters=8, groups=2)
    tab.seek(5)
    assert tab.detail.text().startswith("grouped (g=2) step 5 of")  # not "standard"
    assert "C_in/g = 2 channels" in tab.phase.text()
    tab.dims.set_values(channels=4, filters=4, groups=4)
    assert "C_in/g = 1 channel)" in tab.phase.text()


def test_a_large_layer_does_not_claim_done_tallies_at_step_0(tab):
    tab.dims.set_values(height=64, width=64, channels=64, kernel=3, filters=256, padding=1)
    text = tab.detail.text()
    assert "complete already" not in text and "whole-layer totals" in text
    assert tab.explorer.tally().standard_done == 0


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1920, 1080)])
def test_the_headline_is_in_view_without_scrolling(qtbot, size):
    from visualizer.ui.main_window import MainWindow

    window = MainWindow(first_tab="convolution")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    tab = window.page("convolution")
    viewport = tab.tally_scroll.viewport()
    qtbot.waitUntil(lambda: tab.tally.width() <= viewport.width())  # layouts settled
    assert tab.tally_scroll.verticalScrollBar().value() == 0
    for label in (tab.tally.reduction, tab.tally.versus):
        top_left = label.mapTo(viewport, label.rect().topLeft())
        bottom_right = label.mapTo(viewport, label.rect().bottomRight())
        assert viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right)
        inside = label.mapTo(window, label.rect().bottomRight())
        assert window.rect().contains(inside)
    assert "82.64% fewer" in tab.tally.reduction.text()
    assert "675" in tab.tally.versus.text() and "3,888" in tab.tally.versus.text()
    for w in (tab.phase, tab.pager_label):  # nothing cut with "…"
        assert not w.elided


@pytest.mark.parametrize("dims", [
    dict(height=1, width=1, channels=3, kernel=1, filters=4, stride=1, padding=0, groups=1),
    dict(height=4, width=9, channels=1, kernel=2, filters=1, stride=3, padding=1, groups=1),
    dict(height=6, width=5, channels=4, kernel=5, filters=8, stride=1, padding=2, groups=4),
    dict(height=10, width=3, channels=6, kernel=3, filters=12, stride=2, padding=0, groups=3),
])
@pytest.mark.parametrize("path", ["standard", "separable", "race"])
def test_unusual_layers_draw_inside_their_panels(tab, qtbot, dims, path):
    tab.dims.set_values(**dims)
    tab.set_path(path)
    ex = tab.explorer
    for position in sorted({0, 1, ex.length // 3, ex.length - 1, ex.length}):
        tab.seek(position)
        qtbot.wait(1)
        for panel in tab.panels.panels:
            assert panel.view.blocks
            assert panel.view.rect().contains(panel.view.content_rect())
            assert tab.panels.rect().contains(panel.view.geometry())
        assert ex.tally().standard_total == ex.costs.grouped
