"""The dimension controls: valid by construction, groups among the divisors."""
from __future__ import annotations

import pytest

from visualizer.conv.layer import LayerSpec
from visualizer.ui.convolution.tab import ConvTab


@pytest.fixture
def tab(qtbot):
    t = ConvTab()
    qtbot.addWidget(t)
    t.show()
    return t


def test_groups_offer_only_common_divisors_and_every_choice_applies(tab):
    tab.dims.set_values(height=32, width=32, channels=16, filters=64)
    assert tab.dims.group_items() == [1, 2, 4, 8, 16]
    for i in range(tab.dims.groups.count()):  # the issue: 11 of 16 up-arrows failed
        tab.dims.groups.setCurrentIndex(i)
        assert tab.message.text() == ""
        assert tab.explorer.spec.groups == tab.dims.group_items()[i]
    tab.dims.spins["filters"].setValue(24)  # groups 16 no longer divides N: nearest below
    assert tab.dims.group_items() == [1, 2, 4, 8] and tab.explorer.spec.groups == 8


def test_arrows_never_make_an_invalid_layer(tab):
    spins = tab.dims.spins
    for name, spin in spins.items():
        for _ in range(8):
            spin.stepBy(1) if name in ("kernel", "padding") else spin.stepBy(-1)
            assert tab.message.text() == "", (name, tab.message.text())
    s = tab.explorer.spec
    assert s.padding <= s.kernel - 1 and s.kernel <= min(s.height, s.width) + 2 * s.padding
    # the kernel's range follows the padding and the input
    assert spins["kernel"].maximum() == min(s.height, s.width) + 2 * s.padding
    assert spins["padding"].maximum() == s.kernel - 1


def test_groups_c_in_and_back_restores_n(tab):
    tab.dims.set_values(channels=8, filters=32)
    tab.dims.to_depthwise.click()
    assert (tab.explorer.spec.groups, tab.explorer.spec.filters) == (8, 8)
    tab.dims.to_standard.click()
    assert (tab.explorer.spec.groups, tab.explorer.spec.filters) == (1, 32)
    # if N was changed since, groups=1 keeps it
    tab.dims.to_depthwise.click()
    tab.dims.set_values(channels=4, filters=4, groups=4)
    tab.dims.to_standard.click()
    assert tab.explorer.spec == LayerSpec(channels=4, filters=4)
