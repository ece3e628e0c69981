"""What a source description names, checked without Qt and without reading a byte (so
a live run refuses a bad source before the window toolkit starts, and a FIFO, which
would block its reader, is never opened)."""
from __future__ import annotations

from pathlib import Path

from visualizer.io.file_kinds import special_kind

WHAT = "a video, an image, a folder of images or camera:N"


def camera_number(spec: str) -> int | None:
    """N of "camera" / "camera:N" (0 for "camera"); None for anything else. ValueError
    for a camera description without a number ("camera:x")."""
    text = spec.strip()
    if text.lower() != "camera" and not text.lower().startswith("camera:"):
        return None
    number = text[7:] or "0"
    if not number.isdigit():
        raise ValueError(f"camera:N needs a camera number, not {number!r}")
    return int(number)


def source_problem(spec: str) -> str | None:
    """One line saying why `spec` cannot be a source, or None if it may be one (a camera,
    or an existing regular file or folder: whether it decodes, only trying tells)."""
    try:
        if camera_number(spec) is not None:
            return None
    except ValueError as e:
        return str(e)
    text = spec.strip()
    if not text:
        return f"no source given: {WHAT}"
    path = Path(text).expanduser()
    if not path.exists():
        return f"no such file or folder: {spec}"
    special = special_kind(path)  # a FIFO would block its reader, a device never ends
    if special:
        return (f"{spec} is {special}, not a video, an image or a folder"
                + (" (a camera is camera:N)" if special == "a device" else ""))
    return None
