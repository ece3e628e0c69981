"""Cameras: access permission (macOS asks the user), the devices Qt sees, and CameraSource.

Frames go QCamera -> QMediaCaptureSession -> QVideoSink -> the converter thread (see
frame_converter.py), which emits them as LiveFrames. The camera runs in the format the user
chose, else camera_formats.default_format's (at most 720p, at least 25 fps).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtMultimedia import (
    QCamera, QMediaCaptureSession, QMediaDevices, QVideoSink,
)

from visualizer.video.camera_formats import CameraFormat, default_format
from visualizer.video.frame_source import VideoSinkSource

NO_CAMERA = "No camera found. Choose a video file, an image or a folder of images instead."
CAMERA_DENIED = ("Camera access was denied. Allow this program (or the terminal that runs "
                 "it) to use the camera in the system's privacy settings, then start again.")


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


def as_camera_format(qt_format) -> CameraFormat:
    size = qt_format.resolution()
    pixel = qt_format.pixelFormat().name.removeprefix("Format_")
    return CameraFormat(size.width(), size.height(), float(qt_format.minFrameRate()),
                        float(qt_format.maxFrameRate()), pixel)


def camera_formats(index: int) -> list[CameraFormat]:
    """The formats camera `index` offers ([] when there is no such camera)."""
    inputs = QMediaDevices.videoInputs()
    if not 0 <= index < len(inputs):
        return []
    return [as_camera_format(f) for f in inputs[index].videoFormats()]


class CameraSource(VideoSinkSource):
    """Camera number `index` of QMediaDevices.videoInputs().

    Camera access is checked first (QCameraPermission, Qt >= 6.5): on macOS a camera
    started without it silently delivers nothing, so a denied access is reported at once
    and an undetermined one is asked for (the first-frame deadline waits for the answer).
    A device that leaves the system's list while running (unplugged) ends the run.
    """

    def __init__(self, index: int = 0, parent: QObject | None = None,
                 camera_format: CameraFormat | None = None) -> None:
        super().__init__(f"camera {index}", parent)
        self.index = index
        #: the format asked for (None: the default); `format` is the one running
        self.requested_format = camera_format
        self.format: CameraFormat | None = None
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
        qt_formats = list(device.videoFormats())
        formats = [as_camera_format(f) for f in qt_formats]
        chosen = formats.index(self.requested_format) \
            if self.requested_format in formats else default_format(formats)
        if chosen is not None:
            self._camera.setCameraFormat(qt_formats[chosen])
            self.format = formats[chosen]
            self.description += f", {self.format.label()}"
        self._session = QMediaCaptureSession()
        self._sink = QVideoSink()
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._attach(self._sink)
        self._camera.errorOccurred.connect(self._on_error)
        self._camera.start()

    def _close(self) -> None:
        if self._camera is not None:
            # the producer first: then the converter takes every frame it was sent
            self._camera.errorOccurred.disconnect(self._on_error)
            self._camera.stop()
            self._session.setCamera(None)
            self._session.setVideoSink(None)
            self._detach(self._sink)
            for obj in (self._camera, self._session, self._sink):
                obj.deleteLater()
        self._camera = self._session = self._sink = None

    def _on_error(self, _error: QCamera.Error, text: str) -> None:
        self._fail(f"{self.description} failed: {text or 'camera error'} "
                   "(busy, access denied or unplugged?)")

    def _inputs_changed(self) -> None:
        if self.running and self._device_id and self._device_id not in {
                bytes(d.id()) for d in QMediaDevices.videoInputs()}:
            self._fail(f"{self.description} was disconnected.")
