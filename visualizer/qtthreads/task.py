"""A cancellable background job on its own QThread, and letting threads go without waiting.

The job function runs off the GUI thread and never touches widgets: it reports through
`report(obj)` and its return value, which reach the GUI thread as queued signals.

A Task deletes itself once its thread has finished, so none accumulate across model loads.
Closing never waits long for one: `stop` cancels, waits briefly, then *detaches* a task
still running (a download, a sweep setting, an inference): it loses its parent (whose
deletion would otherwise destroy a running QThread, which aborts the process) and is kept
alive here until it finishes on its own. `wait_all` lets the program wait for those after
its window has gone.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

#: fn(report, cancelled) -> result
JobFn = Callable[[Callable[[Any], None], Callable[[], bool]], Any]
#: How long closing waits for a cancelled task before detaching it (ms).
STOP_WAIT_MS = 300

#: Tasks started and not yet deleted (by id): a QThread destroyed while running aborts the
#: process, and one deleted from inside its own slot corrupts Qt's bookkeeping.
_tasks: dict[int, "Task"] = {}
#: Other threads let go while still running, each with its reaper (see detach).
_detached: dict[QThread, "_Reaper"] = {}
#: Threads an owner still uses, kept alive until they finish (see keep_until_finished).
_kept: dict[QThread, "_Reaper"] = {}


class _Reaper(QObject):
    """Owned by the application, on the GUI thread: a detached thread's `finished` reaches
    it queued; it runs `on_end`, then deletes the thread and itself."""

    def __init__(self, thread: QThread, on_end: Callable[[], None] | None) -> None:
        super().__init__(QCoreApplication.instance())
        self._thread, self._on_end = thread, on_end
        thread.finished.connect(self._ended)

    @Slot()
    def _ended(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        _detached.pop(thread, None)
        _kept.pop(thread, None)
        try:
            if self._on_end is not None:
                self._on_end()
        finally:
            thread.deleteLater()  # Qt waits for the thread's last instructions, if any
            self.deleteLater()


class Task(QThread):
    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)  # one user-facing line

    def __init__(self, fn: JobFn, parent=None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._reaped = False

    def start(self, *args) -> None:
        _tasks[id(self)] = self  # alive until deleted, whoever else lets go of it
        if not self._reaped:  # connected last: queued after the owner's own slots
            self._reaped = True
            self.finished.connect(self._delete_when_done)
            self.destroyed.connect(lambda _=None, key=id(self): _tasks.pop(key, None))
        super().start(*args)

    def run(self) -> None:  # worker thread
        try:
            result = self._fn(self.progressed.emit, self.isInterruptionRequested)
        except Exception as exc:  # shown inline by the owner, never a traceback
            self.failed.emit(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
        else:
            self.succeeded.emit(result)

    def cancel(self) -> None:
        self.requestInterruption()

    @Slot()
    def _delete_when_done(self) -> None:
        self.deleteLater()  # later, outside this slot; `destroyed` then lets go of it


def alive(thread: QThread | None) -> bool:
    """True while `thread` exists and runs (False once Qt has deleted it)."""
    try:
        return thread is not None and thread.isRunning()
    except RuntimeError:  # its C++ object is gone
        return False


def detach(thread: QThread, on_end: Callable[[], None] | None = None) -> None:
    """Let a running thread finish on its own: without a parent (whose deletion would
    destroy it running) and kept alive here until it has finished; then `on_end()` runs on
    the GUI thread and the thread is deleted. A Task needs no `on_end`: it deletes itself."""
    thread.setParent(None)
    if isinstance(thread, Task) or thread in _detached:
        return
    reaper = _kept.pop(thread, None)  # its owner lets go: it now counts as detached
    _detached[thread] = reaper = reaper or _Reaper(thread, on_end)
    if thread.isFinished():  # it ended meanwhile: its `finished` has been sent already
        reaper._ended()


def keep_until_finished(thread: QThread, on_end: Callable[[], None] | None = None) -> None:
    """Keep an unparented thread (started or about to be) alive here until it has
    finished, whoever lets go of it; then `on_end()` runs on the GUI thread and the thread
    is deleted. So it is never destroyed while running; an owner that cannot wait for it
    any longer calls detach()."""
    if isinstance(thread, Task) or thread in _detached or thread in _kept:
        return
    _kept[thread] = reaper = _Reaper(thread, on_end)
    if thread.isFinished():
        reaper._ended()


def stop(*tasks: Task | None, timeout_ms: int = STOP_WAIT_MS) -> None:
    """Cancel tasks, wait for them `timeout_ms` in all, and detach those still running."""
    running = [t for t in tasks if alive(t)]
    for task in running:
        task.cancel()
    deadline = time.monotonic() + timeout_ms / 1000
    for task in running:
        if not task.wait(max(0, int((deadline - time.monotonic()) * 1000))):
            detach(task)


def unfinished() -> int:
    """Tasks and detached threads that have not finished (and been reaped) yet."""
    return len(_tasks) + len(_detached)


def wait_all(timeout_s: float) -> bool:
    """Wait up to `timeout_s` for every task and detached thread to end; True if they did.

    For the end of the program, after the window has gone: a QThread object destroyed
    while its thread runs aborts the process, so whoever exits waits for them first (or
    leaves without running destructors)."""
    deadline = time.monotonic() + timeout_s
    for thread in [*_tasks.values(), *_detached, *_kept]:
        if alive(thread) and not thread.wait(
                max(0, int((deadline - time.monotonic()) * 1000))):
            return False
    return True
