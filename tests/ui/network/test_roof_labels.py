"""Roof label placement as plain geometry: rotated rectangles that must stay clear of the
points and of the labels placed before, inside the plot; the least bad place when none is
clear; candidates along each roof."""
from __future__ import annotations

import math

import pytest

from visualizer.ui.network.roof_labels import GAPS, Box, along, choose, roof_label_candidates

BOUNDS = (0.0, 0.0, 400.0, 300.0)


def test_a_rotated_box_covers_what_lies_on_its_text_only():
    box = Box(100, 100, 80, 20, math.radians(45))
    assert box.covers((100 + 30 * math.cos(math.pi / 4), 100 + 30 * math.sin(math.pi / 4)), 0)
    # 30 px from the centre across the text (its height is 20): clear, unlike its extent
    across = (100 - 30 * math.sin(math.pi / 4), 100 + 30 * math.cos(math.pi / 4))
    assert not box.covers(across, 0) and box.covers(across, 21)
    x0, y0, x1, y1 = box.extent()
    assert x0 <= across[0] <= x1 and y0 <= across[1] <= y1
    flat = Box(50, 50, 40, 10)
    assert flat.corners() == [(30, 45), (70, 45), (70, 55), (30, 55)]


def test_the_first_candidate_clear_of_points_and_labels_wins():
    a = [Box(35, 17, 50, 15), Box(125, 17, 50, 15)]
    b = [Box(145, 22, 50, 15), Box(225, 207, 50, 15)]
    assert choose([a, b], [], BOUNDS) == [0, 0]
    # a point under a's first place: a moves to its second, where b's first would overlap
    assert choose([a, b], [(30, 18)], BOUNDS) == [1, 1]


def test_clearance_keeps_the_marker_off_the_text():
    near = [Box(35, 17, 50, 15), Box(35, 107, 50, 15)]
    assert choose([near], [(65, 20)], BOUNDS, clearance=8) == [1]  # 5 px right of it
    assert choose([near], [(75, 20)], BOUNDS, clearance=8) == [0]  # 15 px: clear


def test_places_outside_the_plot_lose_and_no_clear_place_takes_the_least_bad():
    outside = [Box(420, 17, 60, 15), Box(35, 17, 50, 15)]
    assert choose([outside], [], BOUNDS) == [1]
    crowded = [Box(35, 17, 50, 15), Box(35, 47, 50, 15)]
    points = [(20, 15), (30, 18), (20, 45)]  # two on the first, one on the second
    assert choose([crowded], points, BOUNDS) == [1]
    assert choose([[]], [], BOUNDS) == [None]


@pytest.mark.parametrize("peak,bw,cache", [(50.0, 20.0, 64.0), (400.0, 30.0, 200.0)])
def test_candidates_run_along_each_roof(peak, bw, cache):
    compute, in_cache, memory = roof_label_candidates(peak, bw, cache, (0.1, 100.0))
    assert all(abs(y - math.log10(peak)) < 1e-9 and not sloped
               for (x, y), side, sloped, gap in compute)
    for line, b in ((in_cache, cache), (memory, bw)):
        assert all(sloped for _, _, sloped, _ in line)
        for (x, y), side, sloped, gap in line:
            assert abs(y - math.log10(min(peak, 10 ** x * b))) < 1e-9
    # above the line first, nearest first
    assert [(c[1], c[3]) for c in (in_cache[0], memory[0])] == [(1, GAPS[0])] * 2
    assert along(1.0, 0.0, lambda x: x) == [(1.0, 1.0)]
    assert [x for x, _ in along(0.0, 1.0, lambda x: x, steps=3)] == [1.0, 0.5, 0.0]
