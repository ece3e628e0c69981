"""The Convolution tab, driven like a user would (pytest-qt, offscreen).

Expected numbers come from independent sources: brute-force loops written here, the
published figures of the default example (3,888 vs 243 + 432 = 675, 82.64 % fewer) and
numpy's own reference convolution.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from visualizer.app import main
from visualizer.conv import reference
from visualizer.conv.example import make_example
from visualizer.conv.layer import LayerSpec
from visualizer.ui.convolution.tab import ConvTab


def brute_conv(x, w, stride, padding, groups):
    """Plain loops: out[n, i, j] = Σ x_padded[c, i·s + a, j·s + b] · w[n, c', a, b]."""
    c, h, wd = x.shape
    n, cg, k, _ = w.shape
    xp = np.zeros((c, h + 2 * padding, wd + 2 * padding))
    xp[:, padding:padding + h, padding:padding + wd] = x
    ho, wo = (h + 2 * padding - k) // stride + 1, (wd + 2 * padding - k) // stride + 1
    out = np.zeros((n, ho, wo))
    count = 0
    for f, i, j in itertools.product(range(n), range(ho), range(wo)):
        g = f // (n // groups)
        for cc, a, b in itertools.product(range(cg), range(k), range(k)):
            out[f, i, j] += xp[g * cg + cc, i * stride + a, j * stride + b] * w[f, cc, a, b]
            count += 1
    return out, count


@pytest.fixture
def tab(qtbot):
    t = ConvTab()
    qtbot.addWidget(t)
    t.resize(1280, 760)
    t.show()
    qtbot.waitExposed(t)
    t.activateWindow()
    t.setFocus()
    return t


def shown(view):
    """{(tensor-or-title, tensor index): value} of every cell a GridView paints."""
    cells = {}
    for b in view.blocks:
        for (vy, vx), v in np.ndenumerate(b.values):
            key = b.key(b.row0 + vy, b.col0 + vx) if b.key else (b.title, (vy, vx))
            cells[key] = v
    return cells


def test_defaults_show_the_seed_numbers_and_published_tallies(tab):
    seed = make_example(LayerSpec(), "example")
    cells = shown(tab.input_view)
    assert len(cells) == 5 * 5 * 3
    for (tensor, idx), v in cells.items():
        assert tensor == "x" and v == seed.x[idx]
    for (tensor, idx), v in shown(tab.weight_view).items():
        assert v == seed.standard_w[idx]
    assert all(np.isnan(v) for v in shown(tab.output_view).values())  # nothing computed yet
    text = tab.tally.standard.text() + tab.tally.formulas.text() + tab.tally.reduction.text()
    text = " ".join(text.split())  # the formulas align each factor under its symbol
    for figure in ("3,888", "243", "432", "675", "82.64%", "standard = 3,888",
                   "3 × 3 × 3 × 16 × 3 × 3", "depthwise = 243 k · k · C_in · H_out · W_out"):
        assert figure in text


@pytest.mark.parametrize("dims", [{}, dict(height=6, width=7, channels=4, kernel=3,
                                          filters=4, stride=2, padding=1, groups=2)])
def test_stepping_the_standard_path_fills_the_output_correctly(tab, qtbot, dims):
    if dims:
        tab.dims.set_values(**dims)
    ex = tab.explorer
    x, w, s = ex.example.x, ex.example.standard_w, ex.spec
    expected, count = brute_conv(x, w, s.stride, s.padding, s.groups)
    for i in range(ex.length):
        qtbot.keyClick(tab, Qt.Key_Right)
        step = ex.current
        assert step.index == i
        n, oy, ox = step.out_channel, step.out_y, step.out_x
        assert step.value == pytest.approx(expected[n, oy, ox])
        grid = [b for b in tab.output_view.blocks if b.channel == n][0]
        assert grid.values[oy - grid.row0, ox - grid.col0] == pytest.approx(expected[n, oy, ox])
        assert grid.highlight == (oy, ox, 1, 1)
    assert ex.at_end
    np.testing.assert_allclose(ex.filled("standard"), expected)
    np.testing.assert_allclose(ex.filled("standard"),
                               reference.conv2d(x, w, s.stride, s.padding, s.groups))
    assert ex.tally().standard_done == count


def test_tallies_at_the_end_of_each_path(tab):
    tab.dims.set_values(height=7, width=6, channels=4, kernel=3, filters=6, stride=2, padding=1)
    ex = tab.explorer
    s = ex.spec
    _, std = brute_conv(ex.example.x, ex.example.standard_w, s.stride, s.padding, 1)
    _, dw = brute_conv(ex.example.x, ex.example.depthwise_w, s.stride, s.padding, s.channels)
    ho, wo, n = s.output_shape
    _, pw = brute_conv(np.ones((s.channels, ho, wo)), ex.example.pointwise_w, 1, 0, 1)
    tab.seek(ex.length)
    t = ex.tally()
    assert (t.standard_done, t.separable_total) == (std, dw + pw)
    assert f"{std:,}" in tab.tally.standard.text()
    tab.set_path("separable")
    assert ex.tally().separable_done == 0 and ex.tally().standard_total == std
    tab.seek(ex.length)
    t = ex.tally()
    assert (t.depthwise_done, t.pointwise_done) == (dw, pw)
    assert f"{dw + pw:,}" in tab.tally.standard.text()
    # the separable outputs shown equal depthwise then pointwise by brute force
    mid, _ = brute_conv(ex.example.x, ex.example.depthwise_w, s.stride, s.padding, s.channels)
    out, _ = brute_conv(mid, ex.example.pointwise_w, 1, 0, 1)
    np.testing.assert_allclose(ex.filled("pointwise"), out)


def test_keyboard_shortcuts(tab, qtbot):
    ex = tab.explorer
    qtbot.keyClick(tab, Qt.Key_Right)
    qtbot.keyClick(tab, Qt.Key_Right)
    assert ex.position == 2
    qtbot.keyClick(tab, Qt.Key_Left)
    assert ex.position == 1
    qtbot.keyClick(tab, Qt.Key_End)
    assert ex.position == ex.length == 144
    qtbot.keyClick(tab, Qt.Key_Home)
    assert ex.position == 0
    tab.transport.speed.setValue(tab.transport.speed.maximum())
    qtbot.keyClick(tab, Qt.Key_Space)
    assert tab.playing
    qtbot.waitUntil(lambda: ex.position >= 3, timeout=3000)
    qtbot.keyClick(tab, Qt.Key_Space)
    assert not tab.playing
    held = ex.position
    qtbot.wait(50)
    assert ex.position == held
    # a focused spin box keeps its own arrow keys: no stepping
    spin = tab.dims.spins["height"]
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key_Up)
    assert spin.value() == 6 and ex.position == 0  # the dimension changed and reset the steps


