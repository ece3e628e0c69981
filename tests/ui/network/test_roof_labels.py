"""Roof label placement as plain geometry: the first candidate clear of points and of the
labels placed before, inside the plot; the least bad one when none is clear."""
from __future__ import annotations

from visualizer.ui.network.roof_labels import along, choose, roof_label_candidates

BOUNDS = (0.0, 0.0, 400.0, 300.0)


def test_the_first_candidate_clear_of_points_and_labels_wins():
    a = [(10, 10, 60, 25), (100, 10, 150, 25)]
    b = [(120, 15, 170, 30), (200, 200, 250, 215)]
    assert choose([a, b], [], BOUNDS) == [0, 0]
    # a point under a's first place: a moves to its second, where b's first would overlap
    assert choose([a, b], [(30, 18)], BOUNDS) == [1, 1]


def test_clearance_keeps_the_marker_off_the_text():
    near = [(10, 10, 60, 25), (10, 100, 60, 115)]
    assert choose([near], [(65, 20)], BOUNDS, clearance=8) == [1]  # 5 px right of it
    assert choose([near], [(75, 20)], BOUNDS, clearance=8) == [0]  # 15 px: clear


def test_places_outside_the_plot_lose_and_no_clear_place_takes_the_least_bad():
    outside = [(390, 10, 450, 25), (10, 10, 60, 25)]
    assert choose([outside], [], BOUNDS) == [1]
    crowded = [(10, 10, 60, 25), (10, 40, 60, 55)]
    points = [(20, 15), (30, 18), (20, 45)]  # two on the first, one on the second
    assert choose([crowded], points, BOUNDS) == [1]
    assert choose([[]], [], BOUNDS) == [None]


def test_candidates_run_along_each_roof():
    peak, bw, cache = 50.0, 20.0, 64.0
    compute, in_cache, memory = roof_label_candidates(peak, bw, cache, (0.1, 100.0))
    import math

    assert all(abs(y - math.log10(peak)) < 0.02 for (x, y), _ in compute)
    for (x, y), anchor in in_cache:
        assert abs(y - math.log10(min(peak, 10 ** x * cache))) < 0.02
    for (x, y), anchor in memory:
        assert abs(y - math.log10(min(peak, 10 ** x * bw))) < 0.02
    # the in-cache label prefers the left of its line, the memory label the right of its own
    assert in_cache[0][1] == (1, 1) and memory[0][1] == (0, 0)
    assert along(1.0, 0.0, lambda x: x) == [(1.0, 1.0)]
    assert [x for x, _ in along(0.0, 1.0, lambda x: x, steps=3)] == [1.0, 0.5, 0.0]
