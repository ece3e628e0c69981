"""Ctrl-C and SIGTERM while Qt's event loop runs: a clean stop with exit code 130.

Python runs a signal handler only between bytecodes of the main thread, and Qt's event
loop waits in C++: a Ctrl-C would wait for the next Python slot, and its KeyboardInterrupt
would be raised inside that slot, printed as a traceback and ignored. So while the loop
runs, the signal also writes a byte to a socket (signal.set_wakeup_fd) that a
QSocketNotifier watches, and the handler asks the event loop to end instead of raising.

Outside an event loop (the headless `animate`), Qt calls that call back into Python (a
widget's event and paint methods while it is laid out and grabbed) run with the signals
held (`signals_held`): a KeyboardInterrupt raised inside such a callback unwinds through
Qt's C++ frames, which crashed the process (a segfault in sendPostedEvents, 5 of 5
Ctrl-C's); held, it is raised once the Qt call has returned.
"""
from __future__ import annotations

import signal
import socket
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QTimer

#: The exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report).
INTERRUPTED = 130
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM")
                if hasattr(signal, name))


class Interrupted:
    """What quit_on_signals saw (`signum` is None until a signal arrived), and what to do
    at the first signal (`on_signal`; None: end the event loop with INTERRUPTED)."""

    signum: int | None = None
    on_signal: Callable[[], None] | None = None


@contextmanager
def signals_held() -> Iterator[None]:
    """Inside, SIGINT and SIGTERM are only noted; when the block ends, the handlers that
    were in place get them (the default one then raises KeyboardInterrupt here, in plain
    Python). Does nothing off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def note(signum, _frame) -> None:
        pending.append(signum)

    previous = {s: signal.signal(s, note) for s in SIGNALS}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
        for signum in dict.fromkeys(pending):  # each signal once, in order
            _deliver(signum, previous[signum])


def _deliver(signum: int, handler) -> None:
    """Act on a held signal as `handler` (the one that was in place) would have."""
    if callable(handler):
        handler(signum, None)
    elif handler != signal.SIG_IGN:  # the default action (for SIGTERM: the process ends)
        signal.raise_signal(signum)


class _Wakeup(QObject):
    """Wakes the event loop when a signal arrives so that its Python handler runs."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._previous = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:  # the pending Python handler runs about here
        try:
            self._read.recv(512)
        except OSError:
            pass

    def close(self) -> None:
        signal.set_wakeup_fd(self._previous)
        self._notifier.setEnabled(False)
        self._read.close()
        self._write.close()


@contextmanager
def quit_on_signals() -> Iterator[Interrupted]:
    """Inside: SIGINT or SIGTERM ends the application's event loop with INTERRUPTED, or
    runs the yielded object's `on_signal`, which then ends the loop in its own way (e.g.
    once a report is written); a second signal ends the loop at once. The action waits
    for the event loop to run, so a signal that arrives while the window is being built,
    before `app.exec()`, still ends it. Outside, the previous handlers apply. Does nothing
    off the main thread or without an application."""
    seen = Interrupted()
    app = QCoreApplication.instance()
    if app is None or threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def handler(signum, _frame) -> None:
        first, seen.signum = seen.signum is None, seen.signum or signum
        action = seen.on_signal if first and seen.on_signal is not None else \
            (lambda: app.exit(INTERRUPTED))
        QTimer.singleShot(0, app, action)  # runs in the event loop, whenever that starts

    wakeup = _Wakeup(app)
    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield seen
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
        wakeup.close()
        wakeup.deleteLater()

