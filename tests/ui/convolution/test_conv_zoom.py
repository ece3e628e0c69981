"""Presenter scale: cells and fonts follow the window and a zoom kept in QSettings (a
temporary folder in tests: see tests/conftest.py)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from visualizer.ui.convolution.tab import ConvTab
from visualizer.ui.convolution.zoom import SETTINGS_KEY, auto_scale, settings


@pytest.fixture
def fresh_settings():
    settings().remove(SETTINGS_KEY)
    yield
    settings().remove(SETTINGS_KEY)


def make(qtbot, size=(1280, 800)) -> ConvTab:
    t = ConvTab()
    qtbot.addWidget(t)
    t.resize(*size)
    t.show()
    qtbot.waitExposed(t)
    t.activateWindow()
    t.setFocus()
    qtbot.waitUntil(t.isActiveWindow)  # shortcuts go to the active window
    return t


def texts(tab) -> list[int]:
    """Pixel sizes of the banner, step text and tally texts."""
    t = tab.tally
    return [tab.phase.font().pixelSize(), tab.detail.font().pixelSize(),
            t.reduction.font().pixelSize(), t.versus.font().pixelSize(),
            t.formulas.font().pixelSize(), t.standard.min_text_px, t.chart.font_px]


def test_cells_and_texts_follow_the_window_size(qtbot, fresh_settings):
    small, big = make(qtbot, (1024, 700)), make(qtbot, (1920, 1080))
    assert small.input_view.cell_w < big.input_view.cell_w
    assert big.sizes.scale == auto_scale(1920, 1080) > 1.2
    # the tally grows with the window like the grids
    assert all(b > s for b, s in zip(texts(big), texts(small)))


def test_zoom_keys_scale_and_persist(qtbot, fresh_settings):
    tab = make(qtbot)
    tab.dims.set_values(height=32, width=32, channels=16, filters=64)  # cells at their least
    w0, t0 = tab.input_view.cell_w, texts(tab)
    qtbot.keyClick(tab, Qt.Key_Equal, Qt.ControlModifier)
    qtbot.keyClick(tab, Qt.Key_Equal, Qt.ControlModifier)
    assert tab.zoom == pytest.approx(1.15 ** 2, abs=1e-3)
    assert tab.input_view.cell_w > w0
    assert all(a > b for a, b in zip(texts(tab), t0))  # the tally zooms too
    assert float(settings().value(SETTINGS_KEY)) == pytest.approx(tab.zoom)
    again = make(qtbot)  # a new session starts at the saved zoom
    again.dims.set_values(height=32, width=32, channels=16, filters=64)
    assert again.zoom == tab.zoom and again.input_view.cell_w == tab.input_view.cell_w
    qtbot.keyClick(again, Qt.Key_Minus, Qt.ControlModifier)
    assert again.zoom == pytest.approx(1.15, abs=1e-3)
    qtbot.keyClick(again, Qt.Key_0, Qt.ControlModifier)
    assert again.zoom == 1.0 and float(settings().value(SETTINGS_KEY)) == 1.0
    assert again.input_view.cell_w == w0 and texts(again) == t0


def test_a_bad_saved_zoom_is_ignored(qtbot, fresh_settings):
    settings().setValue(SETTINGS_KEY, "huge")
    assert make(qtbot).zoom == 1.0
    settings().setValue(SETTINGS_KEY, 50)
    assert make(qtbot).zoom == 3.0  # clamped


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1920, 1080)])
def test_nothing_is_cut_or_overlapping(qtbot, fresh_settings, size):
    tab = make(qtbot, size)
    tab.dims.set_values(height=32, width=32, channels=16, filters=64)
    tab.seek(40)
    qtbot.wait(1)
    views = [tab.input_view, tab.weight_view, tab.output_view]
    for view in views:
        for b in view.blocks:  # every block lies inside its view
            assert view.rect().contains(b._rect)
        assert not view.caption_label.elided
    for a, b in zip(views, views[1:]):  # the panels side by side, not overlapping
        assert a.geometry().right() < b.geometry().left()
    for w in (tab.phase, tab.pager_label, tab.detail):
        assert not w.elided
    # the tally column scrolls rather than overlapping its labels
    panel = tab.tally
    children = [panel.reduction, panel.versus, panel.ratio, panel.standard, panel.chart,
                panel.formulas, panel.note]
    tops = [w.mapTo(panel, w.rect().topLeft()).y() for w in children]
    bottoms = [w.mapTo(panel, w.rect().bottomLeft()).y() for w in children]
    assert all(b < t for b, t in zip(bottoms, tops[1:]))
