"""PNG files written whole or not at all (a temporary file in the folder, then a rename)."""
from __future__ import annotations

import errno
import os

from PySide6.QtGui import QImage, QPixmap

from visualizer.io.atomic import replacing


def save_png(image: QImage | QPixmap, path: str | os.PathLike) -> None:
    """Save `image` as PNG at `path`; raises OSError (and leaves no partial file) when
    it cannot be written."""
    with replacing(path) as tmp:
        if not image.save(str(tmp), "PNG"):  # Qt says no more than that it failed
            raise OSError(errno.EIO, "the PNG could not be written", os.fspath(path))
