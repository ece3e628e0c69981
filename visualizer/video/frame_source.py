"""FrameSource: the one interface of every frame source (camera, video, images).

A source emits frames as `LiveFrame`s (live_frame.py: the network's input and a preview,
made once on the thread that decoded the frame, for the `targets` the consumer set) and
reports problems as one line on `error`, after which it has stopped and released its
device. A consumer that infers one frame at a time asks for the next with `want_frame()`:
sources that decode continuously (camera, video) then prepare only the newest frame when
it is wanted, and count the others as dropped without converting them. A source that delivers no
frame within FIRST_FRAME_TIMEOUT_S seconds is reported too: on a bare Linux, Qt Multimedia
silently loads no backend when libpulse0 or libxrandr2 is missing, and no frame ever
arrives.

VideoSinkSource is the base of the sources fed by a QVideoSink (camera, video file): their
frames are converted on a converter thread (frame_converter.py), newest first.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QVideoSink

from visualizer.video.frame_converter import FrameConverter
from visualizer.video.live_frame import LiveFrame, Targets

FIRST_FRAME_TIMEOUT_S = 10.0


class FrameSource(QObject):
    """Base class: emits `frameReady(LiveFrame)`; `error(str)` and `ended()` once each."""

    frameReady = Signal(object)  # LiveFrame (read-only arrays)
    #: frames the source received but will never emit (replaced by a newer frame before
    #: conversion, unconvertible, or still converting at stop(), which reports them before
    #: it returns): a receiver counts them as received and dropped
    framesDropped = Signal(int)
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
        self.targets = Targets()

    def set_targets(self, targets: Targets) -> None:
        """What to make of the frames from now on (the network's resolution, the preview's
        size): frames already prepared keep theirs."""
        self.targets = targets

    def want_frame(self) -> None:
        """The consumer is ready for a frame: a source that holds back frames until then
        (a converter's newest) prepares and emits it. Others emit at their own pace."""

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

    def _emit_frame(self, frame: LiveFrame | None) -> None:
        if not self.running or frame is None:
            return
        if not self._got_frame:
            self._got_frame = True
            self._watchdog.stop()
        self.frameReady.emit(frame)

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


class VideoSinkSource(FrameSource):
    """A source fed by a QVideoSink: frames go sink -> converter thread -> frameReady.

    Qt queues the sink's frames from the thread it emits them on to the converter thread;
    only converted frames reach the GUI thread.
    """

    def __init__(self, description: str, parent: QObject | None = None) -> None:
        super().__init__(description, parent)
        self.converter = FrameConverter(parent=self)
        self.converter.frameConverted.connect(self._on_converted)
        self.converter.framesDropped.connect(self.framesDropped)
        self.converter.drained.connect(self._on_drained)

    def set_targets(self, targets: Targets) -> None:
        super().set_targets(targets)
        self.converter.targets = targets

    def want_frame(self) -> None:
        self.converter.request()

    def _attach(self, sink: QVideoSink) -> None:
        self.converter.targets = self.targets
        self.converter.start()
        self.converter.connect_sink(sink.videoFrameChanged)

    def _detach(self, sink: QVideoSink) -> None:
        self.converter.disconnect_sink(sink.videoFrameChanged)
        self.converter.stop()  # reports the frames it will not deliver

    def _end_when_converted(self) -> None:
        """The sink has delivered its last frame: _converted_all() once it is through."""
        self.converter.drain()

    def _converted_all(self) -> None:  # subclasses: what the end of the frames means
        self._finish()

    def _on_converted(self, frame: LiveFrame) -> None:
        self._emit_frame(frame)

    def _on_drained(self) -> None:
        if self.running:
            self._converted_all()
