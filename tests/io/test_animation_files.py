"""The animation file writer: a complete file or none, never a temporary one left."""
from __future__ import annotations

import errno
import os
import sys

import imageio.v3 as iio
import numpy as np
import pytest

from visualizer.conv.animation import make_plan
from visualizer.conv.layer import LayerSpec
from visualizer.io.animation_files import AnimationWriter


def frame(i, w=320, h=200):
    a = np.zeros((h, w, 3), np.uint8)
    a[:, : (i + 1) * 10] = 200
    return a



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


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("fmt", [".gif", ".mp4"])
def test_an_encoder_failing_at_close_leaves_nothing(tmp_path, monkeypatch, fmt):
    """A full disk shows when the encoder writes out (the GIF at close): the temporary file
    is removed and nothing is renamed into place."""
    plan = make_plan(tmp_path / f"a{fmt}", LayerSpec(), "standard", 10, (320, 200))

    def full_disk(self, complete):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AnimationWriter, "_close", full_disk)
    with pytest.raises(OSError, match="No space"):
        with AnimationWriter(plan) as w:
            w.append(frame(0))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", [".gif", ".mp4"])
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path, fmt, umask, mode):
    old = os.umask(umask)
    try:
        plan = make_plan(tmp_path / f"a{fmt}", LayerSpec(), "standard", 10, (320, 200))
        with AnimationWriter(plan) as w:
            w.append(frame(0))
    finally:
        os.umask(old)
    assert (plan.out.stat().st_mode & 0o777) == mode


def fake_ffmpeg(tmp_path, monkeypatch, script: str) -> None:
    """FFmpeg replaced by a shell script (what it does with the frames, what it says)."""
    exe = tmp_path / "fake-ffmpeg"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(0o755)
    import imageio_ffmpeg

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(exe))


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script as FFmpeg")
@pytest.mark.parametrize("when, script", [
    # the disk fills while frames arrive: FFmpeg stops reading, the pipe breaks
    ("mid-stream", 'head -c 300000 >/dev/null\n'
                   'echo "av_interleaved_write_frame(): No space left on device" >&2\nexit 1\n'),
    # every frame was taken, the last write (the MP4's index) fails: only the exit says so
    ("at the end", 'cat >/dev/null\necho "Error writing trailer: No space left on device" >&2\n'
                   'exit 1\n'),
])
def test_an_mp4_encoder_failing_leaves_nothing_and_says_why(tmp_path, monkeypatch, when, script):
    fake_ffmpeg(tmp_path, monkeypatch, script)
    out = tmp_path / "out"
    out.mkdir()
    plan = make_plan(out / "a.mp4", LayerSpec(), "standard", 10, (320, 200))
    with pytest.raises(OSError) as failed:
        with AnimationWriter(plan) as w:
            for i in range(12):
                w.append(frame(i))
    assert failed.value.errno == errno.ENOSPC and "No space left" in str(failed.value)
    assert list(out.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script as FFmpeg")
def test_an_mp4_encoder_failing_otherwise_gives_its_last_line(tmp_path, monkeypatch):
    fake_ffmpeg(tmp_path, monkeypatch, 'cat >/dev/null\necho "first" >&2\n'
                'echo "Unknown encoder \'libx264\'" >&2\nexit 1\n')
    plan = make_plan(tmp_path / "a.mp4", LayerSpec(), "standard", 10, (320, 200))
    with pytest.raises(OSError, match="the MP4 encoder \\(FFmpeg\\) failed: Unknown encoder"):
        with AnimationWriter(plan) as w:
            w.append(frame(0))
    assert [p.name for p in tmp_path.iterdir()] == ["fake-ffmpeg"]


def test_an_interrupted_mp4_stops_ffmpeg_and_leaves_nothing(tmp_path):
    """Ctrl-C (KeyboardInterrupt) mid-export: FFmpeg is stopped, not waited for."""
    plan = make_plan(tmp_path / "a.mp4", LayerSpec(), "standard", 10, (320, 200))
    with pytest.raises(KeyboardInterrupt):
        with AnimationWriter(plan) as w:
            w.append(frame(0))
            proc = w._mp4._proc
            raise KeyboardInterrupt
    assert proc.poll() is not None and list(tmp_path.iterdir()) == []