def test_editing_a_cell_updates_the_output(tab, qtbot):
    view = tab.input_view
    block = view.blocks[1]  # input channel 1
    rect = view._cell_rect(block, 2, 3)
    qtbot.mouseDClick(view, Qt.LeftButton, pos=rect.center())
    assert view.editor.isVisible()
    view.editor.setText("7.5")
    qtbot.keyClick(view.editor, Qt.Key_Return)
    ex = tab.explorer
    assert ex.example.x[1, 2, 3] == 7.5
    assert tab.message.text() == ""
    tab.seek(ex.length)
    expected, _ = brute_conv(ex.example.x, ex.example.standard_w, 1, 0, 1)
    np.testing.assert_allclose(ex.filled("standard"), expected)
    # click a cell, then type: editing starts with the typed character
    qtbot.mouseClick(view, Qt.LeftButton, pos=view._cell_rect(view.blocks[0], 0, 0).center())
    qtbot.keyClick(view, "-")
    assert view.editor.isVisible() and view.editor.text() == "-"
    qtbot.keyClicks(view.editor, "2")  # the editor has the focus now
    qtbot.keyClick(view.editor, Qt.Key_Enter)
    assert ex.example.x[0, 0, 0] == -2


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-inf", "1e9", ""])
def test_invalid_cell_text_is_rejected_with_a_hint(tab, qtbot, text):
    before = tab.explorer.example.x.copy()
    tab.input_view.start_edit(tab.input_view.blocks[0], 1, 1)
    tab.input_view.editor.setText(text)
    qtbot.keyClick(tab.input_view.editor, Qt.Key_Return)
    np.testing.assert_array_equal(tab.explorer.example.x, before)
    assert "Value not changed" in tab.message.text()
    assert tab.message.isVisible()


