"""The preview (a hovered output cell's step, shown everywhere) and the listed page,
which belongs to one step's channels (no stale page)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from visualizer.conv.explorer import Explorer
from visualizer.conv.layer import LayerSpec


def test_a_page_of_pointwise_channels_does_not_outlive_its_step():
    """The issue's case: page the pointwise phase's channels, then seek back to a
    depthwise step: the listed channels were an empty range."""
    ex = Explorer(LayerSpec(height=6, width=6, channels=40, filters=4))
    ex.set_path("separable")
    nd = 40 * 16
    ex.seek(nd + 3)  # pointwise: 40 channels in pages of 16
    ex.page_channels(1)
    ex.page_channels(1)
    assert ex.channel_page == 2 and list(ex.shown_channels) == list(range(32, 40))
    ex.seek(5)  # a depthwise step: reads one channel
    assert ex.channel_page == 0
    assert list(ex.shown_channels) == [ex.current.in_channels[0]] == [0]
    ex.seek(nd + 4)  # steps reading the same channels share the page
    assert list(ex.shown_channels) == list(range(32, 40))


@given(st.lists(st.tuples(st.integers(0, 40 * 16 + 4 * 16), st.integers(-2, 2)), max_size=20))
@settings(max_examples=60, deadline=None)
def test_listed_channels_are_always_some_of_the_steps(moves):
    ex = Explorer(LayerSpec(height=6, width=6, channels=40, filters=4))
    ex.set_path("separable")
    for position, pages in moves:
        ex.seek(position)
        for _ in range(abs(pages)):
            ex.page_channels(1 if pages > 0 else -1)
        step = ex.operand_step
        shown = list(ex.shown_channels)
        assert shown and set(shown) <= set(step.in_channels)


def test_a_preview_shows_that_step_everywhere_without_moving():
    ex = Explorer()
    ex.seek(100)
    before = (ex.tally(), ex.filled("standard").copy())
    ex.trace = 9  # hovering the output cell of step 10
    assert ex.position == 100 and ex.view_position == 10
    assert ex.shown_step.index == 9 and ex.current.index == 99
    assert ex.tally().standard_done == 10 * 27
    assert np.count_nonzero(~np.isnan(ex.filled("standard"))) == 10
    ex.trace = None
    assert (ex.tally(), ) == (before[0], )
    np.testing.assert_array_equal(ex.filled("standard"), before[1])
