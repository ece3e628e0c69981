"""Frames a source drops itself (replaced while converting) are received and dropped."""
from __future__ import annotations

import time

from live_fakes import fake_factory, fake_loader, running_threads, write_video
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.video.frame_converter import CONVERT_THREAD_NAME
from visualizer.video.sources import VideoFileSource


def slow_conversion(monkeypatch, seconds):
    import visualizer.video.frames as frames_module

    real = frames_module.video_frame_to_live

    def slow(frame, targets):
        time.sleep(seconds)  # a converter slower than the frame rate: frames are replaced
        return real(frame, targets)

    monkeypatch.setattr(frames_module, "video_frame_to_live", slow)


def pipeline(qtbot, delay_s):
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory(delay_s))
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        pipe.load_model("untrained:0.25_128")
    return pipe


def test_frames_replaced_in_the_converter_are_received_and_dropped(qtbot, tmp_path,
                                                                   monkeypatch):
    slow_conversion(monkeypatch, 0.08)
    video = write_video(tmp_path / "v.mp4", frames=30, w=1280, h=720)
    pipe = pipeline(qtbot, 0.01)
    source_drops = []
    source = VideoFileSource(video)
    offered = []  # the frames the converter received (Qt's player may skip a late one)
    real_stop = source.converter.stop

    def stop():
        if source.converter._worker is not None:
            offered.append(source.converter._worker.received)
        real_stop()

    monkeypatch.setattr(source.converter, "stop", stop)
    source.framesDropped.connect(source_drops.append)
    ended = []
    pipe.sourceEnded.connect(lambda: ended.append(True))
    pipe.start(source)
    qtbot.waitUntil(lambda: bool(ended), timeout=30_000)
    qtbot.waitUntil(lambda: not pipe.busy, timeout=5_000)
    assert sum(source_drops) > 0  # 80 ms conversions, 33 ms frames
    assert pipe.frames_received == offered[0] == pipe.frames_inferred + pipe.frames_dropped
    assert offered[0] >= 25
    assert pipe.frames_dropped >= sum(source_drops)
    pipe.shutdown()


def test_stop_mid_stream_keeps_the_counts_exact_and_leaves_no_converter(qtbot, tmp_path,
                                                                         monkeypatch):
    slow_conversion(monkeypatch, 0.05)
    video = write_video(tmp_path / "v.mp4", frames=60, w=1280, h=720)
    pipe = pipeline(qtbot, 0.03)
    pipe.start(VideoFileSource(video))
    qtbot.waitUntil(lambda: pipe.frames_inferred >= 3, timeout=20_000)
    pipe.stop()  # frames in the converter are reported before stop() returns
    qtbot.waitUntil(lambda: not any(t.name == CONVERT_THREAD_NAME
                                    for t in running_threads()), timeout=5_000)
    qtbot.waitUntil(lambda: not pipe.busy, timeout=5_000)
    received = pipe.frames_received
    assert received == pipe.frames_inferred + pipe.frames_dropped
    assert 3 <= received < 60
    pipe.shutdown()
    assert pipe.frames_received == received