def test_changing_dimensions_updates_the_tallies(tab):
    tab.dims.spins["channels"].setValue(8)
    tab.dims.spins["filters"].setValue(32)
    s = tab.explorer.spec
    assert (s.channels, s.filters) == (8, 32)
    _, std = brute_conv(np.zeros((8, 5, 5)), np.zeros((32, 8, 3, 3)), 1, 0, 1)
    assert f"{std:,}" in tab.tally.standard.text()
    # every channel drawn; the step text lists four at a time
    assert [b.channel for b in tab.input_view.blocks] == list(range(8))
    assert "lists channels 0–3 of the 8 channels it reads (0–7)" in tab.pager_label.text()


def test_invalid_combination_shows_the_message_and_keeps_the_last_valid_state(tab):
    before = tab.explorer.spec
    tally_before = tab.tally.standard.text()
    tab.dims.set_values(groups=2, padding=5)  # 2 does not divide C_in = 3; pad ≥ k
    text = tab.message.text()
    assert "groups 2 must divide both C_in 3 and N 16" in text and "padding 5" in text
    assert tab.explorer.spec == before and tab.tally.standard.text() == tally_before
    assert set(tab.dims.marked) == {"groups", "padding", "kernel"}
    assert tab.dims.spins["padding"].styleSheet() and tab.dims.groups.styleSheet()
    assert not tab.dims.spins["height"].styleSheet()
    tab.dims.set_values(padding=0, groups=1)
    assert tab.message.text() == "" and not tab.dims.marked


def test_groups_control_morphs_standard_into_depthwise(tab):
    tab.dims.set_values(channels=4, filters=8, groups=2)
    ex = tab.explorer
    assert "groups=2" in tab.tally.torch.text() and "group=2" in tab.tally.onnx.text()
    assert "W: [8, 2, 3, 3]" in tab.tally.onnx.text()
    tab.seek(ex.length)
    expected, count = brute_conv(ex.example.x, ex.example.standard_w, 1, 0, 2)
    np.testing.assert_allclose(ex.filled("standard"), expected)
    assert f"3 × 3 × (4/2) × 8 × 3 × 3 = {count:,}" in tab.tally.grouped.text()
    assert ex.tally().standard_done == count
    tab.dims.to_depthwise.click()
    s = ex.spec
    assert (s.groups, s.filters) == (4, 4)
    assert ex.costs.grouped == ex.costs.depthwise
    assert ("torch.nn.Conv2d(in_channels=4, out_channels=4, kernel_size=3, stride=1, "
            "padding=0, groups=4, bias=False)") in tab.tally.torch.text()
    tab.dims.to_standard.click()
    assert ex.spec.groups == 1


