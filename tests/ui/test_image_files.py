"""PNG saves through a temporary file: a failed encode or write leaves no partial file."""
from __future__ import annotations

import errno

import pytest
from PySide6.QtGui import QColor, QImage

from visualizer.io import atomic as atomic_files
from visualizer.ui.common.image_files import save_png


def image() -> QImage:
    img = QImage(32, 16, QImage.Format.Format_RGB32)
    img.fill(QColor("orange"))
    return img


def test_save_png_writes_a_readable_png(tmp_path):
    save_png(image(), tmp_path / "a.png")
    back = QImage(str(tmp_path / "a.png"))
    assert (back.width(), back.height()) == (32, 16)
    assert back.pixelColor(3, 3) == QColor("orange")
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_qt_refusing_to_save_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.png"
    target.write_bytes(b"previous")
    monkeypatch.setattr(QImage, "save", lambda *_: False)
    with pytest.raises(OSError, match="PNG could not be written"):
        save_png(image(), target)
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_full_disk_after_the_encode_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic_files.os, "fsync",
                        lambda _fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(OSError):
        save_png(image(), tmp_path / "b.png")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_an_os_error_that_says_so(tmp_path, monkeypatch):
    """The PNG is written by Python (not by libpng, which printed "libpng error: Write
    Error" on stderr and left Qt a bare False)."""
    real_open = open

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, _data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr("builtins.open", lambda p, mode="r", *a, **k: Full(real_open(p, mode))
                        if mode == "xb" else real_open(p, mode, *a, **k))
    with pytest.raises(OSError, match="No space left"):
        save_png(image(), tmp_path / "c.png")
    assert list(tmp_path.iterdir()) == []
