"""GIF frames share a palette while it holds their colours; new colours get a new one;
a held frame (appended again) is stored once, as one frame of the summed duration."""
from __future__ import annotations

import imageio.v3 as iio
import numpy as np

from visualizer.conv.animation import make_plan
from visualizer.conv.layer import LayerSpec
from visualizer.io.animation_files import AnimationWriter


def frames():
    """Grey UI-like frames with a moving blue square, then a green one appears."""
    out = []
    for i in range(6):
        f = np.full((200, 320, 3), 236, np.uint8)
        f[20:60, 20 + 10 * i:60 + 10 * i] = (64, 160, 255)
        if i >= 3:  # a colour the first frames did not have
            f[100:180, 100:300] = (40, 160, 90)
        out.append(f)
    return out


def test_colours_survive_and_a_held_frame_is_one_frame(tmp_path):
    plan = make_plan(tmp_path / "a.gif", LayerSpec(), "standard", 10, (320, 200), hold=1)
    shown = frames()
    with AnimationWriter(plan) as writer:
        for f in shown:
            writer.append(f)
        for _ in range(plan.summary_frames):  # the summary, held: the same array again
            writer.append(shown[-1])
    back = iio.imread(plan.out, plugin="pillow", mode="RGB")
    assert back.shape[0] == 6  # the held copies merged into the last frame
    for a, b in zip(back, shown):
        assert np.abs(a.astype(int) - b).max() <= 12
    duration = iio.immeta(plan.out, plugin="pillow", index=5)["duration"]
    assert duration == (1 + plan.summary_frames) * 100
