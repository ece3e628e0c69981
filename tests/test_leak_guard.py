"""The guard every test runs under (tests/conftest.py) finds and stops what a test left."""
from __future__ import annotations

import signal
import threading

import pytest

from leak_guard import LeakGuard


def test_a_python_thread_left_running_is_reported():
    guard = LeakGuard()
    guard.before()
    release = threading.Event()
    worker = threading.Thread(target=release.wait, name="left-behind")
    worker.start()
    try:
        left = guard.after(grace_s=0.05)
    finally:
        release.set()
        worker.join()
    assert left == ["Python thread 'left-behind'"]
    guard.before()
    assert guard.after(grace_s=0.05) == []


def test_a_thread_ending_within_the_grace_period_is_not_a_leak():
    guard = LeakGuard()
    guard.before()
    release = threading.Event()
    worker = threading.Thread(target=release.wait, name="ending")
    worker.start()
    threading.Timer(0.05, release.set).start()
    assert guard.after(grace_s=10) == []
    worker.join()


def test_qthreads_and_timers_left_running_are_reported_and_stopped(qapp):
    from PySide6.QtCore import QObject, QThread, QTimer

    guard = LeakGuard()
    guard.before()
    thread = QThread()
    thread.setObjectName("inference")
    thread.start()  # an event loop: runs until quit()
    timer = QTimer()
    timer.start(500)
    owner = QObject()
    QTimer.singleShot(60_000, owner.deleteLater)  # a method of a QObject: its child
    QTimer.singleShot(60_000, lambda: None)  # no context: kept until it fires
    left = guard.after(grace_s=0.05)
    assert len(left) == 4, left
    assert any(l.startswith("QThread 'inference' started at tests/test_leak_guard.py:")
               for l in left)
    assert sum(l.startswith("QTimer (500 ms) started at tests/test_leak_guard.py") for l in left) == 1
    assert sum("single-shot QTimer (60000 ms)" in l for l in left) == 2
    assert not thread.isRunning() and not timer.isActive()  # stopped: the run goes on
    guard.before()
    assert guard.after(grace_s=0.05) == []


def test_a_single_shot_that_fires_in_time_is_not_a_leak(qapp):
    from PySide6.QtCore import QTimer

    guard = LeakGuard()
    guard.before()
    fired = []
    QTimer.singleShot(10, lambda: fired.append(1))
    assert guard.after(grace_s=10) == [] and fired == [1]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
def test_an_alarm_ends_a_test_waiting_in_a_qt_event_loop(qapp):
    """What pytest-timeout relies on: its SIGALRM handler's exception ends a QEventLoop
    that nothing else would wake, and comes out of exec() like a test's own exception."""
    from PySide6.QtCore import QEventLoop, QTimer

    from leak_guard import LeakGuard

    class Alarm(Exception):
        pass

    def handler(signum, frame):
        raise Alarm("time is up")

    pytest_timeout = signal.signal(signal.SIGALRM, handler)
    remaining = signal.getitimer(signal.ITIMER_REAL)
    backstop = QTimer(singleShot=True)  # without the guard: the loop ends, and no Alarm
    try:
        LeakGuard._tracker().alarm.prepare()  # as before every test
        loop = QEventLoop()
        backstop.timeout.connect(loop.quit)
        backstop.start(5_000)
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(Alarm, match="time is up"):
            loop.exec()  # nothing quits it before the backstop
    finally:
        backstop.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, pytest_timeout)
        signal.setitimer(signal.ITIMER_REAL, *remaining)
