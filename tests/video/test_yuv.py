"""Video frames read from their planes (yuv.py) against Qt's own conversion and against
colours encoded with the published YCbCr matrices."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QtVideo, QVideoFrame, QVideoFrameFormat

from visualizer.net.runtime.preprocess import resize_rgb
from visualizer.video.frames import qimage_to_rgb, video_frame_to_rgb
from visualizer.video.yuv import MIN_SHORT_SIDE, halve, halvings, planes_to_rgb, readable_formats

F = QVideoFrameFormat.PixelFormat
WIDE = {F.Format_YUV420P10: (0, 1023), F.Format_P010: (6, 1023), F.Format_P016: (0, 65535)}
ALPHA_FIRST = {F.Format_ARGB8888, F.Format_ARGB8888_Premultiplied, F.Format_ABGR8888}
ALPHA_LAST = {F.Format_BGRA8888, F.Format_BGRA8888_Premultiplied, F.Format_RGBA8888}


def random_frame(fmt, w, h, seed=0, rotation=None, mirrored=False,
                 spread=0.44) -> QVideoFrame:
    """A frame of random samples 0.5 ± spread of their range (opaque alpha) in `fmt`."""
    rng = np.random.default_rng(seed)
    surface = QVideoFrameFormat(QSize(w, h), fmt)
    if rotation is not None:
        surface.setRotation(rotation)
    surface.setMirrored(mirrored)
    frame = QVideoFrame(surface)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for i in range(frame.planeCount()):
        plane = np.frombuffer(frame.bits(i), np.uint8)
        if fmt in WIDE:
            shift, top = WIDE[fmt]
            lo, hi = round(top * (0.5 - spread)), round(top * (0.5 + spread))
            plane.view("<u2")[:] = rng.integers(lo, hi, plane.size // 2) << shift
        else:
            plane[:] = rng.integers(round(256 * (0.5 - spread)), round(256 * (0.5 + spread)),
                                    plane.size)
            if fmt in ALPHA_FIRST:
                plane[0::4] = 255
            elif fmt in ALPHA_LAST:
                plane[3::4] = 255
    frame.unmap()
    return frame


@pytest.mark.parametrize("fmt", sorted(readable_formats() - {F.Format_YUV420P10},
                                       key=lambda f: f.value), ids=lambda f: f.name)
@pytest.mark.parametrize("size", [(64, 48), (66, 50)])  # odd chroma sizes too
def test_planes_match_qts_own_conversion(qapp, fmt, size):
    frame = random_frame(fmt, *size)
    expected = qimage_to_rgb(frame.toImage())  # Qt's CPU converter (fixed-point BT.601)
    got = planes_to_rgb(frame, shrink=False)
    assert got.shape == expected.shape == (size[1], size[0], 3)
    diff = np.abs(got.astype(int) - expected)
    # Qt keeps only the high byte of 16-bit samples (P010/P016): up to one level lower
    assert diff.max() <= (4 if fmt in WIDE else 3) and diff.mean() < (1.0 if fmt in WIDE else 0.6)


@pytest.mark.parametrize("rotation", list(QtVideo.Rotation), ids=lambda r: r.name)
@pytest.mark.parametrize("mirrored", [False, True])
def test_rotation_and_mirroring_follow_qt(qapp, rotation, mirrored):
    frame = random_frame(F.Format_NV12, 64, 48, 1, rotation, mirrored)
    expected = qimage_to_rgb(frame.toImage())
    got = planes_to_rgb(frame, shrink=False)
    assert got.shape == expected.shape and np.abs(got.astype(int) - expected).max() <= 2


def yuv420p_frame(rgb: np.ndarray, kr: float, kb: float, space, bits=8,
                  full_range=False) -> QVideoFrame:
    """Encode an RGB array (even sides) as 4:2:0 with the matrix (kr, kb), in video range
    (Y 16..235) or full range (Y 0..255, as JPEG and many webcams)."""
    h, w, _ = rgb.shape
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb, cr = (b - y) / (2 * (1 - kb)), (r - y) / (2 * (1 - kr))
    sub = lambda c: c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))  # noqa: E731
    if full_range:
        scale = ((1 << bits) - 1) / 255
        planes = [y * scale, 128 * (1 << (bits - 8)) + sub(cb) * scale,
                  128 * (1 << (bits - 8)) + sub(cr) * scale]
    else:
        scale = 1 << (bits - 8)
        planes = [(16 + y * 219 / 255) * scale, (128 + sub(cb) * 224 / 255) * scale,
                  (128 + sub(cr) * 224 / 255) * scale]
    surface = QVideoFrameFormat(QSize(w, h), F.Format_YUV420P if bits == 8 else
                                F.Format_YUV420P10)
    surface.setColorSpace(space)
    if full_range:
        surface.setColorRange(QVideoFrameFormat.ColorRange.ColorRange_Full)
    frame = QVideoFrame(surface)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for i, p in enumerate(planes):
        stride, rows = frame.bytesPerLine(i), p.shape[0]
        dtype = np.dtype(np.uint8 if bits == 8 else "<u2")
        dst = np.frombuffer(frame.bits(i), np.uint8)[: stride * rows].reshape(rows, stride)
        dst[:, : p.shape[1] * dtype.itemsize] = np.round(p).astype(dtype).view(np.uint8)
    frame.unmap()
    return frame


@pytest.mark.parametrize("space,kr,kb", [
    (QVideoFrameFormat.ColorSpace.ColorSpace_BT601, 0.299, 0.114),
    (QVideoFrameFormat.ColorSpace.ColorSpace_BT709, 0.2126, 0.0722),
    (QVideoFrameFormat.ColorSpace.ColorSpace_BT2020, 0.2627, 0.0593)])
@pytest.mark.parametrize("bits", [8, 10])
def test_colours_come_back_with_the_frames_matrix(qapp, space, kr, kb, bits):
    """Flat colour patches (2×2 blocks, so chroma subsampling loses nothing) encoded with
    the published matrix come back within rounding."""
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, (12, 16, 3)).repeat(2, 0).repeat(2, 1).astype(np.uint8)
    got = planes_to_rgb(yuv420p_frame(rgb, kr, kb, space, bits), shrink=False)
    assert np.abs(got.astype(int) - rgb).max() <= (2 if bits == 8 else 1)


def test_frames_are_halved_while_their_short_side_stays_above_the_minimum():
    assert MIN_SHORT_SIDE == 480
    assert [halvings(w, h) for w, h in [(320, 240), (1280, 720), (1920, 1080), (1080, 1920),
                                        (2560, 1440), (3840, 2160), (7680, 4320)]] == \
        [0, 0, 1, 1, 1, 2, 3]
    # at the threshold: a 960-px short side halves to exactly 480 (kept), 958 does not
    assert [halvings(w, h) for w, h in [(1706, 960), (960, 960), (960, 1706), (1704, 958),
                                        (1920, 1920)]] == [1, 1, 1, 0, 2]


@pytest.mark.parametrize("bits", [8, 10])
def test_full_range_frames_use_the_whole_range(qapp, bits):
    """Full-range (JPEG-style) YUV: Y 0 is black, with no video-range offset of 16."""
    rng = np.random.default_rng(6)
    rgb = rng.integers(0, 256, (12, 16, 3)).repeat(2, 0).repeat(2, 1).astype(np.uint8)
    rgb[:2, :2] = 0  # black and white patches: an offset or a scale error shows there
    rgb[:2, 2:4] = 255
    bt601 = QVideoFrameFormat.ColorSpace.ColorSpace_BT601
    got = planes_to_rgb(yuv420p_frame(rgb, 0.299, 0.114, bt601, bits, full_range=True),
                        shrink=False)
    assert np.abs(got.astype(int) - rgb).max() <= (2 if bits == 8 else 1)


@pytest.mark.parametrize("fmt", [F.Format_YUV420P, F.Format_NV12, F.Format_YUYV,
                                 F.Format_BGRA8888, F.Format_Y8], ids=lambda f: f.name)
def test_a_large_frame_is_its_box_average(qapp, fmt):
    """Shrunk = the full-size conversion averaged over 2×2 blocks (Y8 goes through Qt's
    toImage), and the network input cut from it is the one cut from the full frame.
    (Colours inside the RGB cube: clipping does not commute with averaging.)"""
    frame = random_frame(fmt, 1920, 1080, 3, spread=0.12)
    full = video_frame_to_rgb(frame, shrink=False)
    small = video_frame_to_rgb(frame, shrink=True)
    assert small.shape == (540, 960, 3)
    assert np.abs(small.astype(float) - halve(full)).max() <= 2.5
    smooth = np.kron(np.random.default_rng(4).integers(0, 256, (27, 48, 3)),
                     np.ones((40, 40, 1))).astype(np.uint8)  # a picture, not noise
    assert np.abs(resize_rgb(halve(smooth).round().astype(np.uint8), 224).astype(int)
                  - resize_rgb(smooth, 224)).mean() < 1.5


def test_10_bit_frames_equal_8_bit_ones(qapp):
    rgb = np.random.default_rng(5).integers(0, 256, (48, 64, 3)).astype(np.uint8)
    bt601 = QVideoFrameFormat.ColorSpace.ColorSpace_BT601
    eight = planes_to_rgb(yuv420p_frame(rgb, 0.299, 0.114, bt601, 8), shrink=False)
    ten = planes_to_rgb(yuv420p_frame(rgb, 0.299, 0.114, bt601, 10), shrink=False)
    assert np.abs(eight.astype(int) - ten).max() <= 2


def test_invalid_frame_gives_none(qapp):
    assert video_frame_to_rgb(QVideoFrame()) is None
