"""The race: standard and depthwise-separable on one clock of multiplications.

The expected states come from simulating both sides multiplication by multiplication,
in the race's order (every output channel at one position, then the next position),
written here with plain loops."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from conv_strategies import layer_specs
from visualizer.conv.explorer import Explorer
from visualizer.conv.layer import LayerSpec
from visualizer.conv.race import Race


def simulate(spec: LayerSpec):
    """Per side, the list of steps in race order as (kind, channel, position, products)."""
    ho, wo, n = spec.output_shape
    k, c, cg = spec.kernel, spec.channels, spec.channels_per_group
    standard, separable = [], []
    for p in range(ho * wo):
        for f in range(n):
            standard.append(("standard", f, p, k * k * cg))
        for ch in range(c):
            separable.append(("depthwise", ch, p, k * k))
        for f in range(n):
            separable.append(("pointwise", f, p, c))
    return standard, separable


def state_at(steps, clock: int):
    """Steps completed and multiplications done (an unfinished step's products count)."""
    done = completed = 0
    for *_, products in steps:
        if done + products <= clock:
            done += products
            completed += 1
        else:
            done = clock
            break
    return completed, done


@pytest.mark.parametrize("spec", [LayerSpec(), LayerSpec(height=7, width=7, stride=2, padding=1),
                                  LayerSpec(height=6, width=5, channels=4, filters=6, groups=2),
                                  LayerSpec(kernel=1, filters=2)])
def test_every_frame_matches_a_step_by_step_simulation(spec):
    race = Race(spec)
    std, sep = simulate(spec)
    per = std[0][3]
    assert race.length == -(-max(sum(s[3] for s in std), sum(s[3] for s in sep)) // per)
    for frame in range(race.length + 1):
        f = race.frame(frame)
        clock = frame * per
        assert f.clock == clock
        assert (f.standard_steps, f.standard_done) == state_at(std, clock)
        completed, done = state_at(sep, clock)
        assert (f.separable_steps, f.separable_done) == (completed, done)
        dw = sum(s[3] for s in sep[:completed] if s[0] == "depthwise")
        in_flight = done - sum(s[3] for s in sep[:completed])
        if completed < len(sep) and sep[completed][0] == "depthwise":
            dw += in_flight
        assert f.depthwise_done == dw


def test_the_seed_separable_side_finishes_when_standard_is_at_17_percent():
    race = Race(LayerSpec())
    assert (race.length, race.separable_finish) == (144, 25)
    f = race.frame(25)
    assert f.separable_done == 675 and f.separable_steps == 171
    assert f.standard_done == 675 and f.standard_done / 3888 == pytest.approx(0.1736, abs=1e-4)
    assert race.frame(24).separable_done == 24 * 27 < 675  # not before


@settings(max_examples=40, deadline=None)
@given(layer_specs())
def test_race_order_visits_every_output_cell_once_and_frames_of_cells(spec):
    ex = Explorer(spec)
    ex.set_path("race")
    race = ex.race
    assert sorted(race.standard_index(i) for i in range(race.standard_length)) == \
        list(range(race.standard_length))
    assert sorted(race.separable_index(i) for i in range(race.separable_length)) == \
        list(range(race.separable_length))
    ho, wo, n = spec.output_shape
    # each output cell is blank one frame before frame_of_output and computed from it on
    for which, channels in (("standard", n), ("depthwise", spec.channels),
                            ("pointwise", n)):
        for ch in {0, channels - 1}:
            for y, x in {(0, 0), (ho - 1, wo - 1)}:
                frame = race.frame_of_output(which, ch, y, x, wo)
                assert frame == ex.step_of_output(which, ch, y, x) + 1
                ex.seek(frame)
                assert not np.isnan(ex.filled(which)[ch, y, x])
                ex.seek(frame - 1)
                assert np.isnan(ex.filled(which)[ch, y, x])


def test_filled_outputs_in_the_race_are_the_reference_outputs():
    ex = Explorer(LayerSpec(height=6, width=5, channels=4, filters=6, stride=2, padding=1))
    ex.set_path("race")
    ex.seek(ex.length)
    for which in ("standard", "depthwise", "pointwise"):
        np.testing.assert_allclose(ex.filled(which), getattr(ex, f"{which}_out"))
    t = ex.tally()
    assert (t.standard_done, t.separable_done) == (t.standard_total, t.separable_total)
    assert t.plays("standard") and t.plays("separable")
