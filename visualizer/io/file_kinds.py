"""What a path on disk is, before anything reads or replaces it.

An input must be a regular file: a FIFO blocks its reader until a writer comes (forever,
and a thread blocked inside a decoder that holds the GIL freezes the whole program,
signals included), and a device such as /dev/zero never ends. `not_regular` says why a
path is none, from its metadata alone (stat never blocks on a FIFO).

An output must never replace a file of another kind (`--report r.json` over a photo
that happens to be called r.json): `kind_of` reads the first bytes of an existing file
and names what they are.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

#: Bytes read to tell a file's kind.
SNIFF_BYTES = 4096

_DESCRIPTIONS = {
    "empty": "an empty file", "png": "a PNG image", "jpeg": "a JPEG image",
    "gif": "a GIF image", "bmp": "a BMP image", "webp": "a WebP image",
    "tiff": "a TIFF image", "mp4": "an MP4/QuickTime video", "matroska": "a Matroska/WebM video",
    "avi": "an AVI video", "riff": "a RIFF file", "tflite": "a TFLite model",
    "gzip": "a gzip archive", "zip": "a zip archive", "pdf": "a PDF document",
    "onnx": "an ONNX model", "json": "a JSON file", "text": "a text file",
    "data": "a binary file of unknown kind",
}


def _special(mode: int) -> str | None:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def not_regular(path: str | os.PathLike, what: str = "file") -> str | None:
    """Why `path` (symlinks followed) cannot be read as a `what`, in one line naming the
    path as given, or None for a regular file. Never opens the file."""
    shown = os.fspath(path)
    p = Path(shown).expanduser()
    try:
        st = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            return f"{shown} is a symbolic link to {os.readlink(p)}, which does not exist"
        return f"{what} not found: {shown}"
    except OSError as e:
        return f"cannot read {shown}: {e.strerror or e}"
    special = _special(st.st_mode)
    if special is None:
        return None
    if special == "not a regular file":
        return f"{shown} is not a regular file"
    return f"{shown} is {special}, not {_article(what)} {what}"


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def special_kind(path: str | os.PathLike) -> str | None:
    """"a named pipe (FIFO)", "a device", "a socket" (…) for an existing path that is no
    regular file or folder; None otherwise (also when it does not exist)."""
    try:
        special = _special(Path(path).expanduser().stat().st_mode)
    except OSError:
        return None
    return None if special == "a folder" else special


#: control bytes text holds: layout and ANSI escapes
TEXT_CONTROLS = b"\t\n\v\f\r\x1b"


def looks_like_text(head: bytes, *, utf8: bool = False,
                    controls: bytes = TEXT_CONTROLS) -> bool:
    """True if `head` (a file's first bytes) reads as text: no NUL byte, control bytes
    other than `controls` at most 1 % of it, and with `utf8` valid UTF-8 (a multi-byte
    character cut at the end still counts)."""
    if b"\x00" in head:
        return False
    if utf8:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:
            if e.start < len(head) - 3:
                return False
    others = sum(1 for b in head if b < 0x20 and b not in controls)
    return others <= len(head) // 100


def _onnx(head: bytes) -> bool:
    """An ONNX ModelProto starts with its ir_version (field 1, a small varint), then
    field 2 or a later one."""
    return len(head) >= 3 and head[0] == 0x08 and 0 < head[1] < 0x80 and \
        head[2] in (0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42)


def sniff(head: bytes) -> str:
    """The kind of a file whose first bytes are `head` (see describe)."""
    if not head:
        return "empty"
    for kind, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("jpeg", b"\xff\xd8\xff"),
                        ("gif", b"GIF8"), ("gzip", b"\x1f\x8b"), ("zip", b"PK\x03\x04"),
                        ("pdf", b"%PDF"), ("matroska", b"\x1a\x45\xdf\xa3"),
                        ("tiff", b"II*\x00"), ("tiff", b"MM\x00*")):
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[4:8] == b"TFL3":
        return "tflite"
    if head.startswith(b"RIFF"):
        return {b"WEBP": "webp", b"AVI ": "avi"}.get(head[8:12], "riff")
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "bmp"
    if _onnx(head):
        return "onnx"
    if looks_like_text(head, utf8=True):
        return "json" if head.lstrip()[:1] in (b"{", b"[") else "text"
    return "data"


def kind_of(path: str | os.PathLike) -> str | None:
    """The kind of an existing regular file (see describe); None when there is no
    regular file at `path` or it cannot be read."""
    p = Path(path).expanduser()
    try:
        if not stat.S_ISREG(p.stat().st_mode):
            return None
        with open(p, "rb") as f:
            return sniff(f.read(SNIFF_BYTES))
    except OSError:
        return None


def describe(kind: str) -> str:
    """'a JPEG image', 'an ONNX model', … for a kind from sniff()."""
    return _DESCRIPTIONS.get(kind, f"a {kind} file")
