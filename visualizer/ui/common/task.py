"""A cancellable background job on its own QThread.

The job function runs off the GUI thread and never touches widgets: it reports through
`report(obj)` and its return value, which reach the GUI thread as queued signals.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QThread, Signal

#: fn(report, cancelled) -> result
JobFn = Callable[[Callable[[Any], None], Callable[[], bool]], Any]


class Task(QThread):
    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)  # one user-facing line

    def __init__(self, fn: JobFn, parent=None) -> None:
        super().__init__(parent)
        self._fn = fn

    def run(self) -> None:  # worker thread
        try:
            result = self._fn(self.progressed.emit, self.isInterruptionRequested)
        except Exception as exc:  # shown inline by the owner, never a traceback
            self.failed.emit(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
        else:
            self.succeeded.emit(result)

    def cancel(self) -> None:
        self.requestInterruption()


def stop(task: Task | None, timeout_ms: int = 30_000) -> None:
    """Ask a task to stop and wait for its thread to end (used on close)."""
    if task is not None and task.isRunning():
        task.cancel()
        task.wait(timeout_ms)
