"""The operands on screen: one channel page shared by input, weights and products text."""
from __future__ import annotations

import numpy as np
import pytest

from visualizer.conv.explorer import Explorer
from visualizer.conv.layer import LayerSpec
from visualizer.conv.operands import channel_pages, channels_note, shown_channels
from visualizer.conv.step_text import describe_step


@pytest.mark.parametrize("spec", [
    LayerSpec(), LayerSpec(height=32, width=32, channels=16, filters=64),
    LayerSpec(height=7, width=7, channels=8, filters=8, groups=4),
    LayerSpec(height=9, width=9, channels=6, filters=4, stride=2, padding=1),
])
@pytest.mark.parametrize("path", ["standard", "separable"])
def test_pages_cover_each_steps_channels_exactly_once(spec, path):
    ex = Explorer(spec)
    ex.set_path(path)
    for i in np.linspace(0, ex.length - 1, 7).astype(int):
        step = ex.steps[int(i)]
        seen = []
        for page in range(channel_pages(step)):
            seen += list(shown_channels(step, page))
        assert seen == list(step.in_channels)


def _products_in_text(lines):
    """Every 'a·b' pair listed, as floats (parentheses and minus signs undone)."""
    out = []
    for line in lines:
        if "not listed" in line:
            continue
        terms = line.split(":", 1)[1].split("=")[0]
        for t in terms.split(" + "):
            a, b = t.strip().split("·")
            out.append((float(a.replace("−", "-")), float(b.strip("()").replace("−", "-"))))
    return out


@pytest.mark.parametrize("page", [0, 1, 3])
def test_text_lists_exactly_the_shown_channels_products_and_sums_the_rest(page):
    ex = Explorer(LayerSpec(height=6, width=6, channels=16, filters=4))
    ex.seek(5)
    ex.channel_page = page
    step, shown = ex.current, ex.shown_channels
    lines = describe_step(step, shown)
    lo = shown.start - step.in_channels[0]
    expected = [(float(a), float(b)) for a, b in zip(
        step.window[lo:lo + len(shown)].ravel(), step.weights[lo:lo + len(shown)].ravel())]
    assert _products_in_text(lines) == expected
    listed = [int(line.split(":")[0].split()[1]) for line in lines if "not listed" not in line]
    assert listed == list(shown)
    # the parts not shown are summed, and the last line's figure is the step's value
    assert float(lines[-1].split()[-1].replace("−", "-")) == pytest.approx(step.value)


def test_pointwise_text_lists_the_depth_column_on_screen():
    ex = Explorer(LayerSpec(height=8, width=8, channels=40, filters=4))
    ex.set_path("separable")
    ex.seek(40 * 36 + 3)
    step = ex.current
    assert step.path == "pointwise"
    ex.page_channels(1)
    shown = ex.shown_channels
    assert list(shown) == list(range(16, 32)) and channels_note(step, shown) == "channels 16–31 of 40"
    pairs = _products_in_text(describe_step(step, shown))
    assert pairs == [(float(a), float(b)) for a, b in zip(step.window[16:32, 0, 0],
                                                          step.weights[16:32, 0, 0])]


def test_page_is_clamped_and_resets_with_the_layer():
    ex = Explorer(LayerSpec(channels=10))
    ex.seek(1)
    for _ in range(5):
        ex.page_channels(1)
    assert list(ex.shown_channels) == [8, 9]
    ex.set_dims(channels=12)
    assert ex.channel_page == 0 and list(ex.shown_channels) == [0, 1, 2, 3]
