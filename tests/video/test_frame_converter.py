"""The converter thread: off the GUI thread, newest frame wins, every frame counted once,
clean stops; and real 1080p / 10-bit videos through it."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from live_fakes import running_threads, square_frame
from visualizer.video.frame_converter import CONVERT_THREAD_NAME, FrameConverter
from visualizer.video.sources import VideoFileSource


def numbered_frame(i: int) -> QVideoFrame:
    """A small valid frame carrying its number as its start time."""
    frame = QVideoFrame(QVideoFrameFormat(QSize(8, 8), QVideoFrameFormat.PixelFormat.Format_Y8))
    frame.setStartTime(i)
    return frame


class GatedConvert:
    """A conversion that records its thread and waits for `gate` (a frame "in flight")."""

    def __init__(self) -> None:
        self.gate, self.started = threading.Event(), threading.Event()
        self.threads: list[str] = []
        self.numbers: list[int] = []

    def __call__(self, frame: QVideoFrame):
        self.threads.append(threading.current_thread().name)
        self.numbers.append(frame.startTime())
        self.started.set()
        self.gate.wait(10)
        return np.full((2, 2, 3), frame.startTime(), np.uint8)


def converter_with(convert):
    conv = FrameConverter(convert)
    delivered, dropped = [], []
    conv.frameConverted.connect(lambda f: delivered.append(int(f.preview[0, 0, 0])))
    conv.framesDropped.connect(dropped.append)
    return conv, delivered, dropped


def no_converter_thread() -> bool:
    return not any(t.name == CONVERT_THREAD_NAME for t in running_threads())


def test_conversion_runs_on_the_converter_thread(qtbot):
    convert = GatedConvert()
    convert.gate.set()
    conv, delivered, dropped = converter_with(convert)
    conv.start()
    conv.offer(numbered_frame(7))
    qtbot.waitUntil(lambda: delivered == [7], timeout=5_000)
    assert convert.threads == [CONVERT_THREAD_NAME]
    assert threading.current_thread().name != CONVERT_THREAD_NAME
    conv.stop()
    assert dropped == []
    qtbot.waitUntil(no_converter_thread, timeout=5_000)


def test_newest_frame_wins_and_replaced_frames_are_counted(qtbot):
    convert = GatedConvert()
    conv, delivered, dropped = converter_with(convert)
    conv.start()
    conv.offer(numbered_frame(1))
    assert convert.started.wait(5)  # frame 1 is being converted
    for i in range(2, 6):  # 2, 3 and 4 are replaced while it is: only 5 waits
        conv.offer(numbered_frame(i))
    conv.offer(QVideoFrame())  # an invalid frame (end of playback) is not a frame
    convert.gate.set()
    qtbot.waitUntil(lambda: delivered == [1, 5], timeout=5_000)
    assert convert.numbers == [1, 5] and sum(dropped) == 3
    conv.stop()
    assert sum(dropped) == 3 and len(delivered) + sum(dropped) == 5


def test_unconvertible_frames_count_as_dropped(qtbot):
    conv, delivered, dropped = converter_with(
        lambda f: None if f.startTime() % 2 else np.full((1, 1, 3), f.startTime(), np.uint8))
    conv.start()
    for i in range(1, 5):
        conv.offer(numbered_frame(i))
        qtbot.waitUntil(lambda: len(delivered) + sum(dropped) == i, timeout=5_000)
    conv.stop()
    assert delivered == [2, 4] and sum(dropped) == 2


def test_stop_during_a_conversion_counts_what_is_in_flight_and_leaves_no_thread(qtbot):
    convert = GatedConvert()
    conv, delivered, dropped = converter_with(convert)
    conv.start()
    for i in (1, 2, 3):
        conv.offer(numbered_frame(i))
        if i == 1:
            assert convert.started.wait(5)
    threading.Timer(0.05, convert.gate.set).start()  # the conversion in flight returns
    conv.stop()  # waits for it, and lets the worker take 2 and 3, still queued to it
    assert sum(dropped) == 3  # every frame handed over: none delivered, each counted once
    qtbot.waitUntil(no_converter_thread, timeout=5_000)
    QCoreApplication.processEvents()  # a result queued by the last conversion
    conv.offer(numbered_frame(4))  # ignored once stopped
    assert delivered == [] and sum(dropped) == 3
    conv.start()  # and it starts again
    conv.offer(numbered_frame(5))
    qtbot.waitUntil(lambda: delivered == [5], timeout=5_000)
    conv.stop()
    qtbot.waitUntil(no_converter_thread, timeout=5_000)


def test_drained_comes_once_the_frames_handed_over_are_through(qtbot):
    """What a video's end waits for: its last frames may still be queued or converting."""
    convert = GatedConvert()
    conv, delivered, dropped = converter_with(convert)
    drained = []
    conv.drained.connect(lambda: drained.append((list(delivered), sum(dropped))))
    conv.start()
    conv.offer(numbered_frame(1))
    assert convert.started.wait(5)
    conv.offer(numbered_frame(2))
    conv.offer(numbered_frame(3))
    conv.drain()
    convert.gate.set()
    qtbot.waitUntil(lambda: bool(drained), timeout=5_000)
    assert drained == [([1, 3], 1)]  # 3 converted before drained, 2 replaced and counted
    conv.stop()
    assert sum(dropped) == 1


