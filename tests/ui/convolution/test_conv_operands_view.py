"""The operands drawn are the operands used: input window, weights and the products text
show the same channels as the step's indices, at several sizes and in both phases."""
from __future__ import annotations

import numpy as np
import pytest


LAYERS = [
    dict(height=5, width=5, channels=3, filters=16),
    dict(height=32, width=32, channels=16, filters=64),
    dict(height=7, width=7, channels=8, filters=8, groups=4),
    dict(height=9, width=9, channels=6, filters=4, stride=2, padding=1),
]



def text_channels(tab) -> list[int]:
    """Channels whose products the step text lists (lines 'ch c: …' or 'ch a–b: …')."""
    out = []
    for line in tab.detail.text().split("\n")[1:]:
        head = line.split(":")[0]
        if "not listed" in line or not head.startswith("ch "):
            continue
        a, _, b = head[3:].partition("–")
        out += list(range(int(a), int(b or a) + 1))
    return out


def drawn_channels(view) -> list[int]:
    out = []
    for b in view.blocks:
        out += list(b.channels) if b.channels is not None else [b.channel]
    return out


def check(tab, page: int = 0) -> None:
    """The step text lists the page's products; the panels draw the step's operands:
    its input window (lit) on every channel it reads, greyed where it reads nothing, and
    its weights; the listed channels are always among those drawn."""
    ex = tab.explorer
    step = ex.current
    tab.explorer.channel_page = page
    tab.refresh()
    shown = list(ex.shown_channels)
    reads = set(step.in_channels)
    assert set(shown) <= reads
    assert text_channels(tab) == shown
    drawn_in, drawn_w = drawn_channels(tab.input_view), drawn_channels(tab.weight_view)
    assert set(shown) <= set(drawn_in) and set(shown) <= set(drawn_w)
    if step.path == "pointwise":
        (column,) = tab.input_view.blocks
        lo = column.channels.start - step.in_channels[0]
        np.testing.assert_array_equal(column.values[:, 0],
                                      step.window[lo:lo + len(column.channels), 0, 0])
        (weights,) = tab.weight_view.blocks
        np.testing.assert_array_equal(weights.values[:, 0],
                                      ex.example.pointwise_w[step.out_channel,
                                                             weights.channels, 0, 0])
        assert "Pointwise input" in tab.input_view.caption_label.text()
        return
    for b in tab.input_view.blocks:  # the window lit where read, the rest greyed
        assert b.greyed == (b.channel not in reads)
        if b.channel in reads:
            assert b.highlight == (step.in_y, step.in_x, step.kernel, step.kernel)
        else:
            assert b.highlight is None
    lit_w = [b for b in tab.weight_view.blocks if b.highlight]
    if step.path == "depthwise":  # every depthwise filter, the step's one lit
        assert [b.channel for b in lit_w] == [step.out_channel]
        for b in tab.weight_view.blocks:
            np.testing.assert_array_equal(b.values, ex.example.depthwise_w[b.channel, 0])
    else:  # the filter's slices, one per channel it reads
        assert set(drawn_w) <= reads and len(lit_w) == len(tab.weight_view.blocks)
        for b in tab.weight_view.blocks:
            np.testing.assert_array_equal(b.values,
                                          step.weights[b.channel - step.in_channels[0]])


@pytest.mark.parametrize("dims", LAYERS)
@pytest.mark.parametrize("path", ["standard", "separable"])
def test_operands_on_screen_match_the_step(tab, dims, path):
    tab.dims.set_values(**dims)
    tab.set_path(path)
    ex = tab.explorer
    positions = {1, 40 % ex.length + 1, ex.length // 2, ex.length}
    if path == "separable":  # the first pointwise step and the last depthwise one
        nd = len(ex.separable_steps.depthwise)
        positions |= {nd, nd + 1}
    for pos in sorted(positions):
        tab.seek(pos)
        from visualizer.conv.operands import channel_pages
        for page in range(channel_pages(ex.current)):
            check(tab, page)


def test_the_issues_case_32x32x16_step_40(tab):
    """Before: input ch 6–9 on screen, weights and products ch 0–2."""
    tab.dims.set_values(height=32, width=32, channels=16, filters=64)
    tab.seek(40)
    check(tab)
    assert drawn_channels(tab.weight_view) == list(range(16))  # the whole filter
    assert "lists channels 0–3 of the 16 channels it reads" in tab.pager_label.text()
    tab.page_channels(1)
    assert text_channels(tab) == [4, 5, 6, 7]
    assert {4, 5, 6, 7} <= set(drawn_channels(tab.input_view))
