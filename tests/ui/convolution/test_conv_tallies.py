"""Honest tallies: the path not being played shows a greyed total, never 'done'; formula
factors carry their symbols; the output size formula is shown."""
from __future__ import annotations

import pytest

from visualizer.conv.costs import factors, labelled_formula, output_size_lines
from visualizer.conv.layer import LayerSpec



def rows(tab):
    return {r.name: r for r in tab.tally.standard.rows}


def test_the_path_not_played_is_a_greyed_total_not_done(tab):
    r = rows(tab)  # standard path, step 0
    assert not r["standard"].idle and r["standard"].done_text == "0"
    for name in ("depthwise", "+ pointwise", "= separable"):
        assert r[name].idle and r[name].done_text == "—" and "total" in r[name].total_text
    assert "= separable  675 total (not playing)" in tab.tally.standard.text()
    assert "675 / 675" not in tab.tally.standard.text()  # the misreading
    assert tab.tally.chart.dw_done.value == (0, 0)  # no solid bar for the idle path
    tab.set_path("separable")
    tab.seek(30)
    r = rows(tab)
    assert r["standard"].idle and r["standard"].done_text == "—"
    assert r["= separable"].done == 27 * 9 + 3 * 3 and not r["= separable"].idle
    assert tab.tally.chart.std_done.value == (0, 0)


def test_formula_factors_are_labelled_with_their_symbols():
    spec = LayerSpec(height=14, width=10, channels=32, filters=64, stride=2, padding=1,
                     groups=4)
    ho, wo = spec.out_height, spec.out_width
    for which, symbols in (("standard", ["k", "k", "C_in", "N", "H_out", "W_out"]),
                           ("grouped", ["k", "k", "C_in/g", "N", "H_out", "W_out"]),
                           ("depthwise", ["k", "k", "C_in", "H_out", "W_out"]),
                           ("pointwise", ["C_in", "N", "H_out", "W_out"])):
        top, bottom = labelled_formula(spec, which)
        assert [t.strip() for t in top.split(" · ")] == symbols
        values, result = bottom.split(" = ")
        assert [v.strip() for v in values.split(" × ")] == [v for _, v in factors(spec, which)]
        # each value starts in the column of its symbol
        assert [i for i, ch in enumerate(top) if ch != " " and (i == 0 or top[i - 2] == "·")] \
            == [i for i, ch in enumerate(values) if ch != " " and (i == 0 or values[i - 2] == "×")]
    assert factors(spec, "standard")[-2:] == [("H_out", str(ho)), ("W_out", str(wo))]


@pytest.mark.parametrize("h, w, k, p, s", [(5, 5, 3, 0, 1), (7, 9, 3, 1, 2), (224, 224, 3, 1, 2),
                                           (10, 6, 5, 2, 3)])
def test_output_size_line_matches_the_layer(h, w, k, p, s):
    spec = LayerSpec(height=h, width=w, kernel=k, padding=p, stride=s)
    lines = output_size_lines(spec)
    # independent: count the window positions that fit
    positions = [len(range(0, n + 2 * p - k + 1, s)) for n in (h, w)]
    assert [int(line.rsplit("= ", 1)[1]) for line in lines[1::2]] == positions[:len(lines) // 2]
    assert all(line.endswith("2P − k)/S⌋ + 1") for line in lines[::2])
    assert f"⌊({h} + 2·{p} − {k})/{s}⌋ + 1" in lines[1]
    assert len(lines) == (2 if h == w else 4)


def test_tab_shows_the_output_size_line(tab):
    tab.dims.set_values(height=9, width=9, stride=2, padding=1)
    text = " ".join(tab.tally.formulas.text().split())
    assert "H_out = W_out = ⌊(H + 2P − k)/S⌋ + 1 = ⌊(9 + 2·1 − 3)/2⌋ + 1 = 5" in text
