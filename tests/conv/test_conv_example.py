"""Example tensors: presets, value checks, single-cell edits and resizing."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_strategies import layer_specs
from visualizer.conv.example import (MAX_ABS_VALUE, MAX_EXAMPLE_VALUES, PRESETS, ConvExample,
                                     check_value, example_values, make_example, resize)
from visualizer.conv.layer import LayerError, LayerSpec

TENSORS = ("x", "standard_w", "depthwise_w", "pointwise_w")


def _expected_shapes(s: LayerSpec) -> dict:
    return {"x": (s.channels, s.height, s.width),
            "standard_w": (s.filters, s.channels // s.groups, s.kernel, s.kernel),
            "depthwise_w": (s.channels, 1, s.kernel, s.kernel),
            "pointwise_w": (s.filters, s.channels, 1, 1)}


@pytest.mark.parametrize("preset", PRESETS)
def test_presets_have_the_onnx_shapes_and_their_values(preset):
    spec = LayerSpec(height=4, width=6, channels=4, kernel=3, filters=6, groups=2)
    ex = make_example(spec, preset, seed=3)
    for name, shape in _expected_shapes(spec).items():
        a = getattr(ex, name)
        assert a.shape == shape and a.dtype == np.float64
        if preset == "zeros":
            assert not a.any()
        elif preset == "ones":
            assert (a == 1).all()
        elif preset == "random":
            assert ((a >= -1) & (a <= 1)).all()
            np.testing.assert_array_equal(a, np.round(a, 2))
        else:  # small whole numbers, easy to multiply in one's head
            assert (a == np.round(a)).all() and (np.abs(a) <= 9).all()
    again = make_example(spec, preset, seed=3)
    for name in TENSORS:
        np.testing.assert_array_equal(getattr(ex, name), getattr(again, name))


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="unknown preset 'gauss'"):
        make_example(LayerSpec(), "gauss")


@pytest.mark.parametrize("text, expected", [
    ("3", 3.0), (" -2.5 ", -2.5), ("1e3", 1000.0), (7, 7.0), (np.float32(0.5), 0.5),
    (Decimal("0.25"), 0.25), (Fraction(1, 4), 0.25), (MAX_ABS_VALUE, MAX_ABS_VALUE),
    (-MAX_ABS_VALUE, -MAX_ABS_VALUE), ("1e-400", 0.0),
])
def test_check_value_accepts_numbers(text, expected):
    assert check_value(text) == expected


@pytest.mark.parametrize("bad, message", [
    ("nan", "not a finite number"), (float("nan"), "not a finite number"),
    ("inf", "not a finite number"), ("-Infinity", "not a finite number"),
    ("1e400", "not a finite number"), (Decimal("NaN"), "not a finite number"),
    (1e7, "too large"), ("-2e6", "too large"),
    pytest.param(10**400, "too large", id="int-1e400"),
    pytest.param(Fraction(10**400, 3), "too large", id="fraction-1e400"),
    ("", "is not a number"), ("abc", "is not a number"), ("1,5", "is not a number"),
    ("3 4", "is not a number"), (None, "is not a number"), ([1.0], "is not a number"),
    (1 + 2j, "is not a number"), (True, "is not a number"), (object(), "is not a number"),
])
def test_check_value_refuses_nonsense_with_a_message(bad, message):
    with pytest.raises(ValueError, match=message):
        check_value(bad)


def test_with_value_changes_one_cell_and_keeps_the_original():
    ex = make_example(LayerSpec(), "example")
    for tensor in TENSORS:
        arr = getattr(ex, tensor)
        index = tuple(d - 1 for d in arr.shape)
        edited = ex.with_value(tensor, index, "-4.5")
        changed = getattr(edited, tensor)
        assert changed[index] == -4.5
        mask = np.ones(arr.shape, bool)
        mask[index] = False
        np.testing.assert_array_equal(changed[mask], arr[mask])
        assert arr[index] != -4.5  # original untouched (the preset makes whole numbers)
        for other in set(TENSORS) - {tensor}:
            np.testing.assert_array_equal(getattr(edited, other), getattr(ex, other))
    np.testing.assert_array_equal(ex.x, make_example(LayerSpec(), "example").x)


@pytest.mark.parametrize("tensor, index, value, error", [
    ("x", (0, 0, 0), "nan", ValueError),
    ("x", (0, 0, 0), float("inf"), ValueError),
    ("x", (0, 0, 0), 1e12, ValueError),
    ("x", (0, 0, 0), "seven", ValueError),
    ("spec", (0,), 1.0, ValueError),
    ("bias", (0,), 1.0, ValueError),
    ("x", (3, 0, 0), 1.0, IndexError),   # channel 3 of 3
    ("x", (0, -1, 0), 1.0, IndexError),
    ("x", (0, 0), 1.0, IndexError),      # a row, not a cell
    ("x", (0, 0, 0, 0), 1.0, IndexError),
    ("x", (0, 0.5, 0), 1.0, IndexError),
    ("pointwise_w", (16, 0, 0, 0), 1.0, IndexError),
])
def test_with_value_refuses_bad_edits(tensor, index, value, error):
    ex = make_example(LayerSpec(), "example")
    with pytest.raises(error):
        ex.with_value(tensor, index, value)


def test_example_arrays_are_read_only_and_the_callers_array_is_not():
    spec = LayerSpec(height=3, width=3, kernel=1, filters=2, channels=1)
    x = np.arange(9.0).reshape(1, 3, 3)
    ex = ConvExample(spec, x, np.ones((2, 1, 1, 1)), np.ones((1, 1, 1, 1)),
                     np.ones((2, 1, 1, 1)))
    with pytest.raises(ValueError):
        ex.x[0, 0, 0] = 5
    x[0, 0, 0] = 5  # the caller's own array stays writable
    assert x.flags.writeable


def test_example_refuses_tensors_of_the_wrong_shape():
    with pytest.raises(ValueError, match="standard_w has shape"):
        ConvExample(LayerSpec(), np.zeros((3, 5, 5)), np.zeros((16, 3, 2, 2)),
                    np.zeros((3, 1, 3, 3)), np.zeros((16, 3, 1, 1)))


def _overlap(a: np.ndarray, b: np.ndarray):
    return tuple(slice(0, min(m, n)) for m, n in zip(a.shape, b.shape))


@settings(max_examples=80, deadline=None)
@given(layer_specs(max_side=7), layer_specs(max_side=7), st.integers(0, 10))
def test_resize_keeps_every_overlapping_value(old_spec, new_spec, seed):
    old = make_example(old_spec, "random", seed)  # values the "example" preset never makes
    new = resize(old, new_spec)
    for name, shape in _expected_shapes(new_spec).items():
        a, b = getattr(old, name), getattr(new, name)
        assert b.shape == shape
        common = _overlap(a, b)
        np.testing.assert_array_equal(b[common], a[common])
        # cells outside the overlap come from the "example" preset (whole numbers)
        outside = np.ones(b.shape, bool)
        outside[common] = False
        assert (b[outside] == np.round(b[outside])).all()


def test_resize_keeps_an_edit_through_a_round_trip_of_changes():
    spec = LayerSpec()
    ex = make_example(spec).with_value("x", (2, 4, 4), "0.125")
    ex = ex.with_value("standard_w", (15, 2, 2, 2), "-0.5")
    for changes in ({"height": 7}, {"channels": 6, "groups": 2}, {"kernel": 5, "padding": 1},
                    {"filters": 32}):
        spec = spec.with_(**changes)
        ex = resize(ex, spec)
    assert ex.x[2, 4, 4] == 0.125
    assert ex.standard_w[15, 2, 2, 2] == -0.5


def test_resize_to_smaller_drops_cells_outside():
    ex = make_example(LayerSpec(height=6, width=6, channels=4, filters=8), "random", 1)
    small = resize(ex, LayerSpec(height=3, width=4, channels=2, filters=2, kernel=1))
    np.testing.assert_array_equal(small.x, ex.x[:2, :3, :4])
    np.testing.assert_array_equal(small.standard_w, ex.standard_w[:2, :2, :1, :1])
    np.testing.assert_array_equal(small.pointwise_w, ex.pointwise_w[:2, :2])
    for name in TENSORS:  # nothing aliases the old arrays
        assert not np.shares_memory(getattr(small, name), getattr(ex, name))


def test_example_values_counts_tensors_and_path_outputs():
    spec = LayerSpec(height=6, width=5, channels=4, kernel=3, filters=6, stride=2,
                     padding=1, groups=2)
    ex = make_example(spec, "random")
    ho, wo, n = spec.output_shape
    held = sum(getattr(ex, name).size for name in TENSORS)
    assert example_values(spec) == held + (n + spec.channels + n) * ho * wo


@pytest.mark.parametrize("changes", [
    {"height": 4096, "width": 4096, "channels": 8192},  # a terabyte of input
    {"height": 4096, "width": 4096, "channels": 1, "filters": 8192, "kernel": 1},
    {"channels": 8192, "filters": 8192, "kernel": 3},  # 600 M standard weights
])
def test_layers_too_large_to_hold_are_refused_with_a_message(changes):
    spec = LayerSpec(**changes)
    with pytest.raises(LayerError, match=r"this layer needs [\d,]+ values in memory"):
        make_example(spec)
    with pytest.raises(LayerError, match="explorer's limit"):
        resize(make_example(LayerSpec()), spec)


def test_mobilenet_sized_layers_fit():
    for size, c, n in ((224, 3, 32), (112, 32, 64), (56, 128, 128), (14, 512, 512),
                       (7, 1024, 1024)):
        spec = LayerSpec(height=size, width=size, channels=c, filters=n, padding=1)
        assert example_values(spec) <= MAX_EXAMPLE_VALUES
