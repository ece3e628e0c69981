"""What a test leaves running: Python threads, and the QThreads and QTimers it started.

`tests/conftest.py` checks every test with `LeakGuard`: a snapshot before, a comparison
after, with a short grace period in which Qt events are processed (queued `finished`
signals, deleteLater) so that work that is already ending may end. Anything still running
then fails the test, and is stopped first: a QThread left running would otherwise be
destroyed while running when its owner is collected, and Qt would abort the whole run
("QThread: Destroyed while thread ... is still running").

Qt objects are only tracked once PySide6 is imported: `QThread.start`, `QTimer.start`,
`QTimer.singleShot` and `FrameSource.start` are wrapped (once, for the session) to note
what was started and where. Tests that never touch Qt pay for a thread listing only.
qt_alarm.py lets pytest-timeout end a test that waits in a Qt event loop.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading
import time
import weakref

from qt_alarm import QtAlarm

#: How long a test's threads and timers may take to end after it (seconds).
GRACE_S = 5.0
#: QThreads the guard could not stop: kept alive for good, never destroyed while running.
_IMMORTAL: list = []


@atexit.register
def _leave_without_destroying_running_threads() -> None:
    """At exit, a QThread still running would be destroyed and Qt would abort the process
    (losing the run's summary): give them time to end, else leave without destructors."""
    running = [t for t in _IMMORTAL if _still_running(t)]
    for thread in running:
        thread.wait(10_000)
    if any(_still_running(t) for t in running):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)  # the run has failed already: the guard reported these threads


