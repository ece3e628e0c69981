"""Images: reading and decoding a photo (upright, scaled down), and the image / folder
slide show.

Images are decoded once (see decode_size), kept in a bounded cache and replayed by a timer
as a slide show that repeats until stopped.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QSize, QTimer
from PySide6.QtGui import QImage, QImageReader

from visualizer.video.frame_source import FrameSource
from visualizer.video.frames import qimage_to_rgb

MAX_IMAGE_SIDE = 1280
#: The centred square the network crops keeps at least this side (or all the image has):
#: scaling a panorama to MAX_IMAGE_SIDE would shrink its centre to a blurred sliver.
MIN_SQUARE_SIDE = 640
MAX_IMAGE_PIXELS = 16_000_000
#: Qt refuses to decode images needing more than allocationLimit() MiB (256 by default);
#: a photo the user chose may take up to this much while it is decoded and scaled.
MAX_DECODE_MIB = 1024
#: Decoded images a slide show keeps (least recently shown dropped first); a folder of
#: hundreds of photos is decoded again as the show comes round instead of filling memory.
IMAGE_CACHE_BYTES = 256 * 2**20


def image_suffixes() -> set[str]:
    return {"." + bytes(f).decode().lower() for f in QImageReader.supportedImageFormats()}


def decode_size(width: int, height: int) -> tuple[int, int]:
    """The size a width×height image is decoded to for the slide show: the longer side at
    most MAX_IMAGE_SIDE, unless that would shrink the shorter side below MIN_SQUARE_SIDE;
    at most MAX_IMAGE_PIXELS; never enlarged; aspect kept."""
    scale = min(1.0, MAX_IMAGE_SIDE / max(width, height))
    scale = max(scale, min(1.0, MIN_SQUARE_SIDE / min(width, height)))
    scale = min(scale, (MAX_IMAGE_PIXELS / (width * height)) ** 0.5)
    return max(1, round(width * scale)), max(1, round(height * scale))


def read_image(path: str | Path) -> tuple[QImage | None, str]:
    """(image upright as its EXIF orientation says and sized by decode_size, "") or
    (None, why it cannot be read). Large JPEGs are decoded at a reduced scale directly."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()  # as stored (before orientation); invalid when unknown
    limit = QImageReader.allocationLimit()
    if size.isValid() and not size.isEmpty():
        w, h = decode_size(size.width(), size.height())
        if (w, h) != (size.width(), size.height()):
            reader.setScaledSize(QSize(w, h))
        need = size.width() * size.height() * 4 // 2**20 + 1  # formats decoded whole first
        if 0 < limit < need:
            QImageReader.setAllocationLimit(min(need, MAX_DECODE_MIB))
    try:
        image = reader.read()
    finally:
        QImageReader.setAllocationLimit(limit)
    if image.isNull():
        if size.isValid() and size.width() * size.height() * 4 > MAX_DECODE_MIB * 2**20:
            return None, f"{size.width()}×{size.height()} pixels is too large to decode"
        return None, reader.errorString()
    return image, ""


class ImageSource(FrameSource):
    """One image, or every readable image of a folder (sorted by name), shown at `fps`."""

    first_frame_timeout_s = None

    def __init__(self, path: str | Path, fps: float = 15.0,
                 parent: QObject | None = None) -> None:
        super().__init__(Path(path).name or str(path), parent)
        self.path = Path(path)
        self.fps = fps
        self._files: list[Path] = []
        self._cache: OrderedDict[Path, object] = OrderedDict()
        self._unreadable: dict[Path, str] = {}
        self._next = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def _open(self) -> None:
        if self.path.is_dir():
            suffixes = image_suffixes()
            self._files = sorted(p for p in self.path.iterdir()
                                 if p.is_file() and p.suffix.lower() in suffixes)
            if not self._files:
                QTimer.singleShot(0, lambda: self._fail(
                    f"The folder {self.path.name} holds no image Qt can read."))
                return
        else:
            self._files = [self.path]
        self._next = 0
        self._timer.start(max(1, round(1000 / self.fps)))
        QTimer.singleShot(0, self._tick)  # first frame at once

    def _close(self) -> None:
        self._timer.stop()

    def _load(self, path: Path):
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        image, why = read_image(path)
        if image is None:
            self._unreadable[path] = why
            return None
        rgb = self._cache[path] = qimage_to_rgb(image)
        while len(self._cache) > 1 and sum(a.nbytes for a in self._cache.values()) > \
                IMAGE_CACHE_BYTES:
            self._cache.popitem(last=False)
        return rgb

    def _tick(self) -> None:
        while self.running:
            candidates = [p for p in self._files if p not in self._unreadable]
            if not candidates:
                first = next(iter(self._unreadable.items()))
                what = f"{first[0].name}: {first[1]}" if len(self._files) == 1 else \
                    f"no image in {self.path.name} is readable ({first[0].name}: {first[1]})"
                self._fail(f"Cannot read {what}")
                return
            path = self._files[self._next % len(self._files)]
            self._next += 1
            rgb = self._load(path)
            if rgb is not None:
                self._emit_frame(rgb)
                return

    @property
    def unreadable(self) -> list[str]:
        """Names of the folder's files that could not be decoded (they are skipped)."""
        return [p.name for p in self._unreadable]
