"""The animation plan (no Qt, no encoder)."""
from __future__ import annotations

import pytest

from visualizer.conv.animation import AnimationError, make_plan, max_fps, parse_size
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


@pytest.mark.parametrize("name, fps, ok", [
    ("a.gif", 0.1, True), ("a.gif", 50, True), ("a.gif", 50.5, False), ("a.mp4", 60, True),
    ("a.mp4", 60.5, False), ("a.mp4", 0.09, False), ("a.gif", float("nan"), False),
    ("a.mp4", float("inf"), False), ("a.gif", 0, False), ("a.gif", -8, False),
])
def test_fps_bounds(tmp_path, name, fps, ok):
    """0.001 fps made a corrupt GIF (an OverflowError on its delay) and a 40-hour MP4."""
    if ok:
        assert make_plan(tmp_path / name, LayerSpec(), fps=fps).fps == fps
        assert max_fps(name) == (50.0 if name.endswith(".gif") else 60.0)
    else:
        with pytest.raises(AnimationError, match=r"fps .* is outside 0\.1 … (50 for a GIF|60)"):
            make_plan(tmp_path / name, LayerSpec(), fps=fps)
