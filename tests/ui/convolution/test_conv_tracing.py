"""Tracing: hover an output cell to see its operands, click it to go to its step, hover
a product to outline its two cells, and walk a step product by product."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from visualizer.ui.convolution.step_text_view import terms_of



def hover(widget, point) -> None:
    """A mouse move without buttons, delivered to the widget (QTest.mouseMove only moves
    the cursor, which the offscreen platform does not always turn into events)."""
    event = QMouseEvent(QEvent.MouseMove, QPointF(point), QPointF(widget.mapToGlobal(point)),
                        Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def leave(widget) -> None:
    QApplication.sendEvent(widget, QEvent(QEvent.Leave))


def output_cell(tab, role, y, x):
    """The first drawn output block of that role: its channel and the centre of (y, x)."""
    view = tab.output_view
    b = next(b for b in view.blocks if b.role == role)
    return view, b.channel, view._cell_rect(b, y, x).center()


def cell_value(view, channel, y, x):
    for b in view.blocks:
        if b.channel == channel and b.row0 <= y < b.row0 + b.values.shape[0] \
                and b.col0 <= x < b.col0 + b.values.shape[1]:
            return b.values[y - b.row0, x - b.col0]
        if b.channel is None and channel is None and b.channels and y in b.channels:
            return b.values[y - b.row0, 0]
        y0, y1, x0, x1 = b.padded_range()
        if b.channel == channel and y0 <= y < y1 and x0 <= x < x1:
            return 0.0  # a padding zero
    raise AssertionError(f"cell {(channel, y, x)} not drawn")


@pytest.mark.parametrize("path, role, yx", [("standard", "standard", (2, 1)),
                                            ("separable", "depthwise", (0, 2)),
                                            ("separable", "pointwise", (1, 1))])
def test_hovering_an_output_cell_shows_its_operands_and_click_goes_there(
        tab, qtbot, path, role, yx):
    tab.set_path(path)
    tab.seek(tab.explorer.length)  # every output cell drawn
    ex = tab.explorer
    view, channel, point = output_cell(tab, role, *yx)
    cell = (channel, *yx)
    before = (tab.phase.text(), tab.detail.text(), tab.tally.standard.text())
    hover(view, point)
    index = ex.step_of_output(role, *cell)
    step = ex.steps[index]
    assert ex.trace == index and ex.position == ex.length  # the position did not move
    assert (step.out_channel, step.out_y, step.out_x) == cell
    # one step on screen: the hovered cell is the one outlined, nowhere another
    (target,) = [b for b in view.blocks if b.role == role and b.highlight
                 and b.highlight_kind == "trace" and b.highlight[2:] == (1, 1)]
    assert (target.channel, *target.highlight[:2]) == cell
    assert not [b for b in view.blocks if b.highlight_kind == "target" and b.highlight]
    assert tab.phase.text().startswith("preview: ") and "click to go there" in tab.phase.text()
    assert tab.detail.text().startswith(f"preview: {role} step {step.index + 1} of")
    # the tallies at the previewed step
    t = ex.tally()
    assert (t.standard_done if path == "standard" else t.separable_done) == sum(
        ex.steps[i].multiplications for i in range(index + 1))
    lit = [b for b in tab.input_view.blocks if b.highlight]
    assert lit and all(b.highlight_kind == "trace" for b in lit)
    if step.path != "pointwise":
        assert all(b.highlight == (step.in_y, step.in_x, step.kernel, step.kernel) for b in lit)
    leave(view)  # leaving the grid: back to the current step, everywhere
    assert ex.trace is None
    assert (tab.phase.text(), tab.detail.text(), tab.tally.standard.text()) == before
    qtbot.mouseClick(view, Qt.LeftButton, pos=point)
    c = ex.current
    assert ex.position == index + 1 and (c.path, c.out_channel, c.out_y, c.out_x) == (role, *cell)


@pytest.mark.parametrize("dims, path, pos", [({}, "standard", 5),
                                             ({}, "separable", 30),
                                             (dict(height=6, width=6, channels=6, filters=4,
                                                   stride=2, padding=1), "standard", 7)])
def test_hovering_a_product_outlines_its_two_cells(tab, qtbot, dims, path, pos):
    if dims:
        tab.dims.set_values(**dims)
    tab.set_path(path)
    tab.seek(pos)
    lines = tab.detail.visible_lines()
    found = terms_of(lines)
    assert found
    metrics = tab.detail.fontMetrics()
    for row, a, b, channel, index in found[:: max(1, len(found) // 6)]:
        x = 2 + (metrics.horizontalAdvance(lines[row][:a]) + metrics.horizontalAdvance(
            lines[row][:b])) // 2
        y = 2 + row * metrics.lineSpacing() + metrics.lineSpacing() // 2
        hover(tab.detail, QPoint(x, y))
        (ic,), (wc,) = tab.input_view.marks, tab.weight_view.marks
        term = lines[row][a:b].replace("−", "-").replace("(", "").replace(")", "")
        left, right = (float(v) for v in term.split("·"))
        assert cell_value(tab.input_view, *ic) == left
        assert cell_value(tab.weight_view, *wc) == right
    leave(tab.detail)
    assert tab.input_view.marks == () and tab.weight_view.marks == ()


def test_product_by_product_walks_the_first_cell(tab, qtbot):
    tab.transport.speed.setValue(tab.transport.speed.maximum())
    step = tab.explorer.steps[0]  # before any step: the first output cell
    tab.products_button.setChecked(True)
    seen = []
    while tab.product is not None and len(seen) < step.multiplications:
        i = tab.product
        (ic,), (wc,) = tab.input_view.marks, tab.weight_view.marks
        c, ky, kx = np.unravel_index(i, step.window.shape)
        assert ic == (c, step.in_y + ky, step.in_x + kx) and wc == (c, ky, kx)
        assert f"product {i + 1} of 27" in tab.detail.text()
        assert f"running sum {int(step.running_sums[i])}".replace("-", "−") in tab.detail.text()
        seen.append(i)
        tab._product_tick()
    assert seen == list(range(27))
    tab.products_button.setChecked(False)
    assert tab.product is None and not tab.product_timer.isActive()
