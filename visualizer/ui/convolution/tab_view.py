"""What the Convolution tab shows for the explorer's state (a mixin of ConvTab): the
grids, the pager, the phase, the step text and the transport; presenter scale; tracing.

Tracing: hovering an output cell shows the operands of the step that computes it
(`Explorer.trace`) and clicking it goes to that step; hovering a product term in the
step text outlines its two cells; "products ▶" walks the shown step's products one at a
time, outlining each pair and saying the running sum.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QToolButton

from visualizer.conv.operands import channel_limit, channels_note
from visualizer.conv.step_text import describe_step, fmt
from visualizer.ui.common.painted_text import PaintedText, monospace
from visualizer.ui.convolution.blocks import input_blocks, output_blocks, weight_blocks
from visualizer.ui.convolution.phase import PHASE_COLORS, PhaseBanner
from visualizer.ui.convolution.zoom import auto_scale, clamp_zoom, save_zoom

SCROLLBAR = 16
COLUMN_FLOOR = 200  # px a grid column gets at least, when its blocks need that much


class ConvTabView:
    """Needs ConvTab's widgets and explorer."""

    def _build_pager(self) -> QHBoxLayout:
        """'channels a–b of C' with ◀ ▶, shown when a step reads more channels than fit."""
        row = QHBoxLayout()
        self.phase = PhaseBanner()
        row.addWidget(self.phase, 3)
        self.pager_label = PaintedText(1, self.font(), "#333333")
        self.pager_label.set_tooltip("The step's input channels on screen: the input window, "
                                     "the weights and the products text all show these "
                                     "(Page Up / Page Down for the others)")
        self.page_back = QToolButton()
        self.page_back.setArrowType(Qt.LeftArrow)
        self.page_back.setToolTip("Previous channels (Page Up)")
        self.page_back.clicked.connect(lambda: self.page_channels(-1))
        self.page_next = QToolButton()
        self.page_next.setArrowType(Qt.RightArrow)
        self.page_next.setToolTip("Next channels (Page Down)")
        self.page_next.clicked.connect(lambda: self.page_channels(1))
        self.products_button = QToolButton()
        self.products_button.setText("products ▶")
        self.products_button.setCheckable(True)
        self.products_button.setToolTip("Product by product: walk the shown step's "
                                        "multiplications one at a time (the first output "
                                        "cell before any step), outlining each pair")
        self.products_button.toggled.connect(self.play_products)
        row.addWidget(self.products_button)
        row.addWidget(self.page_back)
        row.addWidget(self.page_next)
        row.addWidget(self.pager_label, 2)
        return row

    def page_channels(self, delta: int) -> None:
        self.explorer.page_channels(delta)
        self.refresh()

    # ---- presenter scale ----
    def set_zoom(self, zoom: float) -> None:
        """Zoom the grids and the step text (Ctrl+= / Ctrl+− / Ctrl+0); remembered."""
        zoom = clamp_zoom(zoom)
        if zoom != self.zoom:
            self.zoom = zoom
            save_zoom(zoom)
            self._apply_scale()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        fit = self._cells_that_fit()
        if not self._apply_scale() and fit != self._fit:
            self.refresh()
        self._fit = fit

    def _apply_scale(self) -> bool:
        scale = round(auto_scale(self.width(), self.height()) * self.zoom, 2)
        if scale == self.scale:
            return False
        self.scale = scale
        for view in (self.input_view, self.weight_view, self.output_view):
            view.set_scale(scale)
            font = QFont(view.caption_label.font())
            font.setPointSizeF(self._base_points * min(scale, 1.6))
            view.caption_label.setFont(font)
        self.detail.setFont(monospace(8.5 * scale))
        self._needs = ()
        self.refresh()
        return True

    # ---- view ----
    def refresh(self) -> None:
        ex = self.explorer
        cells_in, cells_out = self._cells_that_fit()
        for view, (blocks, caption) in (
                (self.input_view, input_blocks(ex, cells_in)),
                (self.weight_view, weight_blocks(ex)),
                (self.output_view, output_blocks(ex, cells_out))):
            view.set_blocks(blocks, caption)
        if ex.trace is None:  # a traced step must not move the cell under the mouse
            self._share_width()
        for view in (self.input_view, self.weight_view, self.output_view):
            view.follow_highlight()
        self.tally.show_explorer(ex)
        self._show_pager()
        self.phase.show_phase(ex)
        self.detail.setText(self._detail_text())
        self.refresh_transport()

    def _cells_that_fit(self) -> tuple[int, int]:
        """Rows/columns of the input and output grids shown around the window: what the
        grid area's width allows at the current scale (about 3/10 of it each), 4 … 16.
        From the tab's width only, so it does not feed back on the columns' widths."""
        cell = self.input_view.cell_w or 32
        area = 0.7 * max(self.width(), 640)  # the tallies take the rest
        fit = int(area * 0.3 / cell) - 1
        pad = 2 * self.explorer.spec.padding
        return max(4, min(16, fit - pad)), max(4, min(16, fit))

    def _share_width(self) -> None:
        """Give the three grid columns widths in proportion to what their blocks need
        (rounded, so it changes with the layer, hardly ever during a run)."""
        filters = self.explorer.path == "standard"  # keep a filter's slices side by side
        needs = tuple(-(-(v.needed_width(rows) + SCROLLBAR) // 32) * 32 for v, rows in (
            (self.input_view, False), (self.weight_view, filters), (self.output_view, False)))
        if needs != self._needs:
            self._needs = needs
            for i, (need, scroll) in enumerate(zip(needs, self._scrolls)):
                # small columns get all they need; a wide one scrolls rather than
                # squeezing the others (a modest floor keeps the window's minimum small)
                scroll.setMinimumWidth(min(need, COLUMN_FLOOR))
                self.grids.setStretch(i, min(need, 2 * COLUMN_FLOOR))
                # operands get no more than they need: the outputs take the rest
                scroll.setMaximumWidth(need + 24 if i < 2 else 16777215)

    def _show_pager(self) -> None:
        ex = self.explorer
        step, shown = ex.operand_step, ex.shown_channels
        note = channels_note(step, shown) if step else ""
        if step is None:
            text = ""
        elif note:
            text = f"Showing {note} (window, weights, products)"
        else:
            c = step.in_channels
            text = (f"Reads input channel {c[0]}" if len(c) == 1 else
                    f"Reads input channels {c[0]}–{c[-1]} (all shown)")
        self.pager_label.setText(text)
        self.page_back.setEnabled(bool(note) and shown.start > step.in_channels[0])
        self.page_next.setEnabled(bool(note) and shown.stop <= step.in_channels[-1])

    def refresh_transport(self) -> None:
        ex = self.explorer
        self.transport.show_position(ex.position, ex.length, self.timer.isActive())
        marks = ()
        if ex.path == "separable":  # where the pointwise phase starts
            marks = ((len(ex.separable_steps.depthwise), PHASE_COLORS["pointwise"]),)
        self.transport.scrub.set_marks(marks)

    def _detail_text(self) -> str:
        ex = self.explorer
        traced = ex.trace is not None or self.product is not None
        step = ex.operand_step if traced else ex.current
        if step is None:
            hint = ("Press Space to play, → to step, End to compute everything at once."
                    if ex.animatable else
                    f"This layer has {ex.length:,} steps, too many to watch one by one: the "
                    "tallies are complete already; press End (the last transport button) to "
                    "skip to the result.")
            return f"{ex.length:,} steps, one per output cell. {hint}"
        where = {"standard": "output", "depthwise": "depthwise output",
                 "pointwise": "pointwise output"}[step.path]
        lead = "traced: " if ex.trace is not None else ""
        head = (f"{lead}{step.path} step {step.index + 1:,}: {step.multiplications} products → "
                f"{where}[ch {step.out_channel}, row {step.out_y}, col {step.out_x}] = "
                f"{fmt(step.value)}")
        if self.product is not None:
            i = self.product
            a, b = step.window.ravel()[i], step.weights.ravel()[i]
            head = (f"product {i + 1} of {step.multiplications}: {fmt(a)} · {fmt(b)} = "
                    f"{fmt(a * b)}   running sum {fmt(float(step.running_sums[i]))}"
                    f"   (→ {where}[ch {step.out_channel}, row {step.out_y}, col {step.out_x}])")
        return "\n".join([head, *describe_step(step, ex.shown_channels)])

    # ---- tracing ----
    def trace_output(self, hit) -> None:
        """Show the operands of the step that computes the hovered output cell (None: back
        to the current step)."""
        ex = self.explorer
        index = None
        if hit is not None:
            block, y, x = hit
            try:
                index = ex.step_of_output(block.role, block.channel, y, x)
            except ValueError:
                index = None
        if index != ex.trace:
            ex.trace = index
            self.mark_term(None)
            self.refresh()

    def go_to_output(self, hit) -> None:
        """Clicking an output cell goes to its step."""
        block, y, x = hit
        try:
            index = self.explorer.step_of_output(block.role, block.channel, y, x)
        except ValueError:
            return
        self.explorer.trace = None
        self.seek(index + 1)

    def mark_term(self, term) -> None:
        """Outline the two cells of product `term` = (first channel of its line, index)
        of the shown step (None clears)."""
        ex = self.explorer
        step = ex.operand_step
        if term is None or step is None:
            self.input_view.set_marks(())
            self.weight_view.set_marks(())
            return
        channel, i = term
        if step.path == "pointwise":
            c = channel + i
            self.input_view.set_marks(((None, c, 0),))
            self.weight_view.set_marks(((None, c, 0),))
            return
        k = step.kernel
        if k == 1:  # one line lists a 1×1 window's channels
            c, ky, kx = channel + i, 0, 0
        else:
            c, (ky, kx) = channel, divmod(i, k)
        self.input_view.set_marks(((c, step.in_y + ky, step.in_x + kx),))
        self.weight_view.set_marks(((c, ky, kx),))

    def play_products(self, on: bool) -> None:
        """Product by product: one multiplication of the shown step per tick."""
        if not on:
            self.product_timer.stop()
            self.product = None
            self.mark_term(None)
            self.detail.setText(self._detail_text())
            return
        self.pause()
        self.product = -1
        self.product_timer.start(max(1, round(1000 / self.transport.steps_per_second)))
        self._product_tick()

    def _product_tick(self) -> None:
        step = self.explorer.operand_step
        if step is None or self.product is None:
            self.products_button.setChecked(False)
            return
        self.product += 1
        if self.product >= step.multiplications:
            self.product_timer.stop()
            self.product = step.multiplications - 1
        per = step.window[0].size
        lo = step.in_channels[0]
        c = self.product // per + lo
        shown = self.explorer.shown_channels
        if c not in shown:  # follow the product to its page of channels
            self.explorer.channel_page = (c - lo) // channel_limit(step)
            self.refresh()
        if step.kernel == 1:
            self.mark_term((self.explorer.shown_channels.start,
                            c - self.explorer.shown_channels.start))
        else:
            self.mark_term((c, self.product % per))
        self.detail.setText(self._detail_text())
