"""LayerSpec: output size and the validation messages the UI and CLI show."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from conv_strategies import layer_specs, window_origins
from visualizer.conv.layer import LIMITS, LayerError, LayerSpec


@settings(max_examples=150, deadline=None)
@given(layer_specs(max_side=12, max_kernel=5))
def test_output_size_counts_the_windows_that_fit(spec):
    origins = window_origins(spec.height, spec.width, spec.kernel, spec.stride, spec.padding)
    rows = sorted({y for y, _ in origins})
    cols = sorted({x for _, x in origins})
    assert spec.output_shape == (len(rows), len(cols), spec.filters)
    assert len(origins) == spec.out_height * spec.out_width


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (224, 3, 2, 1, 112),  # MobileNet V1 conv1 (Table 1 of the paper): 224 -> 112
    (112, 3, 2, 1, 56),   # dw2
    (14, 3, 1, 1, 14),    # dw7 … dw11, 'same' padding
    (7, 1, 1, 0, 7),      # pw13
    (5, 3, 1, 0, 3),      # the classic 5×5 -> 3×3 example
])
def test_output_size_matches_published_layers(size, kernel, stride, padding, expected):
    spec = LayerSpec(height=size, width=size, channels=3, kernel=kernel, stride=stride,
                     padding=padding)
    assert (spec.out_height, spec.out_width) == (expected, expected)


def test_non_square_input_has_non_square_output():
    spec = LayerSpec(height=4, width=9, kernel=3, stride=2, padding=1)
    assert spec.output_shape == (2, 5, 16)


@pytest.mark.parametrize("changes, message", [
    ({"kernel": 7}, "kernel 7 is larger than the padded input 5×5"),
    ({"height": 4, "width": 9, "kernel": 5}, "kernel 5 is larger than the padded input 4×9"),
    ({"height": 2, "kernel": 5, "padding": 1}, "kernel 5 is larger than the padded input 4×7"),
    ({"padding": 3}, "padding 3 must be less than the kernel 3"),
    ({"kernel": 1, "padding": 1}, "padding 1 must be less than the kernel 1"),
    ({"height": 0}, "height must be at least 1, not 0"),
    ({"width": -4}, "width must be at least 1, not -4"),
    ({"filters": 0}, "filters must be at least 1, not 0"),
    ({"stride": 0}, "stride must be at least 1, not 0"),
    ({"padding": -1}, "padding must be 0 or more, not -1"),
    ({"groups": 2}, "groups 2 must divide both the input channels 3 and the filters 16"),
    ({"channels": 4, "groups": 4, "filters": 6}, "groups 4 must divide"),
    ({"height": 5.0}, "height must be a whole number, not 5.0"),
    ({"kernel": "3"}, "kernel must be a whole number, not '3'"),
    ({"channels": None}, "channels must be a whole number, not None"),
    ({"filters": True}, "filters must be a whole number, not True"),
    ({"stride": float("nan")}, "stride must be a whole number"),
    ({"height": LIMITS["height"] + 1}, f"height {LIMITS['height'] + 1} is larger than the limit"),
    ({"kernel": 10**30}, "is larger than the limit"),
])
def test_invalid_layers_say_what_is_wrong(changes, message):
    with pytest.raises(LayerError) as info:
        LayerSpec(**changes)
    assert message in str(info.value)
    # with_() validates the same way and leaves the original untouched
    base = LayerSpec()
    with pytest.raises(LayerError):
        base.with_(**changes)
    assert base == LayerSpec()


def test_layer_error_is_a_value_error():
    assert issubclass(LayerError, ValueError)


def test_with_rejects_unknown_fields():
    with pytest.raises(LayerError, match="unknown layer field 'depth'"):
        LayerSpec().with_(depth=3)


def test_largest_valid_padding_and_exact_fit_are_accepted():
    spec = LayerSpec(height=5, width=5, kernel=7, padding=1)  # 7×7 padded, one window
    assert spec.output_shape == (1, 1, 16)
    spec = LayerSpec(height=1, width=1, kernel=3, padding=2)  # only padding around 1 cell
    assert spec.output_shape == (3, 3, 16)


def test_numpy_integers_are_accepted_as_plain_ints():
    spec = LayerSpec(height=np.int64(6), width=np.int32(7), kernel=np.int16(3))
    assert spec == LayerSpec(height=6, width=7, kernel=3)
    assert type(spec.height) is int and type(spec.width) is int


def test_specs_are_immutable_and_hashable():
    spec = LayerSpec()
    with pytest.raises(AttributeError):
        spec.height = 7  # type: ignore[misc]
    assert spec.with_(height=7).height == 7 and spec.height == 5
    assert len({spec, LayerSpec(), spec.with_(height=7)}) == 2
