"""FFmpeg's log level is set on the avutil that Qt Multimedia loaded."""
from __future__ import annotations

from visualizer.video.ffmpeg_log import AV_LOG_QUIET, ffmpeg_log_level, set_ffmpeg_log_level


def test_level_is_set_and_read_back(qapp):
    before = ffmpeg_log_level()
    assert before is not None  # PySide6 wheels ship avutil beside Qt
    try:
        assert set_ffmpeg_log_level(24)  # AV_LOG_WARNING
        assert ffmpeg_log_level() == 24
        assert set_ffmpeg_log_level(AV_LOG_QUIET)
        assert ffmpeg_log_level() == AV_LOG_QUIET
    finally:
        set_ffmpeg_log_level(before)
