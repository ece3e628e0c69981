"""Where a point sits against the roofs, on synthetic points placed by hand, and the
caption written from those placements (never a sentence the points contradict)."""
from __future__ import annotations

import pytest

from visualizer.net.analysis.roofline import RooflinePoint, roofline_points, type_ranges
from visualizer.net.analysis.roofline_caption import (ABOVE, BOUND_BY_KERNEL, above, caption,
                                                      place, roof_lines)
from visualizer.net.model.mobilenet import NetSpec

PEAK, DRAM, CACHE = 100.0, 10.0, 40.0  # GMAC/s, GB/s, GB/s: ridges at 10 and 2.5 MAC/byte


def pt(intensity: float, gmacs: float | None, kind: str = "depthwise",
       name: str = "x") -> RooflinePoint:
    return RooflinePoint(name, kind, 1000, int(1000 / intensity), intensity, gmacs)


@pytest.mark.parametrize("intensity,gmacs,where", [
    (1.0, 9.0, "memory"),  # memory slope 10, in-cache slope 40
    (1.0, 12.0, "memory"),  # a little above the memory roof: data partly in cache
    (1.0, 35.0, "cache"),
    (1.0, 43.0, "cache"),  # within ABOVE of the highest roof
    (1.0, 2.0, "far"),  # below a quarter of every roof: the depthwise case of the issue
    (1.0, 4.0, "under-memory"),  # 2.5x under the memory roof, the lowest
    (5.0, 16.0, "under-memory"),
    (1.0, 45.0, "above"),
    (5.0, 45.0, "memory"),  # memory slope 50; in cache the compute roof (100) binds
    (5.0, 90.0, "compute"),
    (50.0, 80.0, "compute"),  # right of both ridges: only the compute roof is drawn
    (50.0, 20.0, "far"),
    (50.0, 45.0, "under-compute"),  # 45 % of the only roof drawn there
    (50.0, 115.0, "above"),
    (0.25, 2.3, "memory"),  # the FC: 2.5 from memory
])
def test_each_point_is_placed_by_the_roof_it_is_near(intensity, gmacs, where):
    p = place(pt(intensity, gmacs), PEAK, DRAM, CACHE)
    assert p.where == where
    assert p.attainable == pytest.approx(min(PEAK, intensity * CACHE))
    assert p.fraction == pytest.approx(gmacs / min(PEAK, intensity * CACHE))


def test_between_two_distant_roofs_and_points_without_a_time():
    # memory 10, in cache 200 at 1 MAC/byte: 50 is 5x above one and 4x below the other
    assert place(pt(1.0, 50.0), 1000.0, 10.0, 200.0).where == "between"
    assert place(pt(1.0, None), PEAK, DRAM, CACHE) is None
    assert roof_lines(1.0, PEAK, DRAM, CACHE) == {"compute": 100.0, "memory": 10.0,
                                                  "cache": 40.0}
    assert roof_lines(20.0, PEAK, DRAM, CACHE) == {"compute": 100.0}


def test_above_names_the_layers_over_the_roofs_by_more_than_the_noise():
    points = [pt(1.0, 40 * (1 + ABOVE) * 1.01, name="fast"),
              pt(1.0, 40 * (1 + ABOVE) * 0.99, name="ok"), pt(1.0, None, name="untimed")]
    assert above(points, PEAK, DRAM, CACHE) == ["fast"]


def test_caption_says_depthwise_far_below_every_roof_when_they_are():
    """The issue's int8 case: depthwise points ~10x below both roofs are not 'capped by
    memory'; pointwise near the compute roof; the FC near the memory roof."""
    points = [pt(0.5 + 0.05 * i, 0.8 + 0.05 * i, "depthwise", f"dw{i + 1}") for i in range(13)]
    points += [pt(5.0 + 2 * i, 60.0 + 2 * i, "pointwise", f"pw{i + 1}") for i in range(13)]
    points += [pt(0.25, 2.2, "fc", "fc")]
    text = caption(points, PEAK, DRAM, CACHE, dtype="int8")
    assert "(in int8)" in text
    fractions = [100 * p.gmacs_per_s / min(PEAK, p.intensity * CACHE) for p in points[:13]]
    assert (f"Depthwise (13 layers, 0.50–1.10 MAC/byte): all 13 far below every roof "
            f"({min(fractions):.0f}–{max(fractions):.0f} %).") in text
    assert f"Far below every roof, depthwise layers are {BOUND_BY_KERNEL}." in text
    assert "caps" not in text and "memory, not arithmetic" not in text
    pw = [place(p, PEAK, DRAM, CACHE) for p in points[13:26]]
    near_compute = sum(p.where == "compute" for p in pw)
    near_memory = sum(p.where == "memory" for p in pw)
    assert near_compute + near_memory == 13 and near_compute and near_memory
    assert (f"Pointwise (13 layers, 5–29 MAC/byte): {near_compute} near the compute roof, "
            f"{near_memory} near the memory roof (") in text
    assert "FC (1 layer, 0.25 MAC/byte): near the memory roof (22 %)." in text


def test_caption_follows_the_points_when_they_move():
    near = [pt(1.0, 38.0, "depthwise", "dw1"), pt(1.0, 36.0, "depthwise", "dw2")]
    assert "all 2 near the in-cache roof (90–95 %)" in caption(near, PEAK, DRAM, CACHE)
    mixed = near + [pt(1.0, 2.0, "depthwise", "dw3")]
    text = caption(mixed, PEAK, DRAM, CACHE)
    assert "2 near the in-cache roof, 1 far below every roof (5–95 %)" in text
    assert f"Far below every roof means {BOUND_BY_KERNEL}." in text  # said once, at the end
    over = caption([pt(1.0, 60.0, "depthwise", "dw1")], PEAK, DRAM, CACHE)
    assert "above the roofs" in over and "measured too low" in over


def test_caption_before_roofs_or_times():
    layers = NetSpec(1.0, 224, 1001).layers
    points = roofline_points(layers, {})
    dw = type_ranges(points)["depthwise"]
    span = f"{dw.low:.2f}–{dw.high:.2f}"
    text = caption(points)
    assert "being measured" in text and f"Depthwise {span}" in text
    untimed = caption(points, PEAK, DRAM, CACHE)
    assert f"Depthwise (13 layers, {span} MAC/byte): not timed yet." in untimed
