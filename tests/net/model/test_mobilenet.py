"""NetSpec against the published figures of Howard et al. (2017) and independent counts."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visualizer.conv.costs import conv_costs
from visualizer.conv.layer import LayerSpec
from visualizer.net.model.mobilenet import NetSpec, SpecError, summary_by_type

# Table 6 / Table 7 of the paper (1000 classes): (alpha, resolution, million mult-adds,
# decimals the paper prints, million parameters or None, its decimals).
PAPER = [
    (1.0, 224, 569, 0, 4.2, 1),
    (0.75, 224, 325, 0, 2.6, 1),
    (0.5, 224, 149, 0, 1.3, 1),
    (0.25, 224, 41, 0, 0.5, 1),
    (1.0, 192, 418, 0, 4.2, 1),
    (1.0, 160, 290.68, 2, 4.2, 1),  # 290.68: the text's per-resolution figure
    (1.0, 128, 186, 0, 4.2, 1),
]


@pytest.mark.parametrize("alpha,res,macs_m,macs_dp,params_m,params_dp", PAPER)
def test_paper_totals(alpha, res, macs_m, macs_dp, params_m, params_dp):
    spec = NetSpec(alpha=alpha, resolution=res, classes=1000)
    assert round(spec.total_macs / 1e6, macs_dp) == macs_m
    assert round(spec.total_params / 1e6, params_dp) == params_m


def test_full_model_exact_rounding():
    spec = NetSpec()  # 1.0-224, 1000 classes
    assert round(spec.total_macs / 1e6, 2) == 568.74
    assert round(spec.total_params / 1e6, 2) == 4.21


def test_table2_shares():
    """Table 2: resources per layer type (1×1 conv, depthwise, conv 3×3 (first), FC)."""
    rows = {s.type: s for s in summary_by_type(NetSpec().layers)}
    expected = {"pointwise": (94.86, 74.59), "depthwise": (3.06, 1.06),
                "conv": (1.91, 0.02), "fc": (0.18, 24.33)}
    for t, (macs_pct, params_pct) in expected.items():
        assert round(rows[t].macs_percent, 2) == macs_pct, t
        assert round(rows[t].params_percent, 2) == params_pct, t
    assert sum(s.macs_percent for s in rows.values()) == pytest.approx(100)
    assert rows["depthwise"].count == rows["pointwise"].count == 13


def test_conv_mobilenet_table4():
    """Table 4: Conv MobileNet 4866 M mult-adds, 29.3 M parameters."""
    spec = NetSpec(standard_conv=True)
    assert abs(spec.total_macs / 1e6 - 4866) < 2  # we count 4867.29 M
    assert round(spec.total_params / 1e6, 1) == 29.3
    assert [l.name for l in spec.layers] == [f"conv{i}" for i in range(1, 15)] + ["pool", "fc"]


# Table 1 of the paper, as printed (type / stride, filter shape at α = 1), with the
# repeated "5×" row expanded. The paper prints "s2" for the last Conv dw, but its own
# input-size column keeps 7×7 → 7×7, so that layer is s1.
TABLE1 = [("conv", 2, 32)] + [
    row for stride, out in [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)]
    + [(1, 512)] * 5 + [(2, 1024), (1, 1024)]
    for row in (("dw", stride, None), ("pw", 1, out))
]


def independent_count(alpha: float, res: int, classes: int, standard: bool):
    """A straightforward walk down Table 1 using the paper's cost formulas (Section 3)."""
    width = lambda c: max(1, int(alpha * c))  # noqa: E731  (α·M channels, at least one)
    shapes, macs, params = [], 0, 0
    size, m = res, 3
    i = 0
    while i < len(TABLE1):
        kind, stride, out = TABLE1[i]
        if kind == "dw" and standard:  # the separable pair becomes one 3×3 conv
            stride, out, kind = stride, TABLE1[i + 1][2], "conv"
            i += 1
        df = (size + stride - 1) // stride  # output D_F
        if kind == "conv":
            n = width(out)
            macs += 3 * 3 * m * n * df * df  # D_K·D_K·M·N·D_F·D_F
            params += 3 * 3 * m * n
        elif kind == "dw":
            n = m
            macs += 3 * 3 * m * df * df  # D_K·D_K·M·D_F·D_F
            params += 3 * 3 * m
        else:
            n = width(out)
            macs += m * n * df * df  # M·N·D_F·D_F
            params += m * n
        shapes.append((df, df, n))
        size, m = df, n
        i += 1
    macs += m * classes  # FC after the global average pool
    params += m * classes
    return shapes, macs, params


specs = st.builds(
    NetSpec,
    alpha=st.floats(min_value=0.01, max_value=1.0, allow_nan=False),
    resolution=st.integers(1, 24).map(lambda k: 32 * k),
    classes=st.integers(1, 5000),
    standard_conv=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(specs)
def test_matches_independent_table1_walk(spec):
    shapes, macs, params = independent_count(spec.alpha, spec.resolution, spec.classes,
                                             spec.standard_conv)
    convs = [l for l in spec.layers if l.type not in ("pool", "fc")]
    assert [l.output_shape for l in convs] == shapes
    assert spec.total_macs == macs
    assert spec.total_params == params
    assert spec.layers[-1].output_shape == (1, 1, spec.classes)


@settings(max_examples=40, deadline=None)
@given(specs)
def test_conv_layers_agree_with_conv_costs(spec):
    """Each conv layer's mult-adds equal visualizer.conv.costs for the same geometry."""
    prev = None
    for layer in spec.layers:
        if prev is not None:
            assert layer.input_shape == prev.output_shape, layer.name
        prev = layer
        if layer.type in ("pool", "fc"):
            continue
        h, w, c = layer.input_shape
        k = layer.kernel
        # Symmetric padding k//2 gives the same output size as TF "SAME" here.
        ls = LayerSpec(height=h, width=w, channels=c, kernel=k, filters=layer.output_shape[2],
                       stride=layer.stride, padding=k // 2, groups=layer.groups)
        costs = conv_costs(ls)
        assert costs.output == layer.output_shape, layer.name
        assert layer.macs == costs.grouped, layer.name
        if layer.type == "depthwise":
            assert layer.macs == costs.depthwise
        elif layer.type == "pointwise":
            assert layer.macs == costs.pointwise


def test_separable_saving_close_to_paper_ratio():
    """Section 3.1: separable costs 1/N + 1/D_K² of the standard conv, per block."""
    sep, std = NetSpec(), NetSpec(standard_conv=True)
    by_name = {l.name: l for l in std.layers}
    for i in range(1, 14):
        dw = next(l for l in sep.layers if l.name == f"dw{i}")
        pw = next(l for l in sep.layers if l.name == f"pw{i}")
        full = by_name[f"conv{i + 1}"]
        n = pw.output_shape[2]
        assert (dw.macs + pw.macs) / full.macs == pytest.approx(1 / n + 1 / 9)


@pytest.mark.parametrize("kwargs", [
    {"alpha": 0}, {"alpha": -0.5}, {"alpha": 1.01}, {"alpha": float("nan")}, {"alpha": "1"},
    {"resolution": 100}, {"resolution": 0}, {"resolution": 16}, {"resolution": 224.0},
    {"resolution": True}, {"classes": 0}, {"classes": 2.5},
])
def test_invalid_spec_raises_clear_error(kwargs):
    with pytest.raises(SpecError) as info:
        NetSpec(**kwargs)
    assert next(iter(kwargs)) in str(info.value)
