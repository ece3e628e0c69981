"""FrameConverter: video frames to LiveFrames on a thread of their own, newest first.

The sink's videoFrameChanged is connected to a worker living in the converter thread
("frame-convert"), so Qt queues each QVideoFrame straight from the thread it emits it on
(with the FFmpeg backend, its render thread) to the converter thread: no Python runs on
Qt's render thread (it could wait there for the GIL while the GUI thread, holding it,
waits for the render thread to stop) and none on the GUI thread. The worker keeps only the
newest pending frame: frames that arrive during a conversion replace each other, and only
the last is converted next. Results come back to the GUI thread by a queued signal.

Pulled: once its consumer has asked for a frame (`request()`), the worker converts only
when asked, the newest frame then: frames the consumer would drop anyway (inference busy)
are never converted. A frame is a LiveFrame (live_frame.py) for the converter's `targets`:
the network's input and a preview, not a full-resolution RGB copy.

Counting, so that a consumer's received == inferred + dropped stays exact: the worker
numbers every frame it receives; on the GUI thread, each converted frame is preceded by
`framesDropped(n)` for the n frames before it that will never be delivered (replaced, or
unconvertible), and stop() reports, the same way and before it returns, the frames
received but not delivered by then (pending, or converted with the result still queued;
such late results are discarded). So each frame is either delivered once or counted as
dropped once.
"""
from __future__ import annotations

import itertools
import threading
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtMultimedia import QVideoFrame

from visualizer.qtthreads.task import detach
from visualizer.video import frames
from visualizer.video.live_frame import LiveFrame, Targets, from_rgb

CONVERT_THREAD_NAME = "frame-convert"
#: stop() waits this long for a conversion in flight (a 4K frame takes ~20-50 ms); a
#: conversion still running then is let go (detached), never waited for longer
JOIN_TIMEOUT_MS = 1_000
_ids = itertools.count(1)


class _Worker(QObject):
    """Lives in the converter thread: receives frames (queued), converts the newest."""

    converted = Signal(int, int, object)  # converter id, frame number, rgb or None
    drained = Signal(int)  # converter id: every frame queued before drain() is through
    #: to itself, queued: convert once the frames queued meanwhile have been received.
    #: (A signal, not QTimer.singleShot: that would create a timer object per frame in
    #: this thread from Python.)
    _kick = Signal()

    def __init__(self, converter_id: int, convert: Callable) -> None:
        super().__init__()
        self.converter_id, self.convert = converter_id, convert
        self._kick.connect(self._convert_pending, Qt.ConnectionType.QueuedConnection)
        self.received = 0  # frames numbered so far; read by the GUI thread after the end
        self._pending: tuple[int, QVideoFrame] | None = None
        self.pull = False  # convert only when asked (after the first request)
        self.wanted = False  # asked for a frame and not given one yet

    @Slot()
    def name_thread(self) -> None:
        threading.current_thread().name = CONVERT_THREAD_NAME

    @Slot(QVideoFrame)
    def offer(self, frame: QVideoFrame) -> None:
        if not frame.isValid():  # e.g. the empty frame a sink gets when playback ends
            return
        self.received += 1
        if self._pending is None and (self.wanted or not self.pull):
            self._kick.emit()  # after the frames queued meanwhile: the newest wins
        self._pending = (self.received, QVideoFrame(frame))

    @Slot()
    def request(self) -> None:
        """The consumer wants a frame: the newest, once the frames queued meanwhile are
        in (or the next to arrive)."""
        self.pull = self.wanted = True
        if self._pending is not None:
            self._kick.emit()

    @Slot()
    def release(self) -> None:
        """The last call in the converter thread, after every frame queued to it: the
        pending frame is dropped here, so no video buffer outlives its thread and the
        player that made it (it could be freed later, anywhere, by garbage collection);
        then the thread's event loop ends."""
        self._pending = None
        QThread.currentThread().quit()

    @Slot()
    def drain(self) -> None:
        self._convert_pending(force=True)
        self.drained.emit(self.converter_id)

    @Slot()
    def _convert_pending(self, force: bool = False) -> None:
        if self.pull and not self.wanted and not force:
            return  # the consumer has not asked: the frame waits (or is replaced)
        item, self._pending = self._pending, None
        if item is None:
            return
        self.wanted = False
        number, frame = item
        del item
        try:
            rgb = self.convert(frame)
        except Exception:  # noqa: BLE001 - an unconvertible frame is a dropped frame
            rgb = None
        self.converted.emit(self.converter_id, number, rgb)


