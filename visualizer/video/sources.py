"""Frame sources: camera, video file, image or folder of images, all with one interface.

Camera and video share one frame path: QCamera -> QMediaCaptureSession -> QVideoSink and
QMediaPlayer -> QVideoSink; the sink's slot converts each frame to numpy (see frames.py)
and emits it. Images are decoded once (upright, scaled down: see decode_size) and
replayed by a timer as a slide show that repeats until stopped. A video plays once and then emits `ended`
(pass loop=True to repeat it).

Problems arrive as one line on the `error` signal, after which the source has stopped and
released its device. A camera or video that delivers no frame within FIRST_FRAME_TIMEOUT_S
seconds is reported too: on a bare Linux, Qt Multimedia silently loads no backend when
libpulse0 or libxrandr2 is missing, and no frame ever arrives.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QSize, QTimer, QUrl, Signal
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtMultimedia import (
    QCamera, QMediaCaptureSession, QMediaDevices, QMediaPlayer, QVideoFrame, QVideoSink,
)

from visualizer.video.frames import qimage_to_rgb, video_frame_to_rgb

FIRST_FRAME_TIMEOUT_S = 10.0
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
NO_CAMERA = "No camera found. Choose a video file, an image or a folder of images instead."
CAMERA_DENIED = ("Camera access was denied. Allow this program (or the terminal that runs "
                 "it) to use the camera in the system's privacy settings, then start again.")


class SourceError(ValueError):
    """A source description that cannot work (missing file, malformed camera:N)."""


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


def camera_permission():
    """Qt.PermissionStatus of camera access, or None where Qt has no permission API (before
    6.5) or no application exists. Only macOS (and mobile systems) ever ask the user;
    elsewhere Qt reports Granted."""
    try:
        from PySide6.QtCore import QCameraPermission, QCoreApplication
    except ImportError:
        return None
    app = QCoreApplication.instance()
    return None if app is None else app.checkPermission(QCameraPermission())


def request_camera_permission(context: QObject, answered) -> None:
    """Ask the user for camera access; `answered(granted: bool)` runs on the GUI thread
    (not at all if `context` is deleted first)."""
    from PySide6.QtCore import QCameraPermission, QCoreApplication, Qt

    def done(permission) -> None:
        answered(permission.status() == Qt.PermissionStatus.Granted)

    QCoreApplication.instance().requestPermission(QCameraPermission(), context, done)


def camera_names() -> list[str]:
    """Descriptions of the cameras Qt sees, in the order camera:N refers to them."""
    return [d.description() for d in QMediaDevices.videoInputs()]


class FrameSource(QObject):
    """Base class: emits `frameReady(np.ndarray)`; `error(str)` and `ended()` once each."""

    frameReady = Signal(object)  # (H, W, 3) uint8, owned by the receiver
    error = Signal(str)  # the source has stopped
    ended = Signal()  # a finite source ran out

    first_frame_timeout_s: float | None = FIRST_FRAME_TIMEOUT_S

    def __init__(self, description: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.description = description
        self.running = False
        self._got_frame = False
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._no_frame)

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self._got_frame = False
        if self.first_frame_timeout_s is not None:
            self._watchdog.start(int(self.first_frame_timeout_s * 1000))
        self._open()

    def stop(self) -> None:
        """Stop and release the device or file; safe to call any number of times."""
        self._watchdog.stop()
        was_running, self.running = self.running, False
        if was_running:
            self._close()

    def _emit_frame(self, rgb) -> None:
        if not self.running or rgb is None:
            return
        if not self._got_frame:
            self._got_frame = True
            self._watchdog.stop()
        self.frameReady.emit(rgb)

    def _fail(self, message: str) -> None:
        if self.running:
            self.stop()
            self.error.emit(message)

    def _finish(self) -> None:
        if self.running:
            self.stop()
            self.ended.emit()

    def _no_frame(self) -> None:
        self._fail(f"No frame arrived from {self.description} within "
                   f"{self.first_frame_timeout_s:g} s (is a Qt Multimedia backend available? "
                   "On Linux it needs libpulse0 and libxrandr2).")

    def _open(self) -> None:  # subclasses
        raise NotImplementedError

    def _close(self) -> None:  # subclasses
        raise NotImplementedError


class CameraSource(FrameSource):
    """Camera number `index` of QMediaDevices.videoInputs().

    Camera access is checked first (QCameraPermission, Qt >= 6.5): on macOS a camera
    started without it silently delivers nothing, so a denied access is reported at once
    and an undetermined one is asked for (the first-frame deadline waits for the answer).
    A device that leaves the system's list while running (unplugged) ends the run.
    """

    def __init__(self, index: int = 0, parent: QObject | None = None) -> None:
        super().__init__(f"camera {index}", parent)
        self.index = index
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._sink: QVideoSink | None = None
        self._device_id = b""
        self._devices = QMediaDevices(self)
        self._devices.videoInputsChanged.connect(self._inputs_changed)

    def _open(self) -> None:
        from PySide6.QtCore import Qt

        status = camera_permission()
        if status == Qt.PermissionStatus.Denied:
            QTimer.singleShot(0, lambda: self._fail(CAMERA_DENIED))
            return
        if status == Qt.PermissionStatus.Undetermined:
            # the system shows a dialog: no first-frame deadline while the user decides
            self._watchdog.stop()
            request_camera_permission(self, self._on_permission)
            return
        self._open_device()

    def _on_permission(self, granted: bool) -> None:
        if not self.running:
            return
        if not granted:
            self._fail(CAMERA_DENIED)
            return
        if self.first_frame_timeout_s is not None:
            self._watchdog.start(int(self.first_frame_timeout_s * 1000))
        self._open_device()

    def _open_device(self) -> None:
        inputs = QMediaDevices.videoInputs()
        if not inputs:
            QTimer.singleShot(0, lambda: self._fail(NO_CAMERA))
            return
        if not 0 <= self.index < len(inputs):
            QTimer.singleShot(0, lambda: self._fail(
                f"There is no camera {self.index}; cameras 0 to {len(inputs) - 1} exist."))
            return
        device = inputs[self.index]
        self.description = f"camera {self.index} ({device.description()})"
        self._device_id = bytes(device.id())
        self._camera = QCamera(device)
        self._session = QMediaCaptureSession()
        self._sink = QVideoSink()
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._camera.errorOccurred.connect(self._on_error)
        self._camera.start()

    def _close(self) -> None:
        if self._camera is not None:
            self._sink.videoFrameChanged.disconnect(self._on_frame)
            self._camera.errorOccurred.disconnect(self._on_error)
            self._camera.stop()
            self._session.setCamera(None)
            self._session.setVideoSink(None)
            for obj in (self._camera, self._session, self._sink):
                obj.deleteLater()
        self._camera = self._session = self._sink = None

    def _on_frame(self, frame: QVideoFrame) -> None:
        self._emit_frame(video_frame_to_rgb(frame))

    def _on_error(self, _error: QCamera.Error, text: str) -> None:
        self._fail(f"{self.description} failed: {text or 'camera error'} "
                   "(busy, access denied or unplugged?)")

    def _inputs_changed(self) -> None:
        if self.running and self._device_id and self._device_id not in {
                bytes(d.id()) for d in QMediaDevices.videoInputs()}:
            self._fail(f"{self.description} was disconnected.")


class VideoFileSource(FrameSource):
    """A video file decoded by QMediaPlayer at its normal speed (Qt's FFmpeg backend)."""

    def __init__(self, path: str | Path, loop: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(Path(path).name, parent)
        self.path = Path(path)
        self.loop = loop
        self._player: QMediaPlayer | None = None
        self._sink: QVideoSink | None = None

    def _open(self) -> None:
        self._player = QMediaPlayer()
        self._sink = QVideoSink()
        self._player.setVideoSink(self._sink)
        self._player.setLoops(QMediaPlayer.Loops.Infinite if self.loop else 1)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._player.errorOccurred.connect(self._on_error)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.setSource(QUrl.fromLocalFile(str(self.path.resolve())))
        self._player.play()

    def _close(self) -> None:
        if self._player is not None:
            self._sink.videoFrameChanged.disconnect(self._on_frame)
            self._player.errorOccurred.disconnect(self._on_error)
            self._player.mediaStatusChanged.disconnect(self._on_status)
            self._player.stop()
            self._player.setSource(QUrl())
            self._player.setVideoSink(None)
            self._player.deleteLater()
            self._sink.deleteLater()
        self._player = self._sink = None

    def _on_frame(self, frame: QVideoFrame) -> None:
        self._emit_frame(video_frame_to_rgb(frame))

    def _on_error(self, _error: QMediaPlayer.Error, text: str) -> None:
        self._fail(f"Cannot play {self.path.name}: {text or 'unreadable video'}")

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia:
            reason = self._player.errorString() if self._player else ""
            self._fail(f"Cannot play {self.path.name}: {reason or 'not a video Qt can decode'}")
        elif status == QMediaPlayer.MediaStatus.LoadedMedia and self._player is not None \
                and not self._player.hasVideo():
            self._fail(f"Cannot play {self.path.name}: it has no video track")
        elif status == QMediaPlayer.MediaStatus.EndOfMedia and not self._got_frame:
            self._fail(f"Cannot play {self.path.name}: no frame of it could be converted "
                       "to a picture")
        elif status == QMediaPlayer.MediaStatus.EndOfMedia and not self.loop:
            self._finish()


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


def make_source(spec: str, *, loop_video: bool = False, image_fps: float = 15.0,
                parent: QObject | None = None) -> FrameSource:
    """A source from "camera", "camera:N", a video file, an image or a folder of images.

    Raises SourceError for a description that cannot work; everything that can only be
    found out by trying (decoding, devices) is reported later on the `error` signal.
    """
    text = spec.strip()
    if text.lower() == "camera" or text.lower().startswith("camera:"):
        number = text[7:] or "0"
        if not number.isdigit():
            raise SourceError(f"camera:N needs a camera number, not {number!r}")
        return CameraSource(int(number), parent)
    path = Path(text).expanduser()
    if not text or not path.exists():
        raise SourceError(f"no such file or folder: {spec}")
    if path.is_dir():
        return ImageSource(path, image_fps, parent)
    if path.suffix.lower() in image_suffixes():
        return ImageSource(path, image_fps, parent)
    return VideoFileSource(path, loop_video, parent)