def test_large_layer_stays_responsive(tab, qtbot):
    tab.dims.set_values(height=64, width=64, channels=64, filters=256, padding=1)
    ex = tab.explorer
    assert not ex.animatable and "Too many to watch" in tab.detail.text()
    for view in (tab.input_view, tab.weight_view, tab.output_view):
        # only what fits at a legible size, never 64×64×64 cells
        assert len(view.blocks) <= 64
        assert sum(b.values.size for b in view.blocks) <= 2000
        assert view.cell_h >= 15
    qtbot.keyClick(tab, Qt.Key_Right)
    assert ex.current.multiplications == 3 * 3 * 64
    qtbot.keyClick(tab, Qt.Key_End)
    t = ex.tally()
    assert t.standard_done == 3 * 3 * 64 * 256 * 64 * 64
    tab.set_path("separable")
    tab.seek(ex.length - 1)
    assert "pointwise" in tab.detail.text() and "not listed" in tab.detail.text()
    assert not tab.grab().isNull()


def test_screenshot_command_writes_a_1280x800_png(tmp_path, capsys):
    path = tmp_path / "window.png"
    assert main(["--screenshot", str(path), "--tab", "convolution"]) == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    assert main(["--screenshot", str(tmp_path / "missing" / "x.png")]) == 2
    assert "does not exist" in capsys.readouterr().err


def _on_screen(widget):
    """What the window system holds for the widget (its backing store), not a fresh
    render: partial repaints that missed a change would show here."""
    return widget.screen().grabWindow(widget.winId()).toImage()


@pytest.mark.parametrize("path, dims", [("standard", {}), ("separable", {}),
                                        ("standard", dict(height=7, width=6, channels=4,
                                                          kernel=3, filters=4, stride=2,
                                                          padding=1, groups=2))])
def test_partial_repaints_match_a_full_repaint(tab, qtbot, path, dims):
    """Steps repaint only what changed (cells, counters, bars, slider); the pixels must be
    those of repainting everything."""
    if dims:
        tab.dims.set_values(**dims)
    tab.set_path(path)
    qtbot.wait(1)
    for _ in range(min(40, tab.explorer.length)):
        tab.step(1)
        qtbot.wait(1)  # paint each step on its own, as the timer does
    tab.step(-1)
    qtbot.wait(1)
    incremental = _on_screen(tab)
    for w in [tab, *tab.findChildren(QWidget)]:
        w.update()
    qtbot.wait(1)
    assert incremental == _on_screen(tab)


def test_a_step_does_not_re_lay_out_the_tab(tab, qtbot, qapp):
    """Per-step texts (counters, step detail, captions, position) keep their size, so a
    step posts no layout request to the tab; a dimension change still re-lays out."""
    from PySide6.QtCore import QEvent, QObject

    class Count(QObject):
        n = 0

        def eventFilter(self, obj, e):  # noqa: N802
            if e.type() == QEvent.LayoutRequest and obj.isWidgetType() and (
                    obj is tab or tab.isAncestorOf(obj)):
                Count.n += 1
            return False

    counter = Count()
    qapp.installEventFilter(counter)
    try:
        qtbot.wait(1)
        Count.n = 0
        for _ in range(30):  # crosses filters: captions and highlighted blocks change
            tab.step(1)
            qtbot.wait(1)
        assert Count.n == 0
        tab.dims.set_values(channels=5)
        qtbot.wait(1)
        assert Count.n > 0
    finally:
        qapp.removeEventFilter(counter)


def test_every_control_and_number_has_a_tooltip(tab):
    from PySide6.QtWidgets import (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QLabel,
                                   QScrollBar)

    from visualizer.ui.common.painted_text import PaintedText
    from visualizer.ui.convolution.tally_table import TallyTable

    kinds = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QLabel, PaintedText,
             TallyTable)
    shown = [w for w in tab.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible()
             and not isinstance(w, QScrollBar) and not (isinstance(w, QLabel) and not w.text())]
    assert len(shown) > 30
    missing = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}" for w in shown
               if not w.toolTip().strip()]
    assert missing == []
    for view in (tab.input_view, tab.weight_view, tab.output_view):
        assert all(b.tooltip for b in view.blocks)


