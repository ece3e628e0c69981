"""The animation plan (no Qt, no encoder)."""
from __future__ import annotations

import pytest

from visualizer.conv.animation import AnimationError, make_plan, parse_size
from visualizer.conv.layer import LayerSpec


def test_plan_counts_frames_from_the_current_step(tmp_path):
    plan = make_plan(tmp_path / "a.gif", LayerSpec(), "standard", 8, (320, 200), start=100)
    assert list(plan.positions) == list(range(101, 145))
    plan = make_plan(tmp_path / "a.mp4", LayerSpec(), "separable", 8, (320, 200))
    assert len(plan.positions) == 171


@pytest.mark.parametrize("text, size", [("640x400", (640, 400)), ("1920×1080", (1920, 1080)),
                                        ("320X200", (320, 200))])
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_gif_frame_limit(tmp_path):
    spec = LayerSpec(height=20, width=20, channels=4, filters=8)  # 8 × 18 × 18 = 2,592 steps
    with pytest.raises(AnimationError, match="too many frames for a GIF"):
        make_plan(tmp_path / "a.gif", spec)
    assert len(make_plan(tmp_path / "a.mp4", spec).positions) == 2592
