"""Closed-form multiplication counts against brute-force counting and published figures."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from conv_strategies import brute_products, layer_specs, window_origins
from visualizer.conv.costs import (conv_costs, depthwise_formula, grouped_formula,
                                   pointwise_formula, standard_formula)
from visualizer.conv.layer import LayerSpec


@settings(max_examples=120, deadline=None)
@given(layer_specs())
def test_counts_equal_brute_force_counting(spec):
    c = conv_costs(spec)
    k, ch, n, g = spec.kernel, spec.channels, spec.filters, spec.groups
    origins = window_origins(spec.height, spec.width, k, spec.stride, spec.padding)
    assert c.standard == brute_products(origins, n, ch, k)
    assert c.grouped == brute_products(origins, n, ch // g, k)
    assert c.depthwise == brute_products(origins, ch, 1, k)
    # pointwise: one 1×1×C filter per output channel at every depthwise output cell
    assert c.pointwise == brute_products(origins, n, ch, 1)
    assert c.separable == c.depthwise + c.pointwise
    assert c.output == (spec.out_height, spec.out_width, n)


@settings(max_examples=200, deadline=None)
@given(layer_specs(max_side=64, max_channels=64, max_kernel=7, max_per_group=64))
def test_separable_ratio_is_one_over_n_plus_one_over_k_squared(spec):
    c = conv_costs(spec)
    expected = 1 / spec.filters + 1 / spec.kernel**2
    assert math.isclose(c.ratio, expected, rel_tol=1e-12)
    assert math.isclose(c.ratio_formula, expected, rel_tol=1e-12)
    assert math.isclose(c.reduction_percent, 100 * (1 - expected), rel_tol=1e-9, abs_tol=1e-9)


def test_seed_example_matches_the_issue():
    c = conv_costs(LayerSpec())
    assert (c.standard, c.depthwise, c.pointwise, c.separable) == (3888, 243, 432, 675)
    assert round(c.reduction_percent, 2) == 82.64
    assert c.output == (3, 3, 16)


@pytest.mark.parametrize("channels, size, standard_m, separable_m", [
    (512, 14, 462, 52.3),  # Table 3 of Howard et al. (2017): 3×3, M = N = 512, 14×14
    (384, 14, None, 29.6),  # width multiplier α = 0.75
    (384, 10, None, 15.1),  # and resolution multiplier ρ = 0.714
])
def test_paper_table_3_mult_adds(channels, size, standard_m, separable_m):
    spec = LayerSpec(height=size, width=size, channels=channels, kernel=3, filters=channels,
                     padding=1)
    c = conv_costs(spec)
    if standard_m is not None:
        assert round(c.standard / 1e6) == standard_m
    assert round(c.separable / 1e6, 1) == separable_m


def test_paper_says_eight_to_nine_times_fewer_for_3x3():
    # "MobileNet uses 3 × 3 depthwise separable convolutions which uses between 8 to 9
    # times less computation than standard convolutions"
    # (it holds for the wide layers, N ≥ 128; the bound 9 = k² holds for every N)
    for n in (128, 256, 512, 1024):
        c = conv_costs(LayerSpec(height=14, width=14, channels=64, filters=n, padding=1))
        assert 8 <= 1 / c.ratio < 9
    assert 1 / conv_costs(LayerSpec(filters=8192)).ratio < 9


def test_padding_zeros_are_counted():
    plain = conv_costs(LayerSpec(height=5, width=5, padding=0))
    padded = conv_costs(LayerSpec(height=5, width=5, padding=1))
    assert padded.standard == plain.standard * 25 // 9  # 5×5 outputs instead of 3×3


def test_grouped_equals_standard_without_groups_and_divides_with_them():
    spec = LayerSpec(height=6, width=6, channels=8, filters=12, groups=4)
    c = conv_costs(spec)
    assert c.grouped * 4 == c.standard
    assert conv_costs(spec.with_(groups=1)).grouped == c.standard


def test_json_dict_has_the_documented_keys_and_types():
    d = conv_costs(LayerSpec(height=7, width=9, stride=2, padding=1)).as_dict()
    assert set(d) == {"output", "standard", "depthwise", "pointwise", "separable",
                      "reduction_percent"}
    assert d["output"] == [4, 5, 16]
    assert all(type(d[k]) is int for k in ("standard", "depthwise", "pointwise", "separable"))
    assert type(d["reduction_percent"]) is float


def test_formulas_show_the_factors_and_the_product():
    spec = LayerSpec(height=14, width=10, channels=32, filters=64, kernel=3, stride=2,
                     padding=1, groups=4)
    ho, wo = spec.out_height, spec.out_width  # 7, 5
    c = conv_costs(spec)
    assert standard_formula(spec) == f"3 × 3 × 32 × 64 × {ho} × {wo} = {c.standard:,}"
    assert depthwise_formula(spec) == f"3 × 3 × 32 × {ho} × {wo} = {c.depthwise:,}"
    assert pointwise_formula(spec) == f"32 × 64 × {ho} × {wo} = {c.pointwise:,}"
    assert grouped_formula(spec) == f"3 × 3 × (32/4) × 64 × {ho} × {wo} = {c.grouped:,}"
    # the printed product is the product of the printed factors
    for text in (standard_formula(spec), depthwise_formula(spec), pointwise_formula(spec)):
        factors, result = text.split(" = ")
        assert math.prod(int(f) for f in factors.split(" × ")) == int(result.replace(",", ""))
