"""FrameSource: the one interface of every frame source (camera, video, images).

A source emits frames as RGB uint8 numpy arrays and reports problems as one line on
`error`, after which it has stopped and released its device. A source that delivers no
frame within FIRST_FRAME_TIMEOUT_S seconds is reported too: on a bare Linux, Qt Multimedia
silently loads no backend when libpulse0 or libxrandr2 is missing, and no frame ever
arrives.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

FIRST_FRAME_TIMEOUT_S = 10.0


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
