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
