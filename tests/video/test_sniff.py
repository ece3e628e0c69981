"""Text and empty files are refused as video sources; real containers are not."""
from __future__ import annotations

import subprocess

import pytest

from live_fakes import write_video
from visualizer.video.sniff import looks_like_text, not_a_video
from visualizer.video.sources import SourceError, VideoFileSource, make_source


@pytest.mark.parametrize("name,content", [
    ("readme.txt", "MobileNet Visualizer\n\n| a | b |\n|---|---|\n" * 200),
    ("art.ans", "\x1b[1;31m█▀▀█\x1b[0m  ░░▒▒▓▓\r\n" * 100),  # ANSI art: escapes, UTF-8
    ("notes.nfo", "tab\tseparated\fform feed\n"),
])
def test_text_files_are_refused(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert not_a_video(path) == f"{name} is a text file, not a video"
    with pytest.raises(SourceError, match="is a text file"):
        make_source(str(path))


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"")
    with pytest.raises(SourceError, match="clip.mp4 is empty"):
        make_source(str(tmp_path / "clip.mp4"))


@pytest.mark.parametrize("codec,suffix", [("libx264", "mp4"), ("mjpeg", "avi")])
def test_real_videos_pass(tmp_path, codec, suffix):
    path = write_video(tmp_path / f"v.{suffix}", frames=3, codec=codec)
    assert not_a_video(path) is None
    assert isinstance(make_source(str(path)), VideoFileSource)


@pytest.mark.parametrize("fmt,suffix", [("yuv4mpegpipe", "y4m"), ("matroska", "mkv"),
                                        ("mpegts", "ts"), ("webm", "webm")])
def test_other_containers_pass(tmp_path, fmt, suffix):
    """Including y4m, whose header is text: a black frame is bytes 16 and 128, no NUL."""
    import imageio_ffmpeg

    path = tmp_path / f"v.{suffix}"
    codec = {"webm": ["-c:v", "libvpx"], "mkv": [], "ts": [], "y4m": []}[suffix]
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi",
                    "-i", "color=c=black:size=64x48:rate=10:duration=0.3", *codec,
                    "-pix_fmt", "yuv420p", "-f", fmt, str(path)], check=True, timeout=60)
    assert not_a_video(path) is None


def test_text_heuristic_on_bytes():
    assert looks_like_text(b"plain words\n")
    assert not looks_like_text(b"")
    assert not looks_like_text(b"\x00\x00\x00\x18ftypisom")
    assert not looks_like_text(b"YUV4MPEG2 W64 H48 F10:1\nFRAME\n" + b"\x10" * 100)
    assert not looks_like_text(bytes(range(1, 32)) * 10)  # control bytes: binary
