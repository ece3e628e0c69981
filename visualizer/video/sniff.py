"""Refuse files that FFmpeg would "play" although they hold no video frames.

FFmpeg's tty demuxer renders any text file it is handed (by extension: .txt, .nfo, .asc,
.diz, .ans …) as a video of rendered characters, so a README given as the source would be
classified frame after frame. Real video containers and streams are binary: their first
bytes hold sizes and codes with NUL bytes and control bytes that text does not have.
"""
from __future__ import annotations

from pathlib import Path

from visualizer.io.file_kinds import TEXT_CONTROLS
from visualizer.io.file_kinds import looks_like_text as _text

SNIFF_BYTES = 64 * 1024
_WHITESPACE = TEXT_CONTROLS + b"\x08"  # text layout, ANSI escapes, overstrike
#: streams whose header is text, followed by binary frames
_TEXT_HEADED_VIDEO = (b"YUV4MPEG2",)


def looks_like_text(head: bytes) -> bool:
    """True if `head` (a file's first bytes, non-empty) reads as text: no NUL byte and
    almost no control bytes other than layout and escapes."""
    if not head or head.startswith(_TEXT_HEADED_VIDEO):
        return False
    return _text(head, controls=_WHITESPACE)


def not_a_video(path: Path) -> str | None:
    """Why `path` cannot be a video (empty, or text), or None if it may be one (whether
    it really is, only decoding can tell)."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        return f"cannot read {path.name}: {e.strerror or e}"
    if not head:
        return f"{path.name} is empty"
    if looks_like_text(head):
        return f"{path.name} is a text file, not a video"
    return None