def write_pattern_video(path, w, h, pix_fmt, frames=4):
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(str(path), (w, h), fps=30, codec="libx264",
                                         pix_fmt_out=pix_fmt, ffmpeg_log_level="error",
                                         macro_block_size=8, output_params=["-qp", "4"])
    writer.send(None)
    for i in range(frames):
        writer.send(np.kron(square_frame(i, w // 4, h // 4), np.ones((4, 4, 1), np.uint8))
                    .tobytes())  # the moving square, 4× larger: sharp edges stay on the grid
    writer.close()
    return path


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv420p10le"])
def test_1080p_video_frames_arrive_halved_with_their_picture(qtbot, tmp_path, monkeypatch,
                                                            pix_fmt):
    import visualizer.video.frames as frames_module

    threads = set()
    real = frames_module.video_frame_to_live

    def recording(frame, targets):
        threads.add(threading.current_thread().name)
        return real(frame, targets)

    monkeypatch.setattr(frames_module, "video_frame_to_live", recording)
    path = write_pattern_video(tmp_path / f"{pix_fmt}.mkv", 1920, 1080, pix_fmt)
    source = VideoFileSource(path)
    frames, ended, dropped = [], [], []
    source.frameReady.connect(lambda f: frames.append(f.preview))  # default targets
    source.framesDropped.connect(dropped.append)
    source.ended.connect(lambda: ended.append(True))
    source.start()
    qtbot.waitUntil(lambda: bool(ended), timeout=20_000)
    assert len(frames) + sum(dropped) == 4 and len(frames) >= 1
    assert threads == {CONVERT_THREAD_NAME}
    qtbot.waitUntil(no_converter_thread, timeout=5_000)
    for frame in frames:  # the square: rows 200-280, 80 px wide, 8 px further each frame
        assert frame.shape == (540, 960, 3)
        x = int(np.nonzero(frame[240, :, 0] > 128)[0][0])
        expected = np.kron(square_frame(round(x / 8), 480, 270), np.ones((2, 2, 1), np.uint8))
        assert x % 8 in (0, 1, 7)
        assert np.abs(frame.astype(int) - expected).mean() < 2  # lossy codec, chroma edges
        assert np.abs(frame[10:190, :, 2].astype(int) - 80).max() <= 4  # the background
        assert (np.abs(frame[205:275, x + 5:x + 75].astype(int) - (255, 200, 0)) <= 6).all()


def test_a_stop_from_a_drop_receiver_counts_the_frame_that_follows_once(qtbot):
    """A receiver of framesDropped may stop the converter (a source ending its run): the
    converted frame after those drops is then counted as dropped, never lost or doubled."""
    convert = GatedConvert()
    conv, delivered, dropped = converter_with(convert)
    conv.framesDropped.connect(lambda n: conv.stop())
    conv.start()
    conv.offer(numbered_frame(1))
    assert convert.started.wait(5)
    conv.offer(numbered_frame(2))
    conv.offer(numbered_frame(3))  # replaces 2
    convert.gate.set()
    qtbot.waitUntil(lambda: delivered == [1], timeout=5_000)
    qtbot.waitUntil(lambda: not conv.running, timeout=5_000)  # 3 arrives after 2's drop
    assert delivered == [1] and sum(dropped) == 2  # 2 replaced, 3 reported by stop()


def test_a_stuck_conversion_is_let_go_not_waited_for_nor_destroyed(qtbot):
    """stop() waits a bounded time; a thread still converting is detached (alive until
    it ends), the frames it holds are counted as dropped, and its late result is not
    delivered."""
    import time

    from visualizer.qtthreads.task import unfinished

    convert = GatedConvert()
    conv, delivered, dropped = converter_with(convert)
    conv.start()
    conv.offer(numbered_frame(1))
    assert convert.started.wait(5)
    t0 = time.perf_counter()
    conv.stop(timeout_ms=50)
    waited = time.perf_counter() - t0
    assert waited < 2 and not conv.running
    assert sum(dropped) == 1 and delivered == []
    assert unfinished() >= 1  # detached, kept alive
    convert.gate.set()
    qtbot.waitUntil(no_converter_thread, timeout=5_000)
    qtbot.waitUntil(lambda: unfinished() == 0, timeout=5_000)
    assert delivered == []


def test_a_pulling_consumer_has_only_the_frames_it_asks_for_converted(qtbot):
    """Once asked, the converter converts only on request, the newest frame then: the
    frames in between are never converted, and each is counted as dropped once."""
    convert = GatedConvert()
    convert.gate.set()
    conv, delivered, dropped = converter_with(convert)
    conv.start()
    conv.request()
    conv.offer(numbered_frame(1))
    qtbot.waitUntil(lambda: delivered == [1], timeout=5_000)
    for i in (2, 3, 4):  # not asked for: they wait, each replacing the one before
        conv.offer(numbered_frame(i))
    until = time.monotonic() + 0.3  # time for a conversion nobody asked for to show
    qtbot.waitUntil(lambda: time.monotonic() > until, timeout=2_000)
    assert convert.numbers == [1] and delivered == [1]
    conv.request()
    qtbot.waitUntil(lambda: delivered == [1, 4], timeout=5_000)
    assert convert.numbers == [1, 4] and sum(dropped) == 2
    conv.request()  # asked before the next frame comes: converted as it arrives
    conv.offer(numbered_frame(5))
    qtbot.waitUntil(lambda: delivered == [1, 4, 5], timeout=5_000)
    conv.stop()
    assert len(delivered) + sum(dropped) == 5
