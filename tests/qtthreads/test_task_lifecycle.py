"""Background tasks and threads: none accumulate, closing never waits for one to end, and
one still running when its owner goes is never destroyed while it runs."""
from __future__ import annotations

import gc
import threading

import pytest
import shiboken6
from PySide6.QtCore import QObject

from live_fakes import FakeRunner, fake_factory, fake_loader, square_frame
from visualizer.qtthreads import task as task_module
from visualizer.qtthreads.task import Task, stop, unfinished
from visualizer.ui.live.pipeline import LivePipeline


def live_tasks() -> list[Task]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Task) and shiboken6.isValid(o)]


def test_twenty_model_loads_leave_no_task_behind(qtbot, closing):
    factory = fake_factory()
    pipe = closing(LivePipeline(load_fn=fake_loader(), runner_factory=factory))
    before = len(live_tasks())
    for i in range(20):
        with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
            pipe.load_model(f"untrained:0.25_{128 + 32 * (i % 4)}")
    qtbot.waitUntil(lambda: unfinished() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: len(live_tasks()) == before, timeout=5_000)
    assert len(factory.runners) == 20 and pipe.model.spec.resolution == 128 + 32 * 3
    assert all(r.closed for r in factory.runners[:-1])


@pytest.fixture
def gate():
    """An event the test's stuck jobs wait for; opened at the end even if the test fails."""
    event = threading.Event()
    yield event
    event.set()


def test_stop_detaches_a_task_that_does_not_end_and_it_deletes_itself_later(qtbot, gate):
    started = threading.Event()

    def stubborn(report, cancelled):  # ignores cancel, like a long native call
        started.set()
        gate.wait(30)
        return "done"

    owner = QObject()
    task = Task(stubborn, owner)
    task.start()
    assert started.wait(5)
    stop(task, timeout_ms=20)  # returns although the job still runs
    assert task.isRunning() and task.isInterruptionRequested()
    assert task.parent() is None and unfinished() == 1
    owner.deleteLater()  # its former owner goes: the running task must survive it
    del owner
    qtbot.waitUntil(lambda: task.isRunning(), timeout=1_000)
    gate.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(task), timeout=10_000)
    assert unfinished() == 0


class GatedRunner(FakeRunner):
    """Infers only when its gate opens (an inference much longer than closing waits)."""

    def __init__(self, model, gate: threading.Event) -> None:
        super().__init__(model, 0.0)
        self.gate, self.entered = gate, threading.Event()

    def infer(self, frame_rgb, frame_id=0):
        self.entered.set()
        self.gate.wait(30)
        return super().infer(frame_rgb, frame_id)


def test_shutdown_with_an_inference_in_flight_returns_and_closes_the_runner_after_it(
        qtbot, closing, gate):
    runners = []

    def factory(model, threads, every=None):
        runners.append(GatedRunner(model, gate))
        return runners[-1]

    pipe = closing(LivePipeline(load_fn=fake_loader(), runner_factory=factory))
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        pipe.load_model("untrained:0.25_128")
    pipe._on_frame(square_frame(0))  # one frame into the worker, which blocks on the gate
    assert runners[0].entered.wait(5)
    pipe.shutdown(timeout_ms=20)
    assert pipe.thread_running and not runners[0].closed  # detached, not waited for
    assert pipe._thread in task_module._detached
    gate.set()
    qtbot.waitUntil(lambda: runners[0].closed and not task_module._detached, timeout=10_000)


def test_closing_the_window_lets_a_stuck_load_and_sweep_go(qtbot, monkeypatch, gate):
    from visualizer.ui.main_window import MainWindow

    loads, sweeps = threading.Event(), threading.Event()

    def stuck_load(source, alpha, resolution, progress, cancel, **_precision):
        loads.set()
        gate.wait(30)
        raise RuntimeError("never mind")

    def stuck_sweep(*args, **kwargs):
        sweeps.set()
        gate.wait(30)
        return []

    monkeypatch.setattr("visualizer.ui.network.sweep_view.run_sweep", stuck_sweep)
    window = MainWindow(first_tab="live")
    live, network = window.page("live"), window.page("network")
    live.pipeline.cancel_load()
    live.pipeline._load_fn = stuck_load
    live.load_model("untrained:0.25_128")
    network.sweep.start()
    assert loads.wait(5) and sweeps.wait(5)
    load_task, sweep_task = live.pipeline._load_task, network.sweep.task
    window.close()  # cancels, waits a little, then detaches what still runs
    assert load_task.isRunning() and sweep_task.isRunning()
    assert load_task.parent() is None and sweep_task.parent() is None
    assert not live.pipeline.thread_running  # the idle inference thread ended at once
    window.deleteLater()  # the tabs go; their tasks must not go with them while running
    del window, live, network
    gc.collect()
    qtbot.waitUntil(lambda: load_task.isRunning() and sweep_task.isRunning(), timeout=1_000)
    gate.set()
    qtbot.waitUntil(lambda: unfinished() == 0, timeout=10_000)
    assert not task_module._detached
