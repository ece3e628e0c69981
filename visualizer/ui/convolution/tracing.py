"""Previewing and tracing in the Convolution tab (a mixin of ConvTab).

Hovering an output cell previews the step that computes it everywhere (the explorer's
`trace`: the outlined cell, its operands, the banner, the text and the tallies), without
moving the position; leaving restores the current step, clicking goes there. Hovering a
product term in the step text outlines its two cells; "products ▶" walks the shown step's
products one at a time, outlining each pair and saying the running sum.
"""
from __future__ import annotations

from visualizer.conv.operands import channel_limit


class Tracing:
    """Needs ConvTab's views, explorer, detail text and timers."""

    def trace_output(self, hit) -> None:
        """Preview the step that computes the hovered output cell (None: back to the
        current step)."""
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
        """Clicking an output cell goes to its step (commits the preview)."""
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
        if term is None or step is None or ex.path == "race":
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
        if step is None or self.product is None or self.explorer.path == "race":
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
