"""FrameConverter: video frames to RGB numpy arrays on a thread of their own, newest first.

The sink hands each QVideoFrame to `offer()` (from whatever thread Qt delivers it on: with
the FFmpeg backend, its render thread). The converter thread ("frame-convert") keeps only
the newest pending frame: a frame replaced before its conversion started is dropped, and
so is one that cannot be converted. Results come back to the GUI thread by a queued
signal; the GUI thread never converts.

Counting, so that a consumer's received == inferred + dropped stays exact: every frame
accepted by offer() is numbered; on the GUI thread, each converted frame is preceded by
`framesDropped(n)` for the n accepted frames before it that will never be delivered, and
stop() reports, the same way and before it returns, the frames accepted but not delivered
by then (pending, being converted, or converted with the result still queued; such late
results are discarded). So each accepted frame is either delivered once or counted as
dropped once.
"""
from __future__ import annotations

import itertools
import threading
from typing import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtMultimedia import QVideoFrame

from visualizer.video import frames

CONVERT_THREAD_NAME = "frame-convert"
#: stop() waits this long for a conversion in flight (a 4K frame takes ~20-50 ms)
JOIN_TIMEOUT_S = 5.0
_ids = itertools.count(1)


class _Relay(QObject):
    """Carries converted frames from converter threads to the GUI thread (queued).

    One for all converters, owned by the application, so that a converter thread never
    holds a reference to a QObject that could be deleted on it."""

    converted = Signal(int, int, object)  # converter id, frame number, rgb or None


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay(QCoreApplication.instance())
    return _relay


class _Mailbox:
    """Newest-frame-wins hand-over between the sink's thread and the converter thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.accepting = True
        self.accepted = 0  # frames numbered so far
        self._pending: tuple[int, QVideoFrame] | None = None

    def offer(self, frame: QVideoFrame) -> None:
        if not frame.isValid():  # e.g. the empty frame a sink gets when playback ends
            return
        frame = QVideoFrame(frame)  # our own reference to the (shared) frame data
        with self._cond:
            if not self.accepting:
                return
            self.accepted += 1
            self._pending = (self.accepted, frame)  # a replaced frame is never delivered
            self._cond.notify()

    def take(self) -> tuple[int, QVideoFrame] | None:
        """The newest pending frame, waiting for one; None once closed."""
        with self._cond:
            while self._pending is None and self.accepting:
                self._cond.wait()
            item, self._pending = self._pending, None
            return item if self.accepting else None

    def close(self) -> int:
        """Accept nothing more, drop the pending frame; the number of frames accepted."""
        with self._cond:
            self.accepting = False
            self._pending = None
            self._cond.notify_all()
            return self.accepted


def _convert_loop(mailbox: _Mailbox, converter_id: int, convert: Callable) -> None:
    while (item := mailbox.take()) is not None:
        number, frame = item
        try:
            rgb = convert(frame)
        except Exception:  # noqa: BLE001 - an unconvertible frame is a dropped frame
            rgb = None
        del frame
        if mailbox.accepting:
            _the_relay().converted.emit(converter_id, number, rgb)


class FrameConverter(QObject):
    """start() / offer(frame) from any thread / stop(); signals arrive on the GUI thread."""

    frameConverted = Signal(object)  # (H, W, 3) uint8, owned by the receiver
    framesDropped = Signal(int)  # accepted frames that will never be delivered

    def __init__(self, convert: Callable[[QVideoFrame], np.ndarray | None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: QVideoFrame -> RGB array or None (default: frames.video_frame_to_rgb)
        self.convert = convert
        self._mailbox: _Mailbox | None = None
        self._thread: threading.Thread | None = None
        self._id = 0
        self._delivered = 0  # number of the last frame delivered or counted as dropped
        _the_relay().converted.connect(self._on_converted)

    @property
    def running(self) -> bool:
        return self._mailbox is not None

    def start(self) -> None:
        if self._mailbox is not None:
            return
        self._id, self._delivered = next(_ids), 0
        self._mailbox = _Mailbox()
        convert = self.convert or (lambda f: frames.video_frame_to_rgb(f))
        self._thread = threading.Thread(target=_convert_loop, name=CONVERT_THREAD_NAME,
                                        args=(self._mailbox, self._id, convert), daemon=True)
        self._thread.start()

    def offer(self, frame: QVideoFrame) -> None:
        """Hand over a frame (any thread); ignored when not running."""
        mailbox = self._mailbox
        if mailbox is not None:
            mailbox.offer(frame)

    def stop(self) -> None:
        """Stop accepting, end the thread (after the conversion in flight) and report the
        accepted frames that were not delivered as dropped."""
        mailbox, thread, self._mailbox, self._thread = self._mailbox, self._thread, None, None
        if mailbox is None:
            return
        accepted = mailbox.close()
        thread.join(JOIN_TIMEOUT_S)
        self._id = 0  # results still queued are discarded
        lost, self._delivered = accepted - self._delivered, accepted
        if lost > 0:
            self.framesDropped.emit(lost)

    def accepted_all_delivered(self) -> bool:
        """Every frame accepted so far has been delivered or counted (nothing in flight)."""
        return self._mailbox is None or self._delivered == self._mailbox.accepted

    def _on_converted(self, converter_id: int, number: int, rgb) -> None:
        if converter_id != self._id or self._mailbox is None or number <= self._delivered:
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
