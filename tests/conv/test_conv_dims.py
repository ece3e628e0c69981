"""Ranges that keep the controls valid, and every problem of a combination at once."""
from __future__ import annotations

import itertools

import pytest

from visualizer.conv.dims import all_problems, bounds, divisors, group_choices, problems
from visualizer.conv.layer import LayerError, LayerSpec

BASE = dict(height=5, width=5, channels=3, kernel=3, filters=16, stride=1, padding=0, groups=1)


@pytest.mark.parametrize("n", [1, 2, 12, 16, 97, 360, 1024])
def test_divisors_by_brute_force(n):
    assert divisors(n) == [d for d in range(1, n + 1) if n % d == 0]


def test_group_choices_are_the_common_divisors():
    assert group_choices(16, 64) == [1, 2, 4, 8, 16]
    assert group_choices(3, 16) == [1]
    assert group_choices(12, 18) == [1, 2, 3, 6]


def test_every_value_within_bounds_is_a_valid_layer():
    """Valid by construction: any value a spin box's range allows, the others fixed, makes
    a layer LayerSpec accepts (small sizes, exhaustively)."""
    for h, k, p in itertools.product(range(1, 7), range(1, 6), range(0, 5)):
        values = dict(BASE, height=h, width=h, kernel=k, padding=p)
        if problems(values):
            continue
        for name in ("height", "kernel", "padding"):
            lo, hi = bounds(values)[name]
            for v in range(lo, min(hi, 12) + 1):
                changed = dict(values, **{name: v})
                if name == "height":
                    changed["width"] = v
                LayerSpec(**changed)  # raises if the bounds let an invalid layer through
            for v in (lo - 1, hi + 1):
                if (name == "padding" and v < 0) or (name != "padding" and v < 1):
                    continue
                changed = dict(values, **{name: v})
                if name == "height":
                    changed["width"] = v
                with pytest.raises(LayerError):
                    LayerSpec(**changed)


def test_all_problems_are_listed_at_once_under_each_field():
    found = problems(dict(BASE, groups=2, padding=4))
    assert set(found) == {"groups", "padding", "kernel"}  # padding ≥ k involves both
    listed = all_problems(found)
    assert len(listed) == 2 and any("groups 2" in m for m in listed)
    assert found["padding"] == found["kernel"] == ["padding 4 must be less than the kernel 3"]
    assert problems(BASE) == {}


def test_memory_limit_is_a_problem_of_the_sizes():
    found = problems(dict(BASE, height=4096, width=4096))
    assert {"height", "width", "channels", "filters"} <= set(found)
    assert "limit" in all_problems(found)[0]
