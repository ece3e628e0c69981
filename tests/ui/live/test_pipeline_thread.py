"""The inference thread's life: started with the first model, never destroyed running,
its runner closed after it, whoever lets go of the pipeline first."""
from __future__ import annotations

import gc
import threading

import numpy as np

from live_fakes import fake_factory, fake_loader
from visualizer.qtthreads.task import unfinished
from visualizer.ui.live.pipeline import LivePipeline


def test_no_thread_runs_before_a_model_is_loaded(qtbot, closing):
    pipe = closing(LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory()))
    assert not pipe.thread_running
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        pipe.load_model("untrained:0.25_128")
    assert pipe.thread_running


def test_a_pipeline_deleted_mid_inference_without_shutdown_ends_its_thread(qtbot):
    """No abort ("QThread: Destroyed while thread is still running"): the thread ends
    after the inference in flight and its runner is closed after it."""
    gate = threading.Event()
    factory = fake_factory(0.0, gate=gate)
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=factory)
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        pipe.load_model("untrained:0.25_128")
    pipe._on_frame(np.zeros((64, 64, 3), np.uint8))  # an inference now waits for the gate
    runner = factory.runners[0]
    qtbot.waitUntil(lambda: bool(runner.threads), timeout=5_000)
    del pipe
    gc.collect()  # the pipeline is gone; its thread is still inferring
    assert not runner.closed
    gate.set()
    qtbot.waitUntil(lambda: runner.closed, timeout=5_000)
    qtbot.waitUntil(lambda: unfinished() == 0, timeout=5_000)
