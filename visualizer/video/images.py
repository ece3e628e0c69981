"""Images: reading and decoding a photo (upright, scaled down), and the image / folder
slide show.

Images are decoded once (see decode_size), kept in a bounded cache and replayed by a timer
as a slide show that repeats until stopped. Decoding a photo takes 10-20 ms (a very large
one much longer), so it runs on a background thread ("image-decode"), never on the GUI
thread; the next image of a folder is decoded while the current one is shown. The
decoding thread also makes the LiveFrame (the network's input, the preview) for the
source's targets, so the show only replays it; new targets (another model) decode again.
"""
from __future__ import annotations

import errno
import itertools
import os
import queue
import stat
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import (QBuffer, QByteArray, QCoreApplication, QIODevice, QObject, QSize,
                            QTimer, Signal)
from PySide6.QtGui import QImage, QImageReader

from visualizer.video.frame_source import FrameSource
from visualizer.video.frames import qimage_to_rgb
from visualizer.video.live_frame import LiveFrame, Targets, from_rgb

MAX_IMAGE_SIDE = 1280
#: The centred square the network crops keeps at least this side (or all the image has):
#: scaling a panorama to MAX_IMAGE_SIDE would shrink its centre to a blurred sliver.
MIN_SQUARE_SIDE = 640
MAX_IMAGE_PIXELS = 16_000_000
#: Qt refuses to decode images needing more than allocationLimit() MiB (256 by default);
#: a photo the user chose may take up to this much while it is decoded and scaled.
MAX_DECODE_MIB = 1024
#: A file larger than this is not read as an image (the largest photos are far smaller).
MAX_FILE_BYTES = 512 * 2**20
#: Decoded images a slide show keeps (least recently shown dropped first); a folder of
#: hundreds of photos is decoded again as the show comes round instead of filling memory.
IMAGE_CACHE_BYTES = 256 * 2**20
DECODE_THREAD_NAME = "image-decode"
#: How long stop() waits for a decode in flight (a large JPEG decodes in ~50-200 ms).
JOIN_TIMEOUT_S = 0.5
#: QImageReader's allocation limit is process-wide: decodes that raise it take turns.
_ALLOCATION_LOCK = threading.Lock()
_source_ids = itertools.count(1)


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


def read_file(path: str | Path) -> bytes:
    """The file's bytes, read by Python, which lets go of the GIL while it waits: a read
    that blocks (a FIFO that appeared in a folder, a stalled network mount) blocks this
    thread only. QImageReader reading the file itself holds the GIL while it waits, and
    the whole program stops, Ctrl-C included. OSError when it cannot be read."""
    # opened without waiting for a FIFO's writer; then only a regular file is read
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def read_image(path: str | Path) -> tuple[QImage | None, str]:
    """(image upright as its EXIF orientation says and sized by decode_size, "") or
    (None, why it cannot be read). Large JPEGs are decoded at a reduced scale directly.

    The format comes from the content (a JPEG named .png decodes); the name's suffix is
    tried only for formats without a signature (TGA, WBMP)."""
    try:
        data = QByteArray(read_file(path))
    except OSError as e:
        return None, e.strerror or str(e)
    image, why = _decode(data, b"")
    suffix = Path(path).suffix.lstrip(".").lower()
    if image is None and suffix in _NO_SIGNATURE:
        image, why = _decode(data, suffix.encode())
    return image, why


#: Formats Qt cannot recognise by their content: only their suffix says what they are.
_NO_SIGNATURE = {"tga", "wbmp"}


def _decode(data: QByteArray, fmt: bytes) -> tuple[QImage | None, str]:
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, fmt)
    reader.setAutoTransform(True)
    size = reader.size()  # as stored (before orientation); invalid when unknown
    need = 0
    if size.isValid() and not size.isEmpty():
        w, h = decode_size(size.width(), size.height())
        if (w, h) != (size.width(), size.height()):
            reader.setScaledSize(QSize(w, h))
        need = size.width() * size.height() * 4 // 2**20 + 1  # formats decoded whole first
    if need <= QImageReader.allocationLimit() or QImageReader.allocationLimit() <= 0:
        image = reader.read()
    else:
        with _ALLOCATION_LOCK:
            limit = QImageReader.allocationLimit()
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


def decode_rgb(path: Path) -> tuple[np.ndarray | None, str]:
    """read_image as an (H, W, 3) uint8 array: (rgb, "") or (None, why)."""
    try:
        image, why = read_image(path)
        return (qimage_to_rgb(image), "") if image is not None else (None, why)
    except Exception as exc:  # noqa: BLE001 - a decoder failure is a skipped file, not a crash
        return None, str(exc) or type(exc).__name__


class _Relay(QObject):
    """Carries decoded images from the decoding threads to the GUI thread (queued).

    One for all sources, owned by the application: a decoding thread never holds the
    last reference to a QObject (an object deleted on another thread than its own while
    its queued signals are pending crashes), and a source deleted while its decode is in
    flight simply no longer receives."""

    decoded = Signal(int, int, object, object, str)  # source, run, path, rgb or None, why


_relay: _Relay | None = None


def relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay(QCoreApplication.instance())
    return _relay


