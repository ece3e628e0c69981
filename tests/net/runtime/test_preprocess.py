"""Preprocessing against an independent numpy resize and exact normalisation checks."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visualizer.net.runtime.preprocess import PreprocessError, as_rgb, preprocess, resize_rgb


def _triangle_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights of an antialiased linear filter: the triangle widens with the
    downscale factor so every input pixel contributes (the documented meaning of
    Pillow's BILINEAR resize)."""
    scale = n_in / n_out
    width = max(scale, 1.0)
    centers = (np.arange(n_out) + 0.5) * scale
    pixels = np.arange(n_in) + 0.5
    w = np.clip(1.0 - np.abs(pixels[None, :] - centers[:, None]) / width, 0.0, None)
    return w / w.sum(axis=1, keepdims=True)


def _reference(frame: np.ndarray, r: int) -> np.ndarray:
    h, w = frame.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = frame[top:top + side, left:left + side].astype(np.float64)
    wy, wx = _triangle_weights(side, r), _triangle_weights(side, r)
    return np.einsum("yi,ijc,xj->yxc", wy, crop, wx)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 90), w=st.integers(1, 90), r=st.sampled_from([8, 16, 32, 45]),
       seed=st.integers(0, 2**16))
def test_resize_matches_an_independent_antialiased_filter(h: int, w: int, r: int,
                                                         seed: int) -> None:
    frame = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    got = resize_rgb(frame, r).astype(np.float64)
    want = _reference(frame, r)
    assert got.shape == (r, r, 3)
    diff = np.abs(got - want)
    # Pillow rounds to 8 bits between its horizontal and vertical passes.
    assert diff.max() <= 1.6
    assert diff.mean() <= 0.5


def test_downscale_by_whole_factor_of_a_smooth_image_is_close_to_block_means() -> None:
    y, x = np.mgrid[0:240, 0:240]
    frame = np.stack([x, y, (x + y) // 2], axis=2).astype(np.uint8)
    got = resize_rgb(frame, 60).astype(np.float64)
    blocks = frame.reshape(60, 4, 60, 4, 3).mean(axis=(1, 3))
    assert np.abs(got - blocks)[2:-2, 2:-2].max() <= 1.0


def test_output_shape_dtype_and_exact_normalisation() -> None:
    frame = np.full((37, 53, 3), (10, 128, 250), np.uint8)
    x = preprocess(frame, 64, mean=127.5, std=127.5)
    assert x.shape == (1, 3, 64, 64) and x.dtype == np.float32 and x.flags.c_contiguous
    for c, v in enumerate((10, 128, 250)):
        np.testing.assert_allclose(x[0, c], (v - 127.5) / 127.5, rtol=1e-6)
    y = preprocess(frame, 32, mean=0.0, std=1.0)
    assert y[0, 2].min() == y[0, 2].max() == 250.0


def test_only_the_central_square_is_used() -> None:
    rng = np.random.default_rng(3)
    square = rng.integers(0, 256, (60, 60, 3), dtype=np.uint8)
    wide = np.zeros((60, 100, 3), np.uint8)
    wide[:, 20:80] = square
    wide[:, :20] = 255  # bands that must not leak into the result
    tall = np.zeros((91, 60, 3), np.uint8)
    tall[15:75] = square  # (91 - 60) // 2 == 15
    ref = preprocess(square, 32, 127.5, 127.5)
    np.testing.assert_array_equal(preprocess(wide, 32, 127.5, 127.5), ref)
    np.testing.assert_array_equal(preprocess(tall, 32, 127.5, 127.5), ref)


def test_gray_rgba_and_integer_frames_become_rgb() -> None:
    rng = np.random.default_rng(4)
    gray = rng.integers(0, 256, (33, 41), dtype=np.uint8)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    np.testing.assert_array_equal(as_rgb(gray), rgb)
    np.testing.assert_array_equal(as_rgb(gray[:, :, None]), rgb)
    rgba = np.concatenate([rgb, np.full((33, 41, 1), 7, np.uint8)], axis=2)
    np.testing.assert_array_equal(as_rgb(rgba), rgb)
    np.testing.assert_array_equal(preprocess(rgb.astype(np.int64), 32, 0, 1),
                                  preprocess(rgb, 32, 0, 1))
    one = preprocess(np.array([[[1, 2, 3]]], np.uint8), 32, 0.0, 1.0)
    assert one.shape == (1, 3, 32, 32) and one[0, :, 5, 7].tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("frame, match", [
    (np.zeros((0, 10, 3), np.uint8), "empty"),
    (np.zeros((10, 0), np.uint8), "empty"),
    (np.zeros((4, 4, 2), np.uint8), "shape"),
    (np.zeros((2, 4, 4, 3), np.uint8), "shape"),
    (np.zeros((4, 4, 3), np.float32), "uint8"),
    (np.full((4, 4, 3), 300, np.int32), "outside 0..255"),
    (np.full((4, 4, 3), -1, np.int16), "outside 0..255"),
])
def test_bad_frames_are_rejected_with_a_clear_error(frame: np.ndarray, match: str) -> None:
    with pytest.raises(PreprocessError, match=match):
        preprocess(frame, 32, 127.5, 127.5)


def test_bad_normalisation_or_resolution_is_rejected() -> None:
    frame = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(PreprocessError, match="std"):
        preprocess(frame, 32, 127.5, 0.0)
    with pytest.raises(PreprocessError, match="resolution"):
        preprocess(frame, 0, 127.5, 127.5)
