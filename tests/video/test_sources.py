"""Frame sources through the real Qt Multimedia / QImageReader paths (offscreen)."""
from __future__ import annotations

import sys

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaDevices

from live_fakes import square_frame, square_x, write_video
from visualizer.video.frames import qimage_to_rgb, rgb_to_qimage
from visualizer.video.camera import NO_CAMERA, CameraSource
from visualizer.video.images import ImageSource
from visualizer.video.live_frame import Targets, from_rgb
from visualizer.video.sources import SourceError, VideoFileSource, make_source


def whole_frames(source, frames: list) -> None:
    """Collect each frame's picture at the size it was decoded (a preview as large as the
    frame), as arrays into `frames`."""
    source.set_targets(Targets(None, 1 << 20))
    source.frameReady.connect(lambda f: frames.append(f.preview))


def collect(qtbot, source, until, timeout=15_000):
    frames, errors, ended = [], [], []
    whole_frames(source, frames)
    source.error.connect(errors.append)
    source.ended.connect(lambda: ended.append(True))
    source.start()
    qtbot.waitUntil(lambda: bool(until(frames, errors, ended)), timeout=timeout)
    source.stop()
    return frames, errors, ended


def test_rgb_qimage_round_trip_with_padded_rows():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (7, 5, 3), dtype=np.uint8)  # 15-byte rows: Qt pads to 16
    image = rgb_to_qimage(rgb)
    assert image.bytesPerLine() > 15
    np.testing.assert_array_equal(qimage_to_rgb(image), rgb)
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    np.testing.assert_array_equal(qimage_to_rgb(argb), rgb)


@pytest.mark.parametrize("codec,suffix", [("libx264", "mp4"), ("mjpeg", "avi")])
def test_video_frames_arrive_in_order_with_their_content(qtbot, tmp_path, codec, suffix):
    path = write_video(tmp_path / f"v.{suffix}", frames=24, codec=codec)
    frames, errors, ended = collect(qtbot, VideoFileSource(path),
                                    lambda f, e, d: e or d)
    assert not errors and ended
    assert len(frames) == 24
    for i, frame in enumerate(frames):
        assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8
        assert abs(square_x(frame) - square_x(square_frame(i))) <= 2  # codec blur
        # colours survive decoding within lossy-codec tolerance
        assert abs(int(frame[10, 10, 2]) - 80) < 12 and frame[120, square_x(frame) + 20, 0] > 200


def test_unreadable_video_reports_a_message(qtbot, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"this is not a video" * 100)
    frames, errors, _ = collect(qtbot, VideoFileSource(bad), lambda f, e, d: e)
    assert not frames
    assert "broken.mp4" in errors[0] and "\n" not in errors[0]


def test_image_folder_is_replayed_and_bad_files_skipped(qtbot, tmp_path):
    for i in range(3):
        rgb_to_qimage(square_frame(i * 10)).save(str(tmp_path / f"{i}.png"))
    (tmp_path / "3.png").write_bytes(b"not a png")
    (tmp_path / "notes.txt").write_text("ignored")
    source = ImageSource(tmp_path, fps=100)
    frames, errors, _ = collect(qtbot, source, lambda f, e, d: len(f) >= 7 or e)
    assert not errors
    xs = [square_x(f) for f in frames[:7]]
    assert xs == [square_x(square_frame(i * 10)) for i in (0, 1, 2, 0, 1, 2, 0)]
    np.testing.assert_array_equal(frames[1], square_frame(10))  # PNG is lossless
    assert source.unreadable == ["3.png"]