def _decode_loop(jobs: queue.SimpleQueue, stopped: threading.Event, source: int,
                 run: int) -> None:
    while (job := jobs.get()) is not None and not stopped.is_set():
        path, targets = job
        rgb, why = decode_rgb(path)
        frame = from_rgb(rgb, targets) if rgb is not None else None  # here, not on the GUI
        del rgb
        if not stopped.is_set():
            relay().decoded.emit(source, run, path, (frame, targets), why)


class ImageSource(FrameSource):
    """One image, or every readable image of a folder (sorted by name), shown at `fps`.

    The timer only shows decoded images; a file not decoded yet is requested from the
    decoding thread and shown when it arrives (the show waits for it, it never queues
    frames). stop() does not wait for a decode in flight: its result is discarded and
    the thread ends when that decode returns.
    """

    first_frame_timeout_s = None

    def __init__(self, path: str | Path, fps: float = 15.0,
                 parent: QObject | None = None) -> None:
        super().__init__(Path(path).name or str(path), parent)
        self.path = Path(path)
        self.fps = fps
        self._files: list[Path] = []
        self._cache: OrderedDict[Path, LiveFrame] = OrderedDict()
        self._unreadable: dict[Path, str] = {}
        self._next = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._id = next(_source_ids)
        relay().decoded.connect(self._on_decoded)
        self._run = 0  # decodes requested in an earlier run are ignored
        self._jobs: queue.SimpleQueue | None = None
        self._stopped: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._requested: set[Path] = set()
        self._waiting: Path | None = None  # the file to show as soon as it is decoded

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
        self._run += 1
        self._jobs, self._stopped = queue.SimpleQueue(), threading.Event()
        self._thread = threading.Thread(target=_decode_loop, name=DECODE_THREAD_NAME,
                                        args=(self._jobs, self._stopped, self._id, self._run),
                                        daemon=True)
        self._thread.start()
        self._timer.start(max(1, round(1000 / self.fps)))
        QTimer.singleShot(0, self._tick)  # first frame as soon as it is decoded

    def _close(self) -> None:
        self._timer.stop()
        if self._jobs is not None:
            self._stopped.set()
            self._jobs.put(None)  # the thread ends after the decode in flight, if any
            # joined, briefly: a decode that takes longer is discarded when it returns
            # (the thread is a daemon, so even a read that never returns cannot keep the
            # program from ending)
            self._thread.join(JOIN_TIMEOUT_S)
        self._jobs = self._stopped = self._thread = None
        self._requested.clear()
        self._waiting = None

    def set_targets(self, targets: Targets) -> None:
        if targets == self.targets:
            return
        self._cache.clear()  # made for the old targets: decoded again when shown
        self._requested.clear()
        super().set_targets(targets)
        if self._waiting is not None:
            # the decode in flight carries the old targets and is dropped when it
            # returns: the show waits for this one, made for the new targets
            self._request(self._waiting)

    def _request(self, path: Path) -> None:
        if path not in self._requested and self._jobs is not None:
            self._requested.add(path)
            self._jobs.put((path, self.targets))

    def _on_decoded(self, source: int, run: int, path: Path, made, why: str) -> None:
        if source != self._id or run != self._run or not self.running:
            return  # another source's image, or a decode that finished after stop()
        frame, targets = made
        if targets != self.targets:
            return  # made for targets that changed meanwhile: set_targets requested it again
        self._requested.discard(path)
        if frame is None:
            self._unreadable[path] = why
        else:
            self._store(path, frame)
        if path == self._waiting:
            self._waiting = None
            self._show_next()

    def _store(self, path: Path, frame: LiveFrame) -> None:
        self._cache[path] = frame
        while len(self._cache) > 1 and sum(_bytes(f) for f in self._cache.values()) > \
                IMAGE_CACHE_BYTES:
            self._cache.popitem(last=False)

    def _tick(self) -> None:
        if self._waiting is None:  # else the show waits for the image being decoded
            self._show_next()

    def _show_next(self) -> None:
        """Show the next decoded image (skipping unreadable files), or request it."""
        while self.running:
            if all(p in self._unreadable for p in self._files):
                first = next(iter(self._unreadable.items()))
                self._fail(f"Cannot read {first[0].name}: {first[1]}" if len(self._files) == 1
                           else f"No image in {self.path.name} is readable ({first[0].name}: "
                           f"{first[1]})")
                return
            path = self._files[self._next % len(self._files)]
            if path in self._unreadable:
                self._next += 1
                continue
            if path not in self._cache:
                self._waiting = path
                self._request(path)
                return
            self._next += 1
            self._cache.move_to_end(path)
            self._emit_frame(self._cache[path])
            self._prefetch()
            return

    def _prefetch(self) -> None:
        """Decode the next readable file while the current one is shown."""
        for i in range(len(self._files)):
            path = self._files[(self._next + i) % len(self._files)]
            if path not in self._unreadable:
                if path not in self._cache:
                    self._request(path)
                return

    @property
    def unreadable(self) -> list[str]:
        """Names of the folder's files that could not be decoded (they are skipped)."""
        return [p.name for p in self._unreadable]


def _bytes(frame: LiveFrame) -> int:
    return frame.preview.nbytes + (0 if frame.net_input is None else frame.net_input.nbytes)
