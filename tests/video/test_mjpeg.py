"""Motion-JPEG frames (most webcams at 720p and 1080p): decoded off the GUI thread by a
decoder that releases the GIL, at the JPEG's own reduced scale where that suffices."""
from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from visualizer.net.runtime.preprocess import resize_rgb
from visualizer.video.frame_converter import FrameConverter
from visualizer.video.frames import video_frame_to_live
from visualizer.video.live_frame import Targets


def jpeg_frame(rgb: np.ndarray, quality: int = 90) -> QVideoFrame:
    """A Format_Jpeg QVideoFrame holding `rgb` encoded as a JPEG (as a camera sends it)."""
    h, w = rgb.shape[:2]
    data = io.BytesIO()
    Image.fromarray(rgb).save(data, "JPEG", quality=quality)
    frame = QVideoFrame(QVideoFrameFormat(QSize(w, h), QVideoFrameFormat.PixelFormat.Format_Jpeg))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    encoded = data.getvalue()
    memoryview(frame.bits(0))[: len(encoded)] = encoded
    frame.unmap()
    return frame


def photo(coral, w: int, h: int) -> np.ndarray:
    return np.asarray(Image.open(coral / "parrot.jpg").convert("RGB").resize((w, h)))


def decoded(frame: QVideoFrame) -> np.ndarray:
    """The frame's JPEG decoded whole (the reference)."""
    assert frame.map(QVideoFrame.MapMode.ReadOnly)
    try:
        data = bytes(memoryview(frame.bits(0))[: frame.mappedBytes(0)])
    finally:
        frame.unmap()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("size, preview", [((640, 480), (480, 640)), ((1280, 720), (360, 640)),
                                           ((1920, 1080), (540, 960))])
def test_jpeg_frames_give_the_network_what_a_full_decode_would(qapp, coral, size, preview):
    frame = jpeg_frame(photo(coral, *size))
    made = video_frame_to_live(frame, Targets(192, 640))
    assert made.size == (size[1], size[0]) and made.preview.shape == (*preview, 3)
    reference = resize_rgb(decoded(frame), 192)
    diff = np.abs(made.net_input.astype(int) - reference)
    if size == (640, 480):  # decoded whole: the same input exactly
        assert diff.max() == 0
    else:  # decoded at half scale by the JPEG's own DCT (a low-pass, as halving is)
        assert diff.mean() < 2.5


def test_a_garbled_jpeg_frame_is_dropped_not_a_crash(qapp):
    frame = QVideoFrame(QVideoFrameFormat(QSize(64, 48), QVideoFrameFormat.PixelFormat.Format_Jpeg))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    memoryview(frame.bits(0))[:4] = b"\xff\xd8\x00\x00"  # a start of image, then nothing
    frame.unmap()
    assert video_frame_to_live(frame, Targets(128, 640)) is None


def heartbeat_while_converting(qapp, convert, frames) -> tuple[float, list[float]]:
    """The GUI thread's longest wait between two turns of its loop (a 1-ms heartbeat that
    needs the GIL, as every Python slot does) while a FrameConverter converts `frames` one
    after the other with `convert`; and each conversion's duration."""
    durations: list[float] = []

    def timed(frame):
        t = time.perf_counter()
        out = convert(frame)
        durations.append(time.perf_counter() - t)
        return out

    conv = FrameConverter(timed)
    got = []
    conv.frameConverted.connect(got.append)
    conv.start()
    ticks = [time.perf_counter()]
    try:
        for frame in frames:
            n = len(got)
            conv.offer(frame)
            deadline = time.perf_counter() + 20
            while len(got) == n and time.perf_counter() < deadline:
                qapp.processEvents()
                ticks.append(time.perf_counter())
                time.sleep(0.001)
    finally:
        conv.stop()
    assert len(got) == len(frames)
    return float(np.diff(ticks).max()), durations


def test_the_gui_keeps_ticking_while_large_jpeg_frames_decode(qapp, coral):
    """4K motion-JPEG frames prepared on the converter thread: the GUI thread never waits
    for a whole decode (Qt's toImage() held the GIL for all of it: benchmarks/bench_mjpeg.py
    compares the two)."""
    frames = [jpeg_frame(photo(coral, 3840, 2160), quality=95) for _ in range(4)]
    gap, durations = heartbeat_while_converting(
        qapp, lambda f: video_frame_to_live(f, Targets(224, 640)), frames)
    assert threading.current_thread() is threading.main_thread()
    assert gap < 0.5 * max(durations), (gap, durations)


@pytest.mark.parametrize("data, zeros", [(5, 0), (5, 10), (300_000, 3_000_000), (0, 1000),
                                         (1 << 18, 1 << 18), (1, (1 << 18) + 1)])
def test_the_jpeg_is_cut_where_its_data_ends(data, zeros):
    """A camera buffer larger than its JPEG ends in zeros; zeros inside the data stay."""
    from visualizer.video.frames import _data_end

    rng = np.random.default_rng(data)
    body = rng.integers(0, 256, data, dtype=np.uint8)
    if data:
        body[-1] = 0xD9  # a JPEG ends in its EOI marker (FF D9), never in a zero
        body[: data // 2] = 0  # zeros inside the data are kept
    buf = np.concatenate([body, np.zeros(zeros, np.uint8)])
    assert _data_end(buf) == data
