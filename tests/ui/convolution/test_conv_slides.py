"""Slides that read from the back row: every text at least 2 % of the frame height, none
cut with "…", no scroll bar, an optional title, and a summary frame to end on."""
from __future__ import annotations

import math

import pytest

from visualizer.conv.animation import make_plan
from visualizer.conv.layer import LayerSpec
from visualizer.ui.convolution.frames import FrameRenderer, slide_report
from visualizer.ui.convolution.tab import presentation_view

SEED = LayerSpec()
WIDE = LayerSpec(height=7, width=7, channels=8, filters=12)


def render(tmp_path, spec, path, size, title=""):
    plan = make_plan(tmp_path / "a.mp4", spec, path, 8, size, title=title)
    return plan, FrameRenderer(plan, presentation_view)


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1920, 1080), (3840, 2160)])
@pytest.mark.parametrize("path", ["standard", "separable", "race"])
def test_text_is_large_none_is_cut_and_nothing_scrolls(qapp, tmp_path, size, path):
    plan, r = render(tmp_path, SEED, path, size, title="Why MobileNet is cheap")
    try:
        least = math.ceil(0.02 * r.layout_size[1])
        for position, summary in ((1, False), (plan.length // 2, False), (plan.length, True)):
            frame = r.frame(position, summary)
            assert frame.shape == (size[1], size[0], 3)
            report = slide_report(r.tab)
            assert report["min_text_px"] >= least, (position, report)
            assert report["elided"] == [] and report["scroll_bars"] == 0
        # the layout is the frame's shape: scaling to the frame keeps text at 2 %
        assert r.layout_size[0] * size[1] == pytest.approx(r.layout_size[1] * size[0], rel=0.01)
    finally:
        r.close()


@pytest.mark.parametrize("path", ["standard", "separable"])
def test_a_larger_layer_on_a_slide(qapp, tmp_path, path):
    plan, r = render(tmp_path, WIDE, path, (1280, 720))
    try:
        for position in (1, plan.length // 2, plan.length):
            r.frame(position)
            report = slide_report(r.tab)
            assert report["min_text_px"] >= 15 and not report["elided"]
            assert not report["scroll_bars"]
    finally:
        r.close()


def test_title_and_summary(qapp, tmp_path):
    plan, r = render(tmp_path, SEED, "race", (1280, 720), title="Why MobileNet is cheap")
    try:
        r.frame(10)
        assert r.tab.title.isVisible() and r.tab.title.text() == "Why MobileNet is cheap"
        assert not r.tab.summary
        last = r.frame(plan.length)
        summary = r.frame(plan.length, True)
        assert r.tab.summary and (summary != last).any()
        text = r.tab.phase.text() + "\n" + r.tab.detail.text()
        for words in ("82.64% fewer", "675", "3,888", "1/N + 1/k² = 1/16 + 1/9",
                      "finished at frame 25 of 144", "17.4 %"):
            assert words in text
    finally:
        r.close()