class FrameConverter(QObject):
    """start() / connect a sink with connect_sink() / stop(); its signals arrive on the
    GUI thread. offer() hands over one frame from any thread (tests, other producers)."""

    frameConverted = Signal(object)  # LiveFrame
    framesDropped = Signal(int)  # received frames that will never be delivered
    drained = Signal()  # after drain(): the frames handed over before it are through
    _offer = Signal(QVideoFrame)
    _drain = Signal()
    _release = Signal()  # queued after the frames: the worker lets go, its thread ends
    _request = Signal()

    def __init__(self, convert: Callable[[QVideoFrame], LiveFrame | np.ndarray | None] |
                 None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: QVideoFrame -> LiveFrame, RGB array (made into one) or None (default:
        #: frames.video_frame_to_live for `targets`)
        self.convert = convert
        #: what to make of each frame; set from the GUI thread, read by the worker
        self.targets = Targets()
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._id = 0
        self._delivered = 0  # number of the last frame delivered or counted as dropped

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._id, self._delivered = next(_ids), 0
        custom = self.convert

        def convert(frame: QVideoFrame) -> LiveFrame | None:
            targets = self.targets  # one read: a change applies from the next frame
            if custom is None:
                return frames.video_frame_to_live(frame, targets)
            out = custom(frame)
            return from_rgb(out, targets) if isinstance(out, np.ndarray) else out

        self._thread = QThread()
        self._thread.setObjectName(CONVERT_THREAD_NAME)
        self._worker = _Worker(self._id, convert)
        self._worker.moveToThread(self._thread)
        self._worker.converted.connect(self._on_converted)
        self._worker.drained.connect(self._on_drained)
        self._drain.connect(self._worker.drain)
        self._thread.started.connect(self._worker.name_thread)
        self._offer.connect(self._worker.offer)
        self._release.connect(self._worker.release, Qt.ConnectionType.QueuedConnection)
        self._request.connect(self._worker.request)
        self._thread.start()

    def connect_sink(self, signal) -> None:
        """Connect a sink's videoFrameChanged: Qt queues its frames to the converter."""
        signal.connect(self._worker.offer)

    def disconnect_sink(self, signal) -> None:
        if self._worker is not None:
            signal.disconnect(self._worker.offer)

    def offer(self, frame: QVideoFrame) -> None:
        """Hand over a frame (any thread); ignored when not running."""
        if self._thread is not None:
            self._offer.emit(frame)

    def stop(self, timeout_ms: int = JOIN_TIMEOUT_MS) -> None:
        """End the thread after the conversion in flight, once the worker has taken (and
        let go of) every frame queued to it, and report the frames it received but did
        not deliver as dropped. Stop the producer (the player, the camera) first.

        Waits at most `timeout_ms`: a thread still converting then is detached (kept
        alive, with its worker, until it ends on its own), never destroyed running."""
        thread, worker, self._thread, self._worker = self._thread, self._worker, None, None
        if thread is None:
            return
        self._offer.disconnect(worker.offer)
        self._drain.disconnect(worker.drain)
        self._request.disconnect(worker.request)
        self._release.emit()  # queued behind every frame sent so far: release, then quit
        self._release.disconnect(worker.release)
        if not thread.wait(timeout_ms):
            # no quit() here: it could end the loop before the queued release ran, and
            # the pending frame would then be freed later on another thread; release
            # quits the loop itself. on_end holds the worker until the thread has ended.
            detach(thread, on_end=lambda w=worker: None)
        self._id = 0  # results still queued are discarded
        received = worker.received
        worker.converted.disconnect(self._on_converted)
        worker.drained.disconnect(self._on_drained)
        lost, self._delivered = received - self._delivered, received
        if lost > 0:
            self.framesDropped.emit(lost)

    def request(self) -> None:
        """The consumer is ready: convert the newest frame (from now on, only on request)."""
        if self._thread is not None:
            self._request.emit()

    def drain(self) -> None:
        """Emit `drained` once the frames handed over so far (e.g. a video's last ones,
        still queued or converting) have been delivered or counted as dropped."""
        if self._thread is not None:
            self._drain.emit()

    def _on_drained(self, converter_id: int) -> None:
        if converter_id == self._id:  # results come in order: those before are through
            self.drained.emit()

    def _on_converted(self, converter_id: int, number: int, rgb) -> None:
        if converter_id != self._id or self._worker is None or number <= self._delivered:
            return
        # the frames before this one first: until the frame itself is emitted it is not
        # counted, so a stop() from a receiver of framesDropped reports it as dropped
        dropped = number - self._delivered - 1 + (rgb is None)
        self._delivered = number - (rgb is not None)
        if dropped:
            self.framesDropped.emit(dropped)
        if rgb is not None and converter_id == self._id:  # not stopped meanwhile
            self._delivered = number
            self.frameConverted.emit(rgb)
