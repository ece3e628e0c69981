"""pytest-timeout's SIGALRM ends a test even while it waits in a Qt event loop.

With timeout_method = "signal", the alarm's Python handler raises in the test, but Python
runs a handler only between bytecodes of the main thread: a test waiting in a Qt event
loop with nothing to wake it (qtbot.waitSignal with no timeout, a bare QEventLoop) would
wait forever, and a handler that did run inside a Qt slot would have its exception
printed and swallowed. So `QEventLoop.exec` is wrapped to know the loops a test is in,
the signal also writes to a socket a QSocketNotifier watches (the loop wakes up and the
handler runs), and the handler ends those loops and has its exception raised where the
outermost one returns, as if the test itself had raised it.
"""
from __future__ import annotations

import threading


class QtAlarm:
    """Made once for the session (it wraps QEventLoop.exec); `prepare()` before each test."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop

        loops: list = []
        self.pending: BaseException | None = None
        exec_loop, tracker = QEventLoop.exec, self  # tests call loop.exec() from Python

        def exec_tracked(loop, *args):
            loops.append(loop)
            try:
                return exec_loop(loop, *args)
            finally:
                loops.pop()
                if not loops and tracker.pending is not None:
                    exc, tracker.pending = tracker.pending, None
                    raise exc

        QEventLoop.exec = exec_tracked
        self.loops = loops
        self._notifier = None

    def ensure_wakeup(self) -> None:
        """Install the signal wake-up once a QApplication exists."""
        from PySide6.QtCore import QCoreApplication, QSocketNotifier

        app = QCoreApplication.instance()
        if (self._notifier is not None or app is None
                or threading.current_thread() is not threading.main_thread()):
            return
        import signal
        import socket

        self._wake_r, self._wake_w = socket.socketpair()
        for s in (self._wake_r, self._wake_w):
            s.setblocking(False)
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._wake_r.fileno(), QSocketNotifier.Type.Read,
                                         app)

        def woken() -> None:  # a pending Python signal handler runs about here
            try:
                self._wake_r.recv(512)
            except OSError:
                pass

        self._notifier.activated.connect(woken)

    def wrap_alarm(self) -> None:
        """Make pytest-timeout's SIGALRM handler (set for each test) end the event loops
        the test waits in, and raise its exception where the outermost one returns."""
        import signal

        if not hasattr(signal, "SIGALRM"):
            return
        handler = signal.getsignal(signal.SIGALRM)
        if not callable(handler) or getattr(handler, "ends_qt_loops", False):
            return

        def in_qt_loops(signum, frame):
            if not self.loops:
                return handler(signum, frame)
            try:
                handler(signum, frame)
            except BaseException as exc:  # noqa: BLE001 - e.g. pytest-timeout's Failed
                self.pending = exc
                for loop in self.loops:
                    loop.exit(1)

        in_qt_loops.ends_qt_loops = True
        signal.signal(signal.SIGALRM, in_qt_loops)

    def prepare(self) -> None:
        """Before each test: the wake-up (once a QApplication exists) and the handler
        pytest-timeout has just set for this test."""
        self.ensure_wakeup()
        self.wrap_alarm()