def test_reduction_says_more_when_separable_costs_more(tab):
    tab.dims.set_values(height=1, width=1, kernel=1, filters=4)  # 1×1 kernel: 1/N + 1 > 1
    ex = tab.explorer
    _, std = brute_conv(ex.example.x, ex.example.standard_w, 1, 0, 1)
    _, dw = brute_conv(ex.example.x, ex.example.depthwise_w, 1, 0, 3)
    _, pw = brute_conv(np.ones((3, 1, 1)), ex.example.pointwise_w, 1, 0, 1)
    assert dw + pw > std
    text = tab.tally.reduction.text()
    assert f"{100 * (dw + pw - std) / std:.2f}% more" in text and "-" not in text.split("%")[0]
    tab.dims.set_values(height=5, width=5, kernel=3, filters=16)
    assert "82.64% fewer" in tab.tally.reduction.text()


def test_grouped_layers_draw_standard_grouped_and_separable_bars(tab):
    tab.dims.set_values(channels=4, filters=8, groups=2)
    c = tab.explorer.costs
    chart = tab.tally.chart
    ticks = chart.getPlotItem().getAxis("bottom")._tickLevels
    assert ticks[0] == [(0, "standard"), (1, "grouped (g=2)"), (2, "separable")]
    # bar heights are the three totals: what is drawn is what the headline compares
    assert chart.std_total.value == (0, c.standard)
    assert chart.grp_total.value == (0, c.grouped)
    assert chart.sep_total_pw.value == (c.depthwise, c.pointwise) and chart.sep_total_pw.x == 2
    assert tab.tally.reduction.text() == f"{100 * (1 - c.separable / c.standard):.2f}% fewer multiplications"
    versus = tab.tally.versus.text()
    assert f"depthwise-separable {c.separable:,} vs standard {c.standard:,}" in versus
    assert f"{100 * (1 - c.separable / c.grouped):.2f}% fewer than grouped (g=2) {c.grouped:,}" in versus
    assert "grouped (g=2)" in tab.tally.standard.text()
    tab.dims.set_values(groups=1)
    assert chart.getPlotItem().getAxis("bottom")._tickLevels[0] == [(0, "standard"), (1, "separable")]
    assert "grouped" not in tab.tally.versus.text()


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1920, 1080)])
def test_blocks_are_never_cut_and_nothing_scrolls(tab, qtbot, size):
    """The panels fit what they draw: every block lies inside its view, and the views
    are inside the tab (no scroll area around them)."""
    from PySide6.QtWidgets import QScrollArea

    tab.resize(*size)
    for dims in (dict(height=64, width=64, channels=64, kernel=3, filters=256, padding=1),
                 dict(height=9, width=9, channels=3, kernel=7, filters=16, padding=0),
                 dict(height=5, width=5, channels=3, kernel=3, filters=16)):
        tab.dims.set_values(**dims)
        tab.seek(9 * 12 + 1 if dims["kernel"] == 7 else 40)
        qtbot.wait(1)
        for view in (tab.input_view, tab.weight_view, tab.output_view):
            assert view.blocks
            assert view.rect().contains(view.content_rect())
            assert tab.panels.rect().contains(view.geometry())
            assert not isinstance(view.parentWidget().parentWidget(), QScrollArea)
        lit = [b for b in tab.weight_view.blocks if b.highlight]
        assert lit and all(b.key(0, 0)[1][0] == tab.explorer.current.out_channel for b in lit)


def test_the_message_line_only_takes_room_while_it_has_a_message(tab):
    assert not tab.message.isVisible()
    tab.dims.set_values(height=4096, width=4096)  # beyond the explorer's memory limit
    assert tab.message.isVisible() and "Still showing the last valid layer" in tab.message.text()
    assert "explorer's limit" in tab.message.text()
    tab.dims.set_values(height=5, width=5)
    assert not tab.message.isVisible()
