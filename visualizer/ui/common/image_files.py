"""PNG files written whole or not at all (io/atomic.py: a temporary file in the folder,
then a rename)."""
from __future__ import annotations

import errno
import os

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QPixmap

from visualizer.io.atomic import write_atomic


def save_png(image: QImage | QPixmap, path: str | os.PathLike) -> None:
    """Save `image` as PNG at `path`; raises OSError (and leaves no partial file) when
    it cannot be written.

    Encoded in memory, then written by Python: a full disk is an OSError that says so
    (Qt's own file writing only returns False, after libpng has printed "libpng error:
    Write Error" on stderr)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(errno.EIO, "the PNG could not be written (Qt could not encode the "
                      "image)", os.fspath(path))
    buffer.close()
    write_atomic(path, bytes(data))
