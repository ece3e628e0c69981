"""The live pipeline: real video decoding into a worker thread, with a fake runner."""
from __future__ import annotations

import threading
import time

from live_fakes import fake_factory, fake_loader, running_threads
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.video.images import ImageSource
from visualizer.video.sources import VideoFileSource


def make(closing, delay_s=0.06):
    """A pipeline with a fake runner; shut down when the test ends, even if it fails."""
    factory = fake_factory(delay_s)
    pipe = closing(LivePipeline(load_fn=fake_loader(), runner_factory=factory))
    pipe.factory = factory
    return pipe


def load(qtbot, pipe, spec="untrained:0.25_128"):
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        pipe.load_model(spec)


def test_video_flows_through_worker_and_drops_are_counted(qtbot, closing, square_video):
    before = running_threads()
    pipe = make(closing, delay_s=0.06)  # slower than the 33 ms frame interval: drops
    load(qtbot, pipe)
    results = []
    pipe.resultReady.connect(lambda r, f: results.append((r, f)))
    ended = []
    pipe.sourceEnded.connect(lambda: ended.append(True))
    pipe.start(VideoFileSource(square_video))
    qtbot.waitUntil(lambda: bool(ended), timeout=20_000)
    qtbot.waitUntil(lambda: not pipe.busy, timeout=5_000)
    runner = pipe.factory.runners[0]
    assert pipe.frames_received == 64
    assert pipe.frames_inferred == len(results) == runner.calls
    assert pipe.frames_received == pipe.frames_inferred + pipe.frames_dropped
    assert pipe.frames_dropped > 0 and pipe.frames_inferred > 5
    for result, frame in results:  # each result came back with the frame it was made from
        # (the network's input: the central square at the model's resolution)
        assert frame.net_input.shape == (128, 128, 3)
        assert result.top5[0].index == int(frame.net_input[..., 0].mean())
    ids = [r.frame_id for r, _ in results]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert threading.current_thread().name not in runner.threads  # never on the GUI thread
    stats = pipe.stats()
    assert stats.mean_ms == 60.0 and stats.latency_ms >= 60.0
    rows = {row["name"]: row for row in pipe.layer_rows()}
    layer = runner.layers[1]
    assert abs(rows[layer.name]["ms"] - (0.1 + layer.macs / 1e8)) < 1e-9
    assert rows[layer.name]["n"] == min(len(results), 50)
    pipe.shutdown()
    assert not pipe.thread_running and runner.closed
    qtbot.waitUntil(lambda: running_threads() <= before, timeout=2_000)


def test_stop_mid_stream_releases_everything(qtbot, closing, square_video):
    pipe = make(closing, delay_s=0.01)
    load(qtbot, pipe)
    source = VideoFileSource(square_video)
    pipe.start(source)
    qtbot.waitUntil(lambda: pipe.frames_inferred >= 3, timeout=10_000)
    pipe.stop()
    assert not source.running and source._player is None and not pipe.running
    received = pipe.frames_received
    qtbot.wait(200)
    assert pipe.frames_received == received  # nothing arrives after stop
    pipe.shutdown()
    assert not pipe.thread_running


def test_load_failure_keeps_the_previous_model(qtbot, closing, tmp_path):
    from visualizer.video.frames import rgb_to_qimage
    from live_fakes import square_frame

    rgb_to_qimage(square_frame(3)).save(str(tmp_path / "a.png"))
    pipe = make(closing, delay_s=0.005)
    load(qtbot, pipe, "untrained:0.5_160")
    first = pipe.model
    with qtbot.waitSignal(pipe.modelFailed, timeout=10_000) as failed:
        pipe.load_model("broken.tflite")
    assert "broken.tflite" in failed.args[0]
    assert pipe.model is first and not pipe.factory.runners[0].closed
    pipe.start(ImageSource(tmp_path, fps=50))
    qtbot.waitUntil(lambda: pipe.frames_inferred >= 3, timeout=10_000)
    # switching model while running: the new runner takes over, the old one is closed
    load(qtbot, pipe, "untrained:0.25_128")
    qtbot.waitUntil(lambda: pipe.factory.runners[1].calls >= 2, timeout=10_000)
    assert pipe.factory.runners[0].closed and pipe.model.spec.alpha == 0.25
    pipe.shutdown()
    assert pipe.factory.runners[1].closed and not pipe.thread_running


