"""'Export animation…': GIF or MP4 of the current path from the current step, with a
progress dialog that can cancel.

The widgets must render on the GUI thread, one frame per timer tick (the window stays
responsive between frames); encoding runs on an 'animation-encode' thread fed through a
small queue. A tick whose frame would not fit in the queue waits for the next tick
instead of blocking. The file appears only when complete (conv.animation writes a
temporary file in the target folder and renames it).
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from visualizer.conv.animation import (DEFAULT_SIZE, AnimationError, AnimationPlan, make_plan,
                                       max_fps)
from visualizer.io.animation_files import AnimationWriter
from visualizer.ui.convolution.frames import FrameRenderer, MakeView

#: Frame size of an export from the window (the headless command takes --size).
EXPORT_SIZE = DEFAULT_SIZE
_END, _CANCEL = object(), object()


class AnimationExporter(QObject):
    """Owned by the tab; `finished(path, error)` when an export ends ('' = success,
    'cancelled' when the user cancelled)."""

    finished = Signal(str, str)
    _encoded = Signal(str)  # from the encoding thread, delivered on the GUI thread

    def __init__(self, tab: QWidget, make_view: MakeView) -> None:
        super().__init__(tab)
        self.tab, self.make_view = tab, make_view
        self.plan: AnimationPlan | None = None
        self.dialog: QProgressDialog | None = None
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next_frame)
        self._encoded.connect(self._done, Qt.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def ask_and_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.tab, "Export animation", "convolution.gif",
            "GIF animation (*.gif);;MP4 video (*.mp4)")
        if path:
            self.export(path)

    def export(self, path: str | Path, size: tuple[int, int] = EXPORT_SIZE) -> bool:
        """Start exporting; False (and a message in the tab) if the request is invalid."""
        if self.running:
            return False
        ex = self.tab.explorer
        self.tab.pause()
        start = 0 if ex.at_end else ex.position
        try:
            fps = min(float(self.tab.transport.steps_per_second), max_fps(path))  # 120/s
            plan = make_plan(path, ex.spec, ex.path, fps, size, start)
        except AnimationError as e:
            self.tab.show_message(f"Not exported: {e}")
            return False
        self.plan = plan
        self.renderer = FrameRenderer(plan, self.make_view, ex)
        self._positions = iter(plan.schedule())
        self._rendered = 0
        self._cancelled = False
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._thread = threading.Thread(target=self._encode, args=(plan,),
                                        name="animation-encode", daemon=True)
        total = len(plan.positions) + plan.summary_frames
        self.dialog = QProgressDialog(f"Rendering {len(plan.positions):,} step frames and the "
                                      f"summary into {plan.out.name}…", "Cancel", 0, total,
                                      self.tab)
        self.dialog.setWindowTitle("Export animation")
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self._thread.start()
        self._timer.start()
        return True

    def cancel(self) -> None:
        if not self.running or self._cancelled:
            return
        self._cancelled = True
        self._timer.stop()
        self._put(_CANCEL)

    def shutdown(self) -> None:
        """Cancel a running export and wait for its thread (the window is closing)."""
        if self.running:
            self.cancel()
            self._thread.join()
            self._done("cancelled")

    def _put(self, item: object) -> None:
        """Hand an item to the encoder; it is always draining, so this waits briefly
        at most (unless it has already stopped on an error: then nothing is waited for)."""
        while self._thread is not None and self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def _next_frame(self) -> None:
        if self._queue.full():
            return  # the encoder is behind: try again on the next tick
        item = next(self._positions, None)
        if item is None:
            self._timer.stop()
            self.dialog.setLabelText(f"Writing {self.plan.out.name}…")
            self._put(_END)
            return
        self._queue.put(self.renderer.frame(*item))
        self._rendered += 1
        self.dialog.setValue(self._rendered)

    def _encode(self, plan: AnimationPlan) -> None:
        error = ""
        try:
            with AnimationWriter(plan) as writer:
                while True:
                    item = self._queue.get()
                    if item is _END:
                        break
                    if item is _CANCEL:
                        writer.cancel()
                        error = "cancelled"
                        break
                    writer.append(item)
        except Exception as e:  # noqa: BLE001 - disk full, codec missing: told to the user
            error = f"{type(e).__name__}: {e}".splitlines()[0]
        self._encoded.emit(error)

    def _done(self, error: str) -> None:
        if self._thread is None:  # already finished by shutdown()
            return
        self._timer.stop()
        self._thread.join()
        self._thread = None
        self.renderer.close()
        self.dialog.close()
        self.dialog.deleteLater()
        self.dialog = None
        plan = self.plan
        if not error:
            self.tab.show_message(f"Exported {len(plan.positions):,} step frames and the "
                                  f"summary to {plan.out}", error=False)
        elif error != "cancelled":
            self.tab.show_message(f"Not exported: {error}")
        self.finished.emit(str(plan.out), error)
