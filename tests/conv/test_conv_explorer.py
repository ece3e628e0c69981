"""The explorer's filled outputs: large layers compute only the crop a view shows, and
those crops must equal the whole output (plain loops here), on every path and position."""
from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_strategies import brute_conv, layer_specs
from visualizer.conv import filled as filled_module
from visualizer.conv.explorer import Explorer
from visualizer.conv.layer import LayerSpec


def expected_outputs(ex: Explorer) -> dict[str, np.ndarray]:
    e, s = ex.example, ex.spec
    depthwise = brute_conv(e.x, e.depthwise_w, s.stride, s.padding, s.channels)
    return {"standard": brute_conv(e.x, e.standard_w, s.stride, s.padding, s.groups),
            "depthwise": depthwise,
            "pointwise": brute_conv(depthwise, e.pointwise_w, 1, 0, 1)}


def check_crop(ex: Explorer, which: str, want: np.ndarray, ch: int, rows: slice,
               cols: slice) -> None:
    """The crop holds the computed cells (flat, channel-major, before `done`), NaN after."""
    view = ex.filled_view(which)
    got = view[ch, rows, cols]
    _, h, w = want.shape
    flat = ch * h * w + np.arange(h)[rows, None] * w + np.arange(w)[None, cols]
    reached = flat < view.done
    np.testing.assert_allclose(got[reached], want[ch, rows, cols][reached], rtol=1e-12,
                               atol=1e-12)
    assert np.isnan(got[~reached]).all()


@settings(max_examples=60, deadline=None)
@given(layer_specs(max_side=7), st.integers(0, 99), st.data())
def test_crops_computed_alone_equal_the_whole_output(spec, seed, data):
    ex = Explorer(spec)
    ex.apply_preset("random", seed)  # kernels not symmetric: a transposed one shows
    want = expected_outputs(ex)
    # every output counts as large: only the crops asked for are computed
    with mock.patch.object(filled_module, "FULL_OUTPUT_LIMIT", -1):
        for path, outputs in (("standard", ("standard",)),
                              ("separable", ("depthwise", "pointwise"))):
            ex.set_path(path)
            ex.seek(data.draw(st.integers(0, ex.length), label=f"{path} position"))
            for which in outputs:
                n, h, w = want[which].shape
                r0 = data.draw(st.integers(0, h - 1))
                c0 = data.draw(st.integers(0, w - 1))
                rows = slice(r0, data.draw(st.integers(r0 + 1, h)))
                cols = slice(c0, data.draw(st.integers(c0 + 1, w)))
                check_crop(ex, which, want[which], data.draw(st.integers(0, n - 1)), rows,
                           cols)
                assert f"{which}_out" not in ex._cache  # the whole output was not made


def test_a_large_layer_shows_exact_cells_without_computing_it_whole():
    """64×64×64 with 256 filters (the Convolution tab's large-layer case): the cells a
    view shows are computed on their own, and equal the sum of products done here."""
    spec = LayerSpec(height=64, width=64, channels=64, kernel=3, filters=256, padding=1)
    ex = Explorer(spec)
    ex.apply_preset("random", 4)
    e = ex.example
    ex.seek(ex.length)
    got = ex.filled_view("standard")[200, 30:34, 60:64]
    xp = np.pad(e.x, ((0, 0), (1, 1), (1, 1)))
    want = np.array([[float((xp[:, r:r + 3, c:c + 3] * e.standard_w[200]).sum())
                      for c in range(60, 64)] for r in range(30, 34)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    ex.set_path("separable")
    ex.seek(ex.length)
    dw = ex.filled_view("depthwise")[5, 0:3, 61:64]
    want_dw = np.array([[float((xp[5, r:r + 3, c:c + 3] * e.depthwise_w[5, 0]).sum())
                         for c in range(61, 64)] for r in range(0, 3)])
    np.testing.assert_allclose(dw, want_dw, rtol=1e-12, atol=1e-12)
    assert "standard_out" not in ex._cache and "depthwise_out" not in ex._cache