def test_cancelled_load_is_discarded(qtbot, closing):
    started = threading.Event()

    def slow_load(source, alpha, resolution, progress, cancel):
        started.set()
        while not cancel():
            time.sleep(0.01)
        raise RuntimeError("download cancelled")

    pipe = closing(LivePipeline(load_fn=slow_load, runner_factory=fake_factory()))
    loaded = []
    pipe.modelLoaded.connect(loaded.append)
    pipe.load_model("mobilenet_v1_1.0_224")
    assert started.wait(5) and pipe.loading
    pipe.cancel_load()
    assert not pipe.loading
    qtbot.wait(100)
    pipe.shutdown()
    assert not loaded and pipe.model is None and not pipe._old_tasks


def test_source_error_stops_the_pipeline(qtbot, closing, tmp_path):
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"\0" * 5000)
    pipe = make(closing)
    load(qtbot, pipe)
    with qtbot.waitSignal(pipe.error, timeout=10_000) as err:
        pipe.start(VideoFileSource(bad))
    assert "bad.avi" in err.args[0] and not pipe.running
    pipe.shutdown()


def test_frames_before_a_model_are_dropped(qtbot, closing, tmp_path):
    from visualizer.video.frames import rgb_to_qimage
    from live_fakes import square_frame

    rgb_to_qimage(square_frame(0)).save(str(tmp_path / "a.png"))
    pipe = make(closing)
    pipe.start(ImageSource(tmp_path, fps=100))
    qtbot.waitUntil(lambda: pipe.frames_received >= 3, timeout=5_000)
    assert pipe.frames_dropped == pipe.frames_received and pipe.frames_inferred == 0
    pipe.shutdown()


def test_restart_while_a_frame_is_in_flight_keeps_the_counts_consistent(qtbot, closing,
                                                                       tmp_path):
    """A result that returns after stop() + start() belongs to the old run: the new run's
    counts must still add up (received == inferred + dropped)."""
    from visualizer.video.frames import rgb_to_qimage
    from live_fakes import square_frame

    rgb_to_qimage(square_frame(0)).save(str(tmp_path / "a.png"))
    pipe = make(closing, delay_s=0.3)
    load(qtbot, pipe)
    pipe.start(ImageSource(tmp_path, fps=100))
    qtbot.waitUntil(lambda: pipe.busy, timeout=5_000)
    pipe.stop()
    pipe.start(ImageSource(tmp_path, fps=100))  # the old frame is still being inferred
    results = []
    pipe.resultReady.connect(lambda r, f: results.append(r))
    qtbot.waitUntil(lambda: len(results) >= 2, timeout=10_000)
    pipe.stop()
    qtbot.waitUntil(lambda: not pipe.busy, timeout=5_000)
    assert pipe.frames_received == pipe.frames_inferred + pipe.frames_dropped
    assert pipe.frames_inferred == len(results)
    pipe.shutdown()


def test_a_result_of_the_previous_model_is_discarded(qtbot, tmp_path):
    """A frame in flight when the model changes comes back from the old model: it is not
    shown, not timed and not counted as inferred for the new model (it counts as dropped)."""
    from visualizer.video.frames import rgb_to_qimage
    from live_fakes import FakeRunner, square_frame

    rgb_to_qimage(square_frame(0)).save(str(tmp_path / "a.png"))
    gate = threading.Event()
    runners = []

    def factory(model, threads, profile_every=None):
        runners.append(FakeRunner(model, 0.001, gate=gate if not runners else None))
        return runners[-1]

    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=factory)
    load(qtbot, pipe, "untrained:0.5_160")
    shown = []
    pipe.resultReady.connect(lambda r, f: shown.append(r))
    pipe.start(ImageSource(tmp_path, fps=100))
    qtbot.waitUntil(lambda: pipe.busy, timeout=5_000)  # the old runner waits at the gate
    load(qtbot, pipe, "untrained:0.25_128")  # same frame still in flight
    new_model = pipe.model
    gate.set()
    qtbot.waitUntil(lambda: pipe.frames_stale == 1, timeout=5_000)
    assert runners[0].calls == 1
    qtbot.waitUntil(lambda: len(shown) >= 3, timeout=10_000)
    pipe.stop()
    qtbot.waitUntil(lambda: not pipe.busy, timeout=5_000)
    assert all(r.model is new_model for r in shown)
    assert {row["name"] for row in pipe.layer_rows()} == \
        {l.name for l in new_model.spec.layers} | {"overhead"}
    assert pipe.timing.frames == pipe.frames_inferred == len(shown) == runners[1].calls
    assert pipe.frames_stale == 1
    assert pipe.frames_received == pipe.frames_inferred + pipe.frames_dropped
    pipe.shutdown()
