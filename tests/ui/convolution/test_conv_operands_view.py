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
        if "not shown" in line or not head.startswith("ch "):
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
    ex = tab.explorer
    step = ex.current
    tab.explorer.channel_page = page
    tab.refresh()
    shown = list(ex.shown_channels)
    assert set(shown) <= set(step.in_channels)
    assert drawn_channels(tab.input_view) == shown
    assert drawn_channels(tab.weight_view) == shown
    assert text_channels(tab) == shown
    if step.path == "pointwise":
        (column,) = tab.input_view.blocks
        lo = shown[0] - step.in_channels[0]
        np.testing.assert_array_equal(column.values[:, 0], step.window[lo:lo + len(shown), 0, 0])
        (weights,) = tab.weight_view.blocks
        np.testing.assert_array_equal(weights.values[:, 0],
                                      ex.example.pointwise_w[step.out_channel, shown, 0, 0])
        assert "Pointwise input" in tab.input_view.caption_label.text()
    else:
        for b in tab.input_view.blocks:  # the highlighted window is the step's window
            y0, x0 = step.in_y, step.in_x
            assert b.highlight == (y0, x0, step.kernel, step.kernel)
    for b in tab.weight_view.blocks:
        w = step.weights[b.channel - step.in_channels[0]] if b.channel is not None else None
        if w is not None:
            np.testing.assert_array_equal(b.values, w)


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
    assert drawn_channels(tab.input_view) == [0, 1, 2, 3]
    assert "channels 0–3 of 16" in tab.pager_label.text()
    tab.page_channels(1)
    assert drawn_channels(tab.input_view) == drawn_channels(tab.weight_view) == [4, 5, 6, 7]
    assert text_channels(tab) == [4, 5, 6, 7]
