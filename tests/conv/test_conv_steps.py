"""Step sequences: tallies, windows, values, laziness and indexing."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_strategies import brute_conv, layer_specs
from visualizer.conv.costs import conv_costs
from visualizer.conv.example import ConvExample, make_example
from visualizer.conv.layer import LayerSpec
from visualizer.conv.steps import (PathSteps, SeparableSteps, depthwise_steps,
                                   pointwise_steps, standard_steps)


def _assemble(steps, shape):
    """Output tensor filled from step values, at the cell each step names."""
    out = np.full(shape, np.nan)
    for s in steps:
        assert np.isnan(out[s.out_channel, s.out_y, s.out_x]), "cell filled twice"
        out[s.out_channel, s.out_y, s.out_x] = s.value
    assert not np.isnan(out).any(), "cell never filled"
    return out


@settings(max_examples=60, deadline=None)
@given(layer_specs())
def test_tallies_from_steps_equal_closed_form_counts(spec):
    ex = make_example(spec, "example")
    c = conv_costs(spec)
    std, sep = standard_steps(ex), SeparableSteps(ex)
    assert sum(len(s.products.ravel()) for s in std) == c.grouped
    assert sum(len(s.products.ravel()) for s in sep.depthwise) == c.depthwise
    assert sum(len(s.products.ravel()) for s in sep.pointwise) == c.pointwise
    assert sum(s.multiplications for s in sep) == c.separable
    if spec.groups == 1:
        assert c.grouped == c.standard
    # each step's tally is the running total of the products so far on its path
    for path in (std, sep.depthwise, sep.pointwise):
        done = 0
        for s in path:
            done += s.products.size
            assert s.tally == done and s.total == path[-1].tally
    assert sep.tally_before_pointwise() == c.depthwise


@settings(max_examples=50, deadline=None)
@given(layer_specs(max_side=7), st.sampled_from(["example", "random"]), st.integers(0, 99))
def test_step_values_assemble_into_the_reference_output(spec, preset, seed):
    ex = make_example(spec, preset, seed)
    ho, wo, n = spec.output_shape
    std = _assemble(standard_steps(ex), (n, ho, wo))
    np.testing.assert_allclose(
        std, brute_conv(ex.x, ex.standard_w, spec.stride, spec.padding, spec.groups),
        rtol=1e-10, atol=1e-10)
    dw = _assemble(depthwise_steps(ex), (spec.channels, ho, wo))
    np.testing.assert_allclose(
        dw, brute_conv(ex.x, ex.depthwise_w, spec.stride, spec.padding, spec.channels),
        rtol=1e-10, atol=1e-10)
    pw = _assemble(pointwise_steps(ex), (n, ho, wo))
    np.testing.assert_allclose(pw, brute_conv(dw, ex.pointwise_w, 1, 0, 1),
                               rtol=1e-10, atol=1e-10)
    # the running sum ends at the value
    s = standard_steps(ex)[-1]
    assert s.running_sums[-1] == pytest.approx(s.value)


@settings(max_examples=40, deadline=None)
@given(layer_specs(max_side=7))
def test_each_step_names_its_window_channels_and_weights(spec):
    ex = make_example(spec, "example")
    k, p, stride = spec.kernel, spec.padding, spec.stride
    cg, per_group = spec.channels_per_group, spec.filters // spec.groups
    steps = standard_steps(ex)
    assert len(steps) == spec.filters * spec.out_height * spec.out_width
    previous = None
    for i, s in enumerate(steps):
        assert s.index == i and s.path == "standard" and s.kernel == k
        order = (s.out_channel, s.out_y, s.out_x)
        assert previous is None or order > previous  # channel → row → column
        previous = order
        assert (s.in_y, s.in_x) == (s.out_y * stride - p, s.out_x * stride - p)
        g = s.out_channel // per_group
        assert s.in_channels == tuple(range(g * cg, (g + 1) * cg))
        np.testing.assert_array_equal(s.weights, ex.standard_w[s.out_channel])
        for ci, c in enumerate(s.in_channels):
            for a in range(k):
                for b in range(k):
                    y, x = s.in_y + a, s.in_x + b
                    inside = 0 <= y < spec.height and 0 <= x < spec.width
                    assert s.window[ci, a, b] == (ex.x[c, y, x] if inside else 0.0)
        assert s.products.shape == (cg, k, k)


def test_classic_first_step_by_hand():
    ex = make_example(LayerSpec(), "example")
    s = standard_steps(ex)[0]
    assert (s.out_channel, s.out_y, s.out_x, s.in_y, s.in_x) == (0, 0, 0, 0, 0)
    assert s.multiplications == 27 and s.tally == 27 and s.total == 3888
    assert s.value == pytest.approx(float((ex.x[:, :3, :3] * ex.standard_w[0]).sum()))
    last = standard_steps(ex)[-1]
    assert (last.out_channel, last.out_y, last.out_x, last.tally) == (15, 2, 2, 3888)


def test_separable_sequence_runs_depthwise_then_pointwise():
    ex = make_example(LayerSpec(height=6, width=4, channels=3, filters=5, stride=2, padding=1))
    sep = SeparableSteps(ex)
    nd = len(sep.depthwise)
    assert len(sep) == nd + len(sep.pointwise) == 3 * 3 * 2 + 5 * 3 * 2
    assert [s.path for s in sep] == ["depthwise"] * nd + ["pointwise"] * (len(sep) - nd)
    assert sep[nd - 1].path == "depthwise" and sep[nd].path == "pointwise"
    assert sep[nd].index == 0 and sep[-1].index == len(sep.pointwise) - 1
    first_pw = sep[nd]
    assert first_pw.kernel == 1 and first_pw.in_channels == (0, 1, 2)
    assert first_pw.window.shape == first_pw.weights.shape == (3, 1, 1)


@pytest.mark.parametrize("make", [standard_steps, SeparableSteps])
def test_indexing_bounds_negatives_and_slices(make):
    steps = make(make_example(LayerSpec(height=4, width=5, kernel=2)))
    n = len(steps)
    assert steps[-1].tally == steps[n - 1].tally
    assert steps[-n].index == steps[0].index and steps[-n].path == steps[0].path
    assert steps[np.int64(3)].tally == steps[3].tally
    for bad in (n, n + 5, -n - 1, -2 * n):
        with pytest.raises(IndexError):
            steps[bad]
    with pytest.raises(TypeError):
        steps[1.5]
    part = steps[2:8:3]
    assert [(s.path, s.index) for s in part] == [(steps[i].path, steps[i].index) for i in (2, 5)]


def test_steps_do_not_expose_writable_views_of_the_example():
    ex = make_example(LayerSpec(padding=0), "example")
    before = ex.x.copy()
    s = standard_steps(ex)[0]
    for arr in (s.window, s.weights):
        with pytest.raises(ValueError):
            arr[0, 0, 0] = 123.0
    np.testing.assert_array_equal(ex.x, before)


def _huge_example():
    """A 1024×1024×64 input with 256 filters of 3×3, without allocating the input: the
    input varies by channel and column and is broadcast along the rows."""
    spec = LayerSpec(height=1024, width=1024, channels=64, kernel=3, filters=256, padding=1)
    rng = np.random.default_rng(7)
    base = rng.uniform(-1, 1, (64, 1, 1024))
    x = np.broadcast_to(base, (64, 1024, 1024))
    ex = ConvExample(spec=spec, x=x,
                     standard_w=rng.uniform(-1, 1, (256, 64, 3, 3)),
                     depthwise_w=rng.uniform(-1, 1, (64, 1, 3, 3)),
                     pointwise_w=rng.uniform(-1, 1, (256, 64, 1, 1)))
    return ex, base


def test_a_huge_layer_is_lazy_and_late_steps_are_right():
    ex, base = _huge_example()
    tracemalloc.start()
    try:
        std, sep = standard_steps(ex), SeparableSteps(ex)
        last, mid_step = std[-1], std[len(std) // 2 + 12345]
        dw_last, pw_last = sep.depthwise[-1], sep[-1]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the input alone would be 512 MB as float64; steps must not copy or pad it
    assert peak < 8 * 2**20, f"building steps allocated {peak / 2**20:.0f} MiB"
    assert len(std) == 256 * 1024 * 1024
    assert len(sep) == 64 * 1024 * 1024 + 256 * 1024 * 1024
    c = conv_costs(ex.spec)
    assert last.tally == last.total == c.standard
    assert pw_last.tally == c.pointwise and dw_last.tally == c.depthwise

    def window(y0, x0):  # brute force: padded cells read 0
        win = np.zeros((64, 3, 3))
        for a in range(3):
            for b in range(3):
                y, x = y0 + a, x0 + b
                if 0 <= y < 1024 and 0 <= x < 1024:
                    win[:, a, b] = base[:, 0, x]
        return win

    assert (last.out_channel, last.out_y, last.out_x) == (255, 1023, 1023)
    np.testing.assert_array_equal(last.window, window(1022, 1022))
    assert last.value == pytest.approx(float((window(1022, 1022) * ex.standard_w[255]).sum()))
    s = mid_step
    np.testing.assert_array_equal(s.window, window(s.out_y - 1, s.out_x - 1))
    # pointwise reads the depthwise output at its cell, computed independently here
    column = (window(1022, 1022) * ex.depthwise_w[:, 0]).sum(axis=(1, 2))
    np.testing.assert_allclose(pw_last.window[:, 0, 0], column, rtol=1e-12)
    assert pw_last.value == pytest.approx(float(column @ ex.pointwise_w[255, :, 0, 0]))
    assert dw_last.value == pytest.approx(column[63])


def test_path_steps_reject_weights_that_do_not_fit_and_unknown_paths():
    x = np.zeros((4, 5, 5))
    with pytest.raises(ValueError, match="do not fit"):
        PathSteps("standard", x, np.zeros((6, 3, 3, 3)), 1, 0, 1)
    with pytest.raises(ValueError, match="unknown path"):
        PathSteps("diagonal", x, np.zeros((6, 4, 3, 3)), 1, 0, 1)