def _still_running(thread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:
        return False


def running_threads() -> set[threading.Thread]:
    """Python-visible threads still running at OS level.

    threading.enumerate() keeps a _DummyThread entry for every foreign (QThread) thread
    that ever ran Python code, alive or not, so on Linux the thread's native id is checked
    against the process's task list.
    """
    try:
        tasks = {int(t) for t in os.listdir("/proc/self/task")}
    except OSError:
        return {t for t in threading.enumerate()
                if t.is_alive() and not isinstance(t, threading._DummyThread)}
    return {t for t in threading.enumerate() if t.native_id in tasks}


def _caller(depth: int = 2) -> str:
    """file:line of the code that started a thread or timer (outside this module)."""
    frame = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None:
        return "?"
    path = frame.f_code.co_filename
    for root in ("/tests/", "/visualizer/", "/site-packages/"):
        if root in path:
            path = path[path.index(root) + 1:]
            break
    return f"{path}:{frame.f_lineno}"


class _QtTracker:
    """Notes every QThread and QTimer started from Python (weakly: it keeps none alive)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QThread, QTimer

        self.QThread, self.QTimer = QThread, QTimer
        self.threads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.timers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.pending_shots: set = set()  # parentless single shots: alive until they fire
        thread_start, timer_start = QThread.start, QTimer.start
        self.single_shot = single_shot = QTimer.singleShot
        tracker = self

        def start_thread(thread, *args):
            tracker.threads[thread] = _caller()
            return thread_start(thread, *args)

        def start_timer(timer, *args):
            tracker.timers[timer] = _caller()
            return timer_start(timer, *args)

        def shot(msec, *args):
            if threading.current_thread() is not threading.main_thread():
                return single_shot(msec, *args)  # no Qt call of the guard's off the GUI thread
            timer = tracker._shot_timer(msec, *args)
            if timer is None:  # an overload or a thread the guard does not mimic
                return single_shot(msec, *args)
            tracker.timers[timer] = _caller()
            timer_start(timer, msec)

        QThread.start = start_thread
        QTimer.start = start_timer
        QTimer.singleShot = staticmethod(shot)
        self.sources: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._sources_tracked = False
        self.alarm = QtAlarm()

    def track_sources(self) -> None:
        """Frame sources (visualizer.video) a test started, once that module is imported."""
        module = sys.modules.get("visualizer.video.frame_source")
        if module is None or self._sources_tracked:
            return
        self._sources_tracked = True
        source_start, tracker = module.FrameSource.start, self

        def start_source(source, *args):
            tracker.sources[source] = _caller()
            return source_start(source, *args)

        module.FrameSource.start = start_source

    def _shot_timer(self, msec, *args):
        """A single-shot QTimer doing what QTimer.singleShot(msec, *args) does, or None.

        With a context object the timer is its child (it dies with it, as Qt's would);
        without one it is kept alive until it fires."""
        from PySide6.QtCore import QCoreApplication, QObject, QThread

        if not isinstance(msec, int) or not args or len(args) > 2:
            return None
        context, fn = (None, args[0]) if len(args) == 1 else args
        if context is None and isinstance(getattr(fn, "__self__", None), QObject):
            context = fn.__self__  # a method of a QObject: it dies with its object
        app = QCoreApplication.instance()
        if (not callable(fn) or (context is not None and not isinstance(context, QObject))
                or app is None or QThread.currentThread() is not app.thread()
                or (context is not None and context.thread() is not app.thread())):
            return None
        timer = self.QTimer(context)
        timer.setSingleShot(True)
        if context is None:
            self.pending_shots.add(timer)

        def fire() -> None:
            self.pending_shots.discard(timer)
            timer.deleteLater()
            fn()

        timer.timeout.connect(fire)
        return timer

    def forget(self) -> None:
        self.threads.clear()
        self.timers.clear()
        self.sources.clear()
        self.track_sources()
        self.alarm.prepare()

    def running(self) -> list[tuple[object, str]]:
        """(QThread or QTimer, where it was started) of those still running."""
        out = []
        for table, alive in ((self.sources, "running"), (self.threads, "isRunning"),
                             (self.timers, "isActive")):
            for obj, where in list(table.items()):
                try:
                    if alive == "running" and obj.running or alive != "running" and \
                            getattr(obj, alive)():
                        out.append((obj, where))
                except RuntimeError:  # its C++ object is gone: not running
                    pass
        return out

    def stop(self, obj) -> bool:
        """Stop a leaked thread or timer; True when it has stopped."""
        try:
            if not isinstance(obj, (self.QTimer, self.QThread)):  # a frame source
                obj.stop()
                return True
            if isinstance(obj, self.QTimer):
                obj.stop()
                self.pending_shots.discard(obj)
                return True
            obj.requestInterruption()
            obj.quit()
            if obj.wait(5_000):
                return True
            _IMMORTAL.append(obj)  # never destroyed while running: no abort later
            return False
        except RuntimeError:
            return True


def describe(obj) -> str:
    try:
        from PySide6.QtCore import QTimer

        name = obj.objectName()
        if hasattr(obj, "description") and hasattr(obj, "running"):
            return f"frame source {type(obj).__name__} ({obj.description})"
        if isinstance(obj, QTimer):
            kind = "single-shot " if obj.isSingleShot() else ""
            return f"{kind}QTimer ({obj.interval()} ms{', ' + name if name else ''})"
        return f"{type(obj).__name__} {name!r}" if name else type(obj).__name__
    except RuntimeError:
        return type(obj).__name__


class LeakGuard:
    """One test: `before()`, then `after()` returns what the test left running ([] if
    nothing), having stopped the Qt threads and timers among it."""

    _qt: _QtTracker | None = None

    @classmethod
    def _tracker(cls) -> _QtTracker | None:
        if cls._qt is None and "PySide6.QtCore" in sys.modules:
            cls._qt = _QtTracker()
        return cls._qt

    def before(self) -> None:
        self.threads = running_threads()
        qt = self._tracker()
        if qt is not None:
            qt.forget()

    def _left(self) -> tuple[list, list]:
        qt = self._qt
        py = [t for t in running_threads() - self.threads  # QThreads are tracked apart
              if not isinstance(t, threading._DummyThread)]
        return py, (qt.running() if qt is not None else [])

    def after(self, grace_s: float = GRACE_S) -> list[str]:
        py, qt_objs = self._left()
        deadline = time.monotonic() + grace_s
        while (py or qt_objs) and time.monotonic() < deadline:
            self._wait_a_little()
            py, qt_objs = self._left()
        problems = [f"Python thread {t.name!r}" for t in py]
        for obj, where in qt_objs:
            what = f"{describe(obj)} started at {where}"
            stopped = self._qt.stop(obj)
            problems.append(what + ("" if stopped else " (would not stop; kept alive)"))
        return problems

    def _wait_a_little(self, ms: int = 20) -> None:
        """Let Qt deliver queued signals and deferred deletes for `ms` (or just sleep)."""
        qt = self._qt
        if qt is not None:
            from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QThread

            app = QCoreApplication.instance()
            if app is not None and QThread.currentThread() is app.thread():
                loop = QEventLoop()
                qt.single_shot(ms, loop.quit)
                loop.exec()
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                return
        time.sleep(ms / 1000)
