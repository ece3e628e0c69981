"""Frame sources: camera, video file, image or folder of images, all with one interface.

This module holds the video file source (QMediaPlayer -> QVideoSink; it plays once and
then emits `ended`, unless loop=True) and `make_source`, which picks the source for a
description. The base class is in frame_source.py, cameras in camera.py, images and the
slide show in images.py.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

from visualizer.video.camera import CameraSource
from visualizer.video.frame_source import FrameSource, VideoSinkSource
from visualizer.video.images import ImageSource, image_suffixes
from visualizer.video.sniff import not_a_video
from visualizer.video.source_paths import camera_number, source_problem

class SourceError(ValueError):
    """A source description that cannot work (missing file, malformed camera:N)."""


class VideoFileSource(VideoSinkSource):
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
        self._attach(self._sink)
        self._player.errorOccurred.connect(self._on_error)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.setSource(QUrl.fromLocalFile(str(self.path.resolve())))
        self._player.play()

    def _close(self) -> None:
        if self._player is not None:
            # the producer first: then the converter takes every frame it was sent
            self._player.errorOccurred.disconnect(self._on_error)
            self._player.mediaStatusChanged.disconnect(self._on_status)
            self._player.stop()
            self._player.setSource(QUrl())
            self._player.setVideoSink(None)
            self._detach(self._sink)
            self._player.deleteLater()
            self._sink.deleteLater()
        self._player = self._sink = None

    def _on_error(self, _error: QMediaPlayer.Error, text: str) -> None:
        self._fail(f"Cannot play {self.path.name}: {text or 'unreadable video'}")

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia:
            reason = self._player.errorString() if self._player else ""
            self._fail(f"Cannot play {self.path.name}: {reason or 'not a video Qt can decode'}")
        elif status == QMediaPlayer.MediaStatus.LoadedMedia and self._player is not None \
                and not self._player.hasVideo():
            self._fail(f"Cannot play {self.path.name}: it has no video track")
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._end_when_converted()  # the last frames may still be converting

    def _converted_all(self) -> None:
        if not self._got_frame:
            self._fail(f"Cannot play {self.path.name}: no frame of it could be converted "
                       "to a picture")
        elif not self.loop:
            self._finish()


def make_source(spec: str, *, loop_video: bool = False, image_fps: float = 15.0,
                parent: QObject | None = None, camera_format=None) -> FrameSource:
    """A source from "camera", "camera:N", a video file, an image or a folder of images.

    Raises SourceError for a description that cannot work; everything that can only be
    found out by trying (decoding, devices) is reported later on the `error` signal.
    """
    try:
        number = camera_number(spec)
    except ValueError as e:
        raise SourceError(str(e)) from None
    if number is not None:
        return CameraSource(number, parent, camera_format)
    problem = source_problem(spec)
    if problem:
        raise SourceError(problem)
    path = Path(spec.strip()).expanduser()
    if path.is_dir():
        return ImageSource(path, image_fps, parent)
    if path.suffix.lower() in image_suffixes():
        return ImageSource(path, image_fps, parent)
    problem = not_a_video(path)  # FFmpeg would play a text file as rendered characters
    if problem:
        raise SourceError(problem)
    return VideoFileSource(path, loop_video, parent)
