"""The live demo's frame made in one pass: the network's input resized in the planes equals
the reference path (convert the whole frame, then resize its square), and the preview is
the frame box-averaged to about its view's size."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtMultimedia import QtVideo, QVideoFrameFormat

from test_yuv import F, random_frame, yuv420p_frame
from visualizer.net.runtime.preprocess import resize_rgb
from visualizer.video.live_frame import Targets, box_halve, from_rgb, preview_halvings
from visualizer.video.resample import axis_taps, resample
from visualizer.video.yuv import halve, planes_to_rgb, prepare_video_frame

FORMATS = [F.Format_YUV420P, F.Format_NV12, F.Format_YUYV, F.Format_P010,
           F.Format_YUV420P10, F.Format_BGRA8888]
#: landscape, odd sides, large (halved first, as the full conversion does), portrait,
#: smaller than the network's input (enlarged)
SIZES = [(1280, 720), (641, 481), (1920, 1080), (360, 640), (200, 150)]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("resolution", [128, 224])
def test_the_network_input_equals_the_reference_within_one_level(qapp, fmt, size, resolution):
    """Colours inside the RGB cube (random samples 0.5 ± 0.12 of their range)."""
    w, h = size
    if fmt == F.Format_YUYV and w % 2:
        w += 1  # packed 4:2:2 has an even width
    frame = random_frame(fmt, w, h, seed=w + resolution, spread=0.12)
    reference = resize_rgb(planes_to_rgb(frame), resolution)
    got = prepare_video_frame(frame, Targets(resolution, 640)).net_input
    assert got.shape == reference.shape == (resolution, resolution, 3)
    assert np.abs(got.astype(int) - reference).max() <= 1


def test_a_photo_s_input_differs_only_where_colours_leave_the_rgb_cube(qapp, coral):
    """A saturated photo encoded as 4:2:0: at its sharpest colour edges the full
    conversion clips per pixel before the resize, this path after it. Elsewhere equal."""
    rgb = np.asarray(Image.open(coral / "parrot.jpg").convert("RGB").resize((1280, 720)))
    bt601 = QVideoFrameFormat.ColorSpace.ColorSpace_BT601
    frame = yuv420p_frame(rgb, 0.299, 0.114, bt601)
    full = planes_to_rgb(frame)
    reference = resize_rgb(full, 192)
    got = prepare_video_frame(frame, Targets(192, 640)).net_input
    diff = np.abs(got.astype(int) - reference)
    assert diff.mean() < 0.25 and (diff > 1).mean() < 0.02
    # and the same picture, in-gamut, is within one level everywhere
    grey = rgb.astype(float).mean(2, keepdims=True)
    tame = np.clip(grey + (rgb - grey) * 0.5, 30, 225).astype(np.uint8)
    frame = yuv420p_frame(tame, 0.299, 0.114, bt601)
    assert np.abs(prepare_video_frame(frame, Targets(192, 640)).net_input.astype(int)
                  - resize_rgb(planes_to_rgb(frame), 192)).max() <= 1


@pytest.mark.parametrize("rotation", [QtVideo.Rotation.Clockwise90, QtVideo.Rotation.Clockwise180])
@pytest.mark.parametrize("mirrored", [False, True])
def test_orientation_applies_to_the_input_and_the_preview(qapp, rotation, mirrored):
    frame = random_frame(F.Format_NV12, 640, 480, 5, rotation, mirrored, spread=0.12)
    reference = planes_to_rgb(frame)  # oriented as Qt shows it
    made = prepare_video_frame(frame, Targets(128, 100_000))
    assert made.size == reference.shape[:2]
    assert np.abs(made.net_input.astype(int) - resize_rgb(reference, 128)).max() <= 1
    np.testing.assert_array_equal(made.preview, reference)


@pytest.mark.parametrize("size, side, shape", [
    ((1280, 720), 640, (360, 640)), ((1280, 720), 1000, (720, 1280)),
    ((1920, 1080), 640, (540, 960)), ((3840, 2160), 900, (540, 960)),
    ((320, 240), 640, (240, 320))])
def test_the_preview_is_the_frame_box_averaged_to_about_its_view(qapp, size, side, shape):
    frame = random_frame(F.Format_YUV420P, *size, 7, spread=0.12)
    made = prepare_video_frame(frame, Targets(None, side))
    assert made.net_input is None and made.preview.shape == (*shape, 3)
    assert made.size == (size[1], size[0])
    full = planes_to_rgb(frame, shrink=False)
    k = preview_halvings(size[1], size[0], side)
    expected = halve(full, k) if k else full
    assert np.abs(made.preview.astype(float) - expected).max() <= 2.5  # rounding, chroma
    assert not made.preview.flags.writeable


def test_decoded_images_get_the_same_input_as_the_runner_would_make():
    rgb = np.random.default_rng(3).integers(0, 256, (900, 1600, 3), dtype=np.uint8)
    made = from_rgb(rgb, Targets(160, 400))
    np.testing.assert_array_equal(made.net_input, resize_rgb(rgb, 160))
    np.testing.assert_array_equal(made.preview, box_halve(rgb, 2))
    assert made.size == (900, 1600) and made.preview.shape == (225, 400, 3)
    assert not made.preview.flags.writeable and not made.net_input.flags.writeable
    rgb[:] = 0  # the frame owns its arrays
    assert made.preview.any()


@pytest.mark.parametrize("n_in, n_out", [(720, 192), (481, 224), (150, 224), (96, 96),
                                         (1000, 7)])
def test_taps_reproduce_pillow_s_bilinear_resize(n_in, n_out):
    rng = np.random.default_rng(n_in)
    plane = rng.random((n_in, n_in + 3), dtype=np.float32) * 255
    start, stop = 1, n_in  # a crop: the filter stops at its edges
    rows, cols = axis_taps(start, stop, n_out), axis_taps(start + 2, stop + 2, n_out)
    got = resample(plane, rows, cols)
    crop = plane[start:stop, start + 2:stop + 2]
    expected = np.asarray(Image.fromarray(np.ascontiguousarray(crop), mode="F").resize(
        (n_out, n_out), Image.Resampling.BILINEAR))
    np.testing.assert_allclose(got, expected, atol=2e-3)


@pytest.mark.parametrize("sub", [2, 4])
def test_subsampled_taps_read_the_nearest_sample_as_the_full_conversion_repeats_it(sub):
    rng = np.random.default_rng(sub)
    small = rng.random((90, 100), dtype=np.float32)
    full = small.repeat(sub, 0).repeat(sub, 1)
    start, stop = 3, 3 + 80 * sub  # a crop that starts inside a subsampled sample
    got = resample(small, axis_taps(start, stop, 64, sub), axis_taps(start, stop, 64, sub))
    expected = resample(full, axis_taps(start, stop, 64), axis_taps(start, stop, 64))
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("size", [(1280, 720), (641, 481), (1920, 1080), (360, 640), (150, 200)])
@pytest.mark.parametrize("side", [100, 480, 640])
def test_an_image_pillow_decoded_gives_what_its_array_would(size, side):
    """from_pil (JPEG camera frames: no full-size array) against from_rgb on the same
    picture: the network's input identical, the preview the same shape and within one
    level (one rounding of a 2^k box instead of k)."""
    from visualizer.video.live_frame import from_pil

    w, h = size
    rng = np.random.default_rng(w + h)
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    made, reference = from_pil(Image.fromarray(rgb), Targets(192, side)), \
        from_rgb(rgb, Targets(192, side))
    assert made.size == reference.size == (h, w)
    assert np.array_equal(made.net_input, reference.net_input)
    assert made.preview.shape == reference.preview.shape
    assert np.abs(made.preview.astype(int) - reference.preview).max() <= 1
    assert not made.preview.flags.writeable and not made.net_input.flags.writeable
