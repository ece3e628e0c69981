"""The animation plan and its atomic writer (no Qt)."""
from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest

from visualizer.conv.animation import (AnimationError, AnimationWriter, make_plan,
                                       parse_size)
from visualizer.conv.layer import LayerSpec


def frame(i, w=320, h=200):
    a = np.zeros((h, w, 3), np.uint8)
    a[:, : (i + 1) * 10] = 200
    return a


def test_plan_counts_frames_from_the_current_step(tmp_path):
    plan = make_plan(tmp_path / "a.gif", LayerSpec(), "standard", 8, (320, 200), start=100)
    assert list(plan.positions) == list(range(101, 145))
    plan = make_plan(tmp_path / "a.mp4", LayerSpec(), "separable", 8, (320, 200))
    assert len(plan.positions) == 171


@pytest.mark.parametrize("text, size", [("640x400", (640, 400)), ("1920×1080", (1920, 1080)),
                                        ("320X200", (320, 200))])
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_writer_renames_only_a_complete_file(tmp_path):
    plan = make_plan(tmp_path / "a.gif", LayerSpec(), "standard", 10, (320, 200))
    with AnimationWriter(plan) as w:
        for i in range(5):
            w.append(frame(i))
        assert not plan.out.exists() and w.tmp.parent == tmp_path  # same folder: atomic rename
    assert iio.improps(plan.out, plugin="pillow").shape == (5, 200, 320, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


@pytest.mark.parametrize("how", ["error", "cancel"])
def test_a_failed_or_cancelled_export_keeps_the_old_file(tmp_path, how):
    target = tmp_path / "a.gif"
    target.write_bytes(b"old")
    plan = make_plan(target, LayerSpec(), "standard", 10, (320, 200))
    with pytest.raises(RuntimeError) if how == "error" else _nothing():
        with AnimationWriter(plan) as w:
            w.append(frame(0))
            if how == "error":
                raise RuntimeError("disk full")
            w.cancel()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_frames_of_the_wrong_size_are_refused(tmp_path):
    plan = make_plan(tmp_path / "a.gif", LayerSpec(), "standard", 10, (320, 200))
    with pytest.raises(ValueError, match="uint8"), AnimationWriter(plan) as w:
        w.append(frame(0, 321, 200))
    assert list(tmp_path.iterdir()) == []


def test_gif_frame_limit(tmp_path):
    spec = LayerSpec(height=20, width=20, channels=4, filters=8)  # 8 × 18 × 18 = 2,592 steps
    with pytest.raises(AnimationError, match="too many frames for a GIF"):
        make_plan(tmp_path / "a.gif", spec)
    assert len(make_plan(tmp_path / "a.mp4", spec).positions) == 2592


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
