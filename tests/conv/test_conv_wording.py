"""One numbering rule: indices from 0, counts from 1; plurals right."""
from __future__ import annotations

from visualizer.conv.explorer import Explorer
from visualizer.conv.layer import LayerSpec
from visualizer.conv.wording import index_in, percent, plural, span, step_of


def test_words_and_numbers():
    assert plural(1, "channel") == "1 channel" and plural(2, "channel") == "2 channels"
    assert plural(3888, "multiplication") == "3,888 multiplications"
    assert index_in(4, 16) == "4 (0–15)" and index_in(0, 1) == "0"
    assert step_of(41, 144) == "step 41 of 144"
    assert span(4, 8) == "4–7" and span(4, 5) == "4"
    assert percent(675, 3888) == "17.4 %" and percent(0, 5) == "0 %"


def test_the_summary_says_both_totals_and_the_ratio():
    lines = Explorer().summary("standard")
    assert lines[0] == "82.64% fewer multiplications: depthwise-separable 675 vs standard 3,888"
    assert "standard 3,888 = 3 × 3 × 3 × 16 × 3 × 3" in lines[1] and "675 = 243 + 432" in lines[1]
    assert lines[-1] == "675 / 3,888 = 0.1736 = 1/N + 1/k² = 1/16 + 1/9"
    race = Explorer(LayerSpec()).summary("race")
    assert "finished at frame 25 of 144, when the standard side was at 17.4 %" in race[1]
