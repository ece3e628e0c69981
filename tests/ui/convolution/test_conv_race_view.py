"""The race in the tab: two lanes on one clock, columns filling, counters in step."""
from __future__ import annotations

import numpy as np
import pytest

from visualizer.conv.race import Race


def race_tab(tab):
    tab.set_path("race")
    assert tab.paths.checkedButton().text() == "Race"
    return tab.explorer


def test_two_lanes_with_synchronized_counters(tab):
    ex = race_tab(tab)
    race = ex.race
    assert tab.panels.race and all(h.isVisible() for h in tab.panels.headers)
    for frame in (1, 10, race.separable_finish, 60, race.length):
        tab.seek(frame)
        f = ex.race_frame()
        t = ex.tally()
        assert not any(r.idle for r in tab.tally.standard.rows)  # both sides are played
        if frame <= race.separable_finish:  # the same multiplications on both sides
            assert t.standard_done == t.separable_done == frame * race.per_standard
        else:  # separable has finished; standard goes on
            assert t.separable_done == t.separable_total
            assert t.standard_done == frame * race.per_standard
        std, sep = tab.panels.headers
        assert (std.done, std.total) == (t.standard_done, t.standard_total)
        assert (sep.done, sep.total) == (t.separable_done, t.separable_total)
        assert f"step {f.standard_steps} of 144" in std.text
        assert tab.transport.position_label.text() == f"frame {frame} of {race.length}"


def test_output_columns_fill_one_position_at_a_time(tab):
    ex = race_tab(tab)
    ho, wo, n = ex.spec.output_shape
    c = ex.spec.channels
    tab.seek(20)
    f = ex.race_frame()
    (std,) = tab.panels.lanes[0][1].view.blocks
    (sep,) = tab.panels.lanes[1][1].view.blocks
    # one cell per position: how many of its channels are computed
    expected_std = np.clip(f.standard_steps - np.arange(ho * wo) * n, 0, n).reshape(ho, wo)
    expected_sep = np.clip(f.separable_steps - np.arange(ho * wo) * (c + n), 0, c + n)
    np.testing.assert_array_equal(std.values, expected_std)
    np.testing.assert_array_equal(sep.values, expected_sep.reshape(ho, wo))
    assert std.bars == ((n, "#4670c8"),) and [k for k, _ in sep.bars] == [c, n]
    # and they agree with the computed output cells
    filled = ~np.isnan(ex.filled("standard"))
    np.testing.assert_array_equal(filled.sum(axis=0), expected_std)


def test_the_race_at_the_seeds_finish(tab):
    ex = race_tab(tab)
    tab.seek(Race(ex.spec).separable_finish)
    text = tab.detail.text()
    assert "separable: finished at frame 25" in text and "17.4 % of standard" in text
    assert "17.4 %" in tab.panels.headers[0].text
    assert tab.panels.headers[1].text.startswith("675 / 675 (100 %)")


def test_hovering_a_column_previews_the_frame_that_completes_it(tab):
    from test_conv_tracing import hover, leave

    ex = race_tab(tab)
    tab.seek(ex.length)
    view = tab.panels.lanes[1][1].view
    (block,) = view.blocks
    hover(view, view._cell_rect(block, 1, 2).center())
    frame = ex.race.frame_of_output("pointwise", ex.spec.filters - 1, 1, 2, 3)
    assert ex.trace == frame - 1 and ex.view_position == frame
    assert tab.phase.text().startswith(f"preview: race · frame {frame} of 144")
    leave(view)
    assert ex.trace is None


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1920, 1080)])
def test_race_lanes_fit(tab, qtbot, size):
    tab.resize(*size)
    race_tab(tab)
    tab.seek(30)
    qtbot.wait(1)
    for panel in tab.panels.panels:
        assert panel.view.rect().contains(panel.view.content_rect())
        assert tab.panels.rect().contains(panel.view.geometry())
        assert not panel.caption.elided
    a, b = tab.panels.lanes[0][0].view, tab.panels.lanes[1][0].view
    assert a.geometry().bottom() < tab.panels.headers[1].geometry().top() <= b.geometry().top()


def test_the_last_panel_of_a_lane_takes_the_width_left_over(tab, qtbot):
    # the issue: `used` (the number of panels) was reused for a pixel width, so the last
    # panel (the output columns) never got the spare width
    tab.resize(1920, 1080)
    race_tab(tab)
    tab.seek(30)
    qtbot.waitUntil(lambda: tab.panels.width() > 1300)  # laid out at this size
    width = tab.panels.width()
    for lane in tab.panels.lanes:
        inputs, columns = lane[0], lane[1]
        assert columns.fit is not None and lane[2].fit is None
        left = width - columns.view.geometry().x()
        assert left > columns.fit.width  # there is spare width at this size
        assert columns.view.geometry().width() == left
        assert columns.view.geometry().x() > inputs.view.geometry().right()
        assert columns.view.rect().contains(columns.view.content_rect())


def test_pointwise_frames_keep_the_separable_input_at_their_position(tab):
    # the issue: during a column's pointwise frames the separable lane drew the input as
    # at step 0 (crop and overview at the top-left, channel 0)
    tab.apply_dims({"height": 32, "width": 32})
    ex = race_tab(tab)
    ho, wo, _ = ex.spec.output_shape
    c, y, x = ex.spec.channels, ho - 4, wo - 4
    view, minimap = tab.panels.lanes[1][0].view, tab.panels.lanes[1][0].minimap

    def shown():
        return [b.drawn for b in view.blocks], minimap.model.shown

    first = (y * wo + x) * ex.race.column // ex.race.per_standard + 1  # this position's
    tab.seek(first)  # first frame: its depthwise steps, the input cropped around them
    st = ex.race_separable_step()
    assert (st.path, st.out_y, st.out_x) == ("depthwise", y, x)
    depthwise = shown()
    (a, b, c0, c1), = depthwise[0]
    assert a > 0 and c0 > 0 and a <= y and y + 3 <= b and c0 <= x and x + 3 <= c1
    pointwise = 0
    for frame in range(first + 1, first + ex.race.column // ex.race.per_standard + 1):
        tab.seek(frame)
        st = ex.race_separable_step()
        if (st.path, st.out_y, st.out_x) != ("pointwise", y, x):
            continue
        pointwise += 1
        assert shown() == depthwise  # not the top-left
        (block,) = view.blocks
        assert block.channel == c - 1 and block.highlight is None  # the last one read
    assert pointwise >= 2


def test_a_race_frame_builds_no_cell_pictures(tab, monkeypatch):
    # the issue: zoomed views got the fit's metrics, then the zoomed ones, every frame
    from visualizer.ui.convolution import grid_view

    race_tab(tab)
    tab.seek(30)
    for lane in tab.panels.lanes:  # the output columns are zoomed
        assert lane[1].view.metrics.cell_h > lane[0].view.metrics.cell_h
    built = []
    real = grid_view.CellPictures
    monkeypatch.setattr(grid_view, "CellPictures", lambda *a: built.append(a) or real(*a))
    for frame in (31, 32, 60):
        tab.seek(frame)
    assert built == []