def test_unreadable_image_reports_a_message(qtbot, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8 truncated")
    frames, errors, _ = collect(qtbot, make_source(str(bad)), lambda f, e, d: e)
    assert not frames and "photo.jpg" in errors[0]


def test_folder_without_images_reports_a_message(qtbot, tmp_path):
    (tmp_path / "a.txt").write_text("x")
    _, errors, _ = collect(qtbot, ImageSource(tmp_path), lambda f, e, d: e)
    assert "no image" in errors[0]


def test_real_photo_decodes_like_pillow(qtbot, coral):
    from PIL import Image

    frames, errors, _ = collect(qtbot, ImageSource(coral / "cat.bmp"), lambda f, e, d: f or e)
    expected = np.asarray(Image.open(coral / "cat.bmp").convert("RGB"))
    np.testing.assert_array_equal(frames[0], expected)


def test_large_photo_is_scaled_to_1280(qtbot, coral):
    frames, _, _ = collect(qtbot, ImageSource(coral / "cat_1080p.jpg"), lambda f, e, d: f or e)
    h, w, _ = frames[0].shape
    assert max(h, w) == 1280 and abs(w / h - 1920 / 1080) < 0.01


def test_no_camera_gives_a_clear_message(qtbot):
    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    _, errors, _ = collect(qtbot, CameraSource(0), lambda f, e, d: e)
    assert errors == [NO_CAMERA]


@pytest.mark.parametrize("spec,kind", [("camera", CameraSource), ("camera:2", CameraSource)])
def test_make_source_cameras(spec, kind):
    assert isinstance(make_source(spec), kind)


def test_make_source_rejects_bad_descriptions(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        make_source(str(tmp_path / "missing.mp4"))
    with pytest.raises(SourceError, match="camera number"):
        make_source("camera:x")
    (tmp_path / "clip.mkv").write_bytes(b"\x1a\x45\xdf\xa3" + bytes(60))  # Matroska's magic
    assert isinstance(make_source(str(tmp_path / "clip.mkv")), VideoFileSource)
    assert isinstance(make_source(str(tmp_path)), ImageSource)


def test_camera_failing_mid_stream_stops_with_a_message(qtbot):
    """What QCamera.errorOccurred and a vanished device lead to (no camera needed)."""
    from PySide6.QtMultimedia import QCamera

    source = CameraSource(0)
    errors = []
    source.error.connect(errors.append)
    source.running = True  # as if started on a camera that then failed
    source._on_error(QCamera.Error.CameraError, "Device or resource busy")
    assert not source.running and "busy" in errors[0] and "camera 0" in errors[0]
    source.running, source._device_id = True, b"/dev/video9"
    source._inputs_changed()  # the device list no longer holds it
    assert not source.running and "disconnected" in errors[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="Linux never asks; elsewhere the answer is the user's")
def test_camera_permission_is_granted_where_the_system_never_asks(qapp):
    from PySide6.QtCore import Qt

    from visualizer.video import camera

    assert camera.camera_permission() == Qt.PermissionStatus.Granted


@pytest.mark.parametrize("status,answer,expected", [
    ("Denied", None, "denied"),       # refused before: reported at once
    ("Undetermined", False, "denied"),  # the user says no in the system dialog
    ("Undetermined", True, "no camera"),  # yes: the device is opened (none here)
])
def test_camera_permission_paths(qtbot, monkeypatch, status, answer, expected):
    from PySide6.QtCore import Qt, QTimer

    from visualizer.video import camera

    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    asked = []
    monkeypatch.setattr(camera, "camera_permission",
                        lambda: getattr(Qt.PermissionStatus, status))

    def request(context, answered):  # the system dialog, answered a little later
        asked.append(context)
        QTimer.singleShot(50, lambda: answered(answer))

    monkeypatch.setattr(camera, "request_camera_permission", request)
    source = camera.CameraSource(0)
    source.first_frame_timeout_s = 0.02  # must not fire while the user decides
    _, errors, _ = collect(qtbot, source, lambda f, e, d: e)
    assert len(asked) == (status == "Undetermined")
    assert errors == [camera.CAMERA_DENIED if expected == "denied" else camera.NO_CAMERA]


def test_decode_size_keeps_the_networks_centre_square():
    from visualizer.video.images import (MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, MIN_SQUARE_SIDE,
                                         decode_size)

    for w, h in [(1, 1), (320, 240), (1920, 1080), (6000, 4000), (4000, 6000), (8000, 300),
                 (30000, 3000), (100_000, 1000), (640, 20_000), (12000, 9000)]:
        dw, dh = decode_size(w, h)
        assert dw <= w and dh <= h  # never enlarged
        assert abs(dw / dh - w / h) <= 0.01 * w / h + 1 / min(dh, dw)  # aspect kept
        assert min(dw, dh) >= min(w, h, MIN_SQUARE_SIDE) or dw * dh > 0.98 * MAX_IMAGE_PIXELS
        assert max(dw, dh) <= MAX_IMAGE_SIDE or min(dw, dh) <= MIN_SQUARE_SIDE + 1
        assert dw * dh <= MAX_IMAGE_PIXELS * 1.001


def test_panorama_centre_is_not_shrunk_before_the_network_crops_it(qtbot, tmp_path):
    """A 2000×100 panorama scaled to 1280 px would leave a 64-px centre square; the frame
    keeps it whole, so the network input equals the one cut from the original file."""
    from visualizer.net.runtime.preprocess import resize_rgb

    rng = np.random.default_rng(3)
    pano = rng.integers(0, 256, (100, 2000, 3), dtype=np.uint8)
    rgb_to_qimage(pano).save(str(tmp_path / "pano.png"))
    frames, errors, _ = collect(qtbot, ImageSource(tmp_path / "pano.png"),
                                lambda f, e, d: f or e)
    assert not errors
    np.testing.assert_array_equal(resize_rgb(frames[0], 96), resize_rgb(pano, 96))


def test_photo_larger_than_qts_allocation_limit_is_read(qtbot, tmp_path):
    """Qt refuses decodes above QImageReader.allocationLimit() (256 MiB: a 108-MP phone
    photo); the limit is lowered here so that a small PNG stands in for such a photo."""
    from PySide6.QtGui import QImageReader

    big = np.zeros((500, 1500, 3), np.uint8)  # 3 MB as 32-bit pixels
    big[:, 500:1000] = (200, 40, 40)  # (1500×500 is kept whole: its short side is 500)
    rgb_to_qimage(big).save(str(tmp_path / "big.png"))
    before = QImageReader.allocationLimit()
    QImageReader.setAllocationLimit(1)  # MiB
    try:
        frames, errors, _ = collect(qtbot, ImageSource(tmp_path / "big.png"),
                                    lambda f, e, d: f or e)
        assert QImageReader.allocationLimit() == 1  # restored after the decode
    finally:
        QImageReader.setAllocationLimit(before)
    assert not errors
    h, w, _ = frames[0].shape
    assert (w, h) == (1500, 500) and tuple(frames[0][h // 2, w // 2]) == (200, 40, 40)


def test_exif_orientation_is_applied(qtbot, tmp_path):
    from PIL import Image

    upright = np.zeros((48, 80, 3), np.uint8)  # smooth content: JPEG keeps it closely
    upright[:, :, 0] = np.linspace(0, 255, 80)[None, :]
    upright[:16, :, 1] = 220  # a green band along the top
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated 90° counter-clockwise: "rotate 90° clockwise to show"
    Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90).save(
        tmp_path / "phone.jpg", exif=exif, quality=95)
    frames, errors, _ = collect(qtbot, ImageSource(tmp_path / "phone.jpg"),
                                lambda f, e, d: f or e)
    assert not errors and frames[0].shape == upright.shape
    assert np.abs(frames[0].astype(int) - upright).mean() < 4


def test_a_large_folder_does_not_keep_every_decoded_image(qtbot, tmp_path, monkeypatch):
    """Decoded images are cached within a byte budget (here lowered to two images), so a
    folder of hundreds of photos does not fill memory; the show still repeats in order."""
    import visualizer.video.images as images

    for i in range(5):
        rgb_to_qimage(square_frame(i * 10)).save(str(tmp_path / f"{i}.png"))
    monkeypatch.setattr(images, "IMAGE_CACHE_BYTES", 2 * square_frame(0).nbytes)
    source = ImageSource(tmp_path, fps=100)
    frames, errors, _ = collect(qtbot, source, lambda f, e, d: len(f) >= 12 or e)
    assert not errors
    assert [square_x(f) for f in frames[:12]] == \
        [square_x(square_frame((i % 5) * 10)) for i in range(12)]
    assert sum(images._bytes(f) for f in source._cache.values()) <= 2 * square_frame(0).nbytes


def test_audio_only_file_is_reported_at_once(qtbot, tmp_path):
    """Not after the 10-s first-frame deadline with a hint about missing libraries."""
    import subprocess

    import imageio_ffmpeg

    path = tmp_path / "tone.m4a"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi",
                    "-i", "sine=frequency=440:duration=2", "-c:a", "aac", str(path)], check=True)
    frames, errors, _ = collect(qtbot, VideoFileSource(path), lambda f, e, d: e or d,
                                timeout=8000)
    assert not frames and errors and "no video track" in errors[0]


def test_video_whose_frames_cannot_be_converted_is_an_error_not_an_end(qtbot, tmp_path,
                                                                        monkeypatch):
    """Qt's CPU conversion returns a null image for some pixel formats (10-bit YUV); a
    video that gave no picture at all must not look like a finished run."""
    import visualizer.video.frames as frames_module

    monkeypatch.setattr(frames_module, "video_frame_to_live", lambda frame, targets: None)
    path = write_video(tmp_path / "v.mp4", frames=5)
    source = VideoFileSource(path)
    dropped = []
    source.framesDropped.connect(dropped.append)
    frames, errors, ended = collect(qtbot, source, lambda f, e, d: e or d)
    assert not frames and not ended and "no frame" in errors[0]
    assert sum(dropped) == 5  # each received frame is counted, as dropped


def test_10_bit_video_frames_arrive_like_8_bit_ones(qtbot, tmp_path):
    """Qt's CPU conversion gives a null image for 10-bit YUV (phone HDR, x264/x265
    high10); those frames are converted by frames.py and match the 8-bit decode."""
    import imageio_ffmpeg

    def write(path, pix_fmt):
        writer = imageio_ffmpeg.write_frames(str(path), (320, 240), fps=30, codec="libx264",
                                             pix_fmt_out=pix_fmt, ffmpeg_log_level="error",
                                             output_params=["-qp", "4"])
        writer.send(None)
        for i in range(6):
            writer.send(square_frame(i).tobytes())
        writer.close()
        frames, errors, _ = collect(qtbot, VideoFileSource(path), lambda f, e, d: e or d)
        assert not errors and len(frames) == 6
        return frames

    deep = write(tmp_path / "ten.mkv", "yuv420p10le")
    eight = write(tmp_path / "eight.mkv", "yuv420p")
    for i, (a, b) in enumerate(zip(deep, eight)):
        assert a.shape == b.shape == (240, 320, 3)
        assert np.abs(a.astype(int) - b).mean() < 2
        assert abs(square_x(a) - square_x(square_frame(i))) <= 2


def _recording_decoder(monkeypatch, gate=None):
    """Wrap images.decode_rgb: record (file name, thread name) of every decode; with a
    threading.Event `gate`, each decode waits for it (a decode "in flight")."""
    import threading

    import visualizer.video.images as images

    calls, started = [], threading.Event()
    real = images.decode_rgb

    def decode(path):
        calls.append((path.name, threading.current_thread().name))
        started.set()
        if gate is not None:
            gate.wait(10)
        return real(path)

    monkeypatch.setattr(images, "decode_rgb", decode)
    return calls, started


def test_images_are_decoded_off_the_gui_thread_and_the_next_one_ahead(qtbot, tmp_path,
                                                                        monkeypatch):
    import threading

    from visualizer.video.images import DECODE_THREAD_NAME

    for i in range(3):
        rgb_to_qimage(square_frame(i * 10)).save(str(tmp_path / f"{i}.png"))
    calls, _ = _recording_decoder(monkeypatch)
    source = ImageSource(tmp_path, fps=0.5)  # the next tick is 2 s away
    frames = []
    whole_frames(source, frames)
    source.start()
    qtbot.waitUntil(lambda: len(frames) == 1 and len(calls) >= 2, timeout=5_000)
    # the second image was decoded while the first is shown, before the show needs it
    assert len(frames) == 1 and [name for name, _ in calls[:2]] == ["0.png", "1.png"]
    assert {thread for _, thread in calls} == {DECODE_THREAD_NAME}
    assert threading.current_thread().name != DECODE_THREAD_NAME
    np.testing.assert_array_equal(frames[0], square_frame(0))
    source.stop()


def test_stop_during_a_decode_emits_nothing_and_leaves_no_thread(qtbot, tmp_path,
                                                                 monkeypatch):
    import threading

    from visualizer.video.images import DECODE_THREAD_NAME

    rgb_to_qimage(square_frame(0)).save(str(tmp_path / "a.png"))
    gate = threading.Event()
    calls, started = _recording_decoder(monkeypatch, gate)
    source = ImageSource(tmp_path / "a.png", fps=100)
    frames, errors = [], []
    whole_frames(source, frames)
    source.error.connect(errors.append)
    source.start()
    qtbot.waitUntil(started.is_set, timeout=5_000)
    source.stop()  # returns within JOIN_TIMEOUT_S, the decode still running
    assert any(t.name == DECODE_THREAD_NAME for t in threading.enumerate())
    gate.set()
    qtbot.waitUntil(lambda: not any(t.name == DECODE_THREAD_NAME
                                    for t in threading.enumerate()), timeout=5_000)
    qtbot.wait(100)  # a result queued by the finished decode would be delivered now
    assert frames == [] and errors == [] and len(calls) == 1 and not source.running
    # the source starts again afterwards and shows the image
    source.start()
    qtbot.waitUntil(lambda: len(frames) >= 1, timeout=5_000)
    source.stop()
    np.testing.assert_array_equal(frames[0], square_frame(0))


def test_new_targets_during_a_decode_keep_the_show_going(qtbot, tmp_path, monkeypatch,
                                                         closing):
    """A preview resize (or a model change) while the image the show waits for is being
    decoded: that decode, made for the old targets, is dropped, and the image is decoded
    again for the new ones; the show does not stop waiting for it."""
    import threading

    for i in range(3):
        rgb_to_qimage(square_frame(i * 10)).save(str(tmp_path / f"{i}.png"))
    gate = threading.Event()
    calls, started = _recording_decoder(monkeypatch, gate)
    source = closing(ImageSource(tmp_path, fps=100))
    frames, errors = [], []
    whole_frames(source, frames)  # the 320x240 pictures whole
    source.error.connect(errors.append)
    source.start()
    qtbot.waitUntil(started.is_set, timeout=5_000)  # 0.png in flight, the show waits
    small = Targets(None, 80)
    source.set_targets(small)  # previews halved twice from now on: 80x60
    gate.set()
    qtbot.waitUntil(lambda: len(frames) >= 3 or bool(errors), timeout=5_000)
    source.stop()
    assert not errors
    assert [f.shape for f in frames[:3]] == [(60, 80, 3)] * 3
    for i, frame in enumerate(frames[:3]):  # the images in order (PNG is lossless)
        np.testing.assert_array_equal(frame, from_rgb(square_frame(i * 10), small).preview)
    assert [name for name, _ in calls[:2]] == ["0.png", "0.png"]  # decoded again


def test_a_video_source_stops_its_player_before_its_converter(qtbot, square_video,
                                                              monkeypatch):
    """Producer first: every frame the player made is then queued to the converter,
    which takes and lets go of each in its own thread before that thread ends."""
    from PySide6.QtMultimedia import QMediaPlayer

    from visualizer.video.frame_converter import FrameConverter

    order: list[str] = []
    player_stop, converter_stop = QMediaPlayer.stop, FrameConverter.stop
    monkeypatch.setattr(QMediaPlayer, "stop",
                        lambda self: (order.append("player"), player_stop(self))[1])
    monkeypatch.setattr(FrameConverter, "stop",
                        lambda self, *a: (order.append("converter"), converter_stop(self, *a))[1])
    source = VideoFileSource(square_video)
    frames = []
    whole_frames(source, frames)
    source.start()
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=10_000)
    source.stop()
    assert order == ["player", "converter"]
