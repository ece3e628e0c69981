"""The Convolution tab as most of its tests use it: seed example, 1280×800, on screen."""
from __future__ import annotations

import pytest

from visualizer.ui.convolution.tab import ConvTab


@pytest.fixture
def tab(qtbot):
    t = ConvTab()
    qtbot.addWidget(t)
    t.resize(1280, 800)
    t.show()
    qtbot.waitExposed(t)
    yield t
    t.shutdown()  # an animation export or timer still running ends with the test
