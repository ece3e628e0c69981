from __future__ import annotations

import pytest

from live_fakes import write_video


@pytest.fixture(scope="session")
def square_video(tmp_path_factory):
    """64 frames, 320×240, 30 fps, h264 in mp4: a yellow square moving 4 px per frame."""
    return write_video(tmp_path_factory.mktemp("video") / "squares.mp4")


import visualizer.ui  # noqa: E402,F401 - applies the PySide6 6.12 refcount guard (see there)
