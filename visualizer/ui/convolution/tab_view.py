"""What the Convolution tab shows for the explorer's state (a mixin of ConvTab): the
panels (fitted to the space: conv/fit.py), the pager, the banner, the step text, the
transport and the race's lanes; the scale of every text (window × zoom, or a slide's
smallest text size)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QToolButton

from visualizer.conv.filled import FULL_OUTPUT_LIMIT
from visualizer.conv.operands import channels_note
from visualizer.conv.step_text import describe_step, fmt
from visualizer.conv.wording import NUMBERING_TIP, percent, plural, span, step_of
from visualizer.ui.common.painted_text import wrap
from visualizer.ui.convolution.blocks import (input_content, phase_of, scene, sections,
                                              weights_content)
from visualizer.ui.convolution.fitted_text import FittedText
from visualizer.ui.convolution.metrics import TextSizes
from visualizer.ui.convolution.output_blocks import output_content
from visualizer.ui.convolution.phase import PHASE_COLORS
from visualizer.ui.convolution.tally_panel import DW, GRP, PW, STD
from visualizer.ui.convolution.tracing import Tracing
from visualizer.ui.convolution.zoom import auto_scale, clamp_zoom, save_zoom

#: Lines of the step text in the window (the header and the products of up to 4 channels,
#: and the sums of those not listed).
DETAIL_LINES = 6

#: Slides: text sizes grow with the frame beyond this height (and never below 2 % of it).
SLIDE_REFERENCE_HEIGHT, SLIDE_ZOOM = 720, 1.2


class ConvTabView(Tracing):
    """Needs ConvTab's widgets and explorer."""

    def _init_view(self) -> None:
        self.sizes: TextSizes | None = None
        self._fits: tuple | None = None
        self.widest, self._widest_of = "", None

    def _build_pager(self) -> QHBoxLayout:
        """◀ ▶ and which of the step's input channels the step text lists."""
        row = QHBoxLayout()
        self.page_back = QToolButton()
        self.page_back.setArrowType(Qt.LeftArrow)
        self.page_back.setToolTip("Previous channels of the step text (Page Up)")
        self.page_back.clicked.connect(lambda: self.page_channels(-1))
        self.page_next = QToolButton()
        self.page_next.setArrowType(Qt.RightArrow)
        self.page_next.setToolTip("Next channels of the step text (Page Down)")
        self.page_next.clicked.connect(lambda: self.page_channels(1))
        self.pager_label = FittedText(1, None, "#333333")
        self.pager_label.set_tooltip("The input channels whose products the step text lists "
                                     "(Page Up / Page Down for the others); the panels draw "
                                     "all of them when they fit. " + NUMBERING_TIP)
        row.addWidget(self.page_back)
        row.addWidget(self.page_next)
        row.addWidget(self.pager_label, 1)
        return row

    def page_channels(self, delta: int) -> None:
        self.explorer.page_channels(delta)
        self.refresh()

    # ---- scale ----
    def set_zoom(self, zoom: float) -> None:
        """Zoom the panels, the texts and the tallies (Ctrl+= / Ctrl+− / Ctrl+0); remembered."""
        zoom = clamp_zoom(zoom)
        if zoom != self.zoom:
            self.zoom = zoom
            save_zoom(zoom)
            self._apply_scale()

    def set_slide(self, height: int, title: str = "") -> None:
        """Slides: text at least 2 % of `height` (the frame's), an optional title."""
        self.slide_height = height
        self.title.set_text(title)
        self.title.setVisible(bool(title))
        self._apply_scale()

    def show_summary(self, on: bool) -> None:
        """Slides: the held last frame (both totals and the ratio in the banner and text)."""
        self.summary = on
        self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._apply_scale()

    def _apply_scale(self) -> bool:
        if self.presentation:
            h = self.slide_height or self.height()
            sizes = TextSizes.for_slide(h, round(max(1.0, h / SLIDE_REFERENCE_HEIGHT)
                                                 * SLIDE_ZOOM, 2))
            if self._widest_of is not self.explorer.example:
                self._widest_of = self.explorer.example
                self.widest = _widest_number(self.explorer)
        else:
            sizes = TextSizes(round(auto_scale(self.width(), self.height()) * self.zoom, 2))
        if sizes == self.sizes:
            return False
        self.sizes = sizes
        floor = sizes.min_px or 9
        for w, role in ((self.phase, "body"), (self.pager_label, "small"),
                        (self.detail, "mono"), (self.title, "headline")):
            w.setFont(sizes.font(role, bold=w is self.title))
            w.set_floor(floor)
        self.panels.set_sizes(sizes, self.widest)
        self.tally.set_sizes(sizes)
        self.tally_scroll.setMinimumWidth(max(260, round(sizes.px("big") * 19)))
        self._fits = None
        self.refresh()
        return True

    # ---- view ----
    def _lanes(self) -> list[tuple]:
        """(scene, phases to fit, phase shown) of each lane."""
        ex = self.explorer
        if ex.path == "race":
            return [(scene(ex), ("race-standard",), "race-standard"),
                    (scene(ex, "separable"), ("race-separable",), "race-separable")]
        sc = scene(ex)
        if ex.path == "separable":
            return [(sc, ("depthwise", "pointwise"), phase_of(sc))]
        return [(sc, ("standard",), "standard")]

    def _fit(self, lanes: list[tuple]) -> list[list]:
        ex, p = self.explorer, self.panels
        key = (ex.spec, ex.path, p.width(), p.height(), self.sizes, self.widest)
        if self._fits is None or self._fits[0] != key:
            specs = [[sections(sc, ph) for ph in phases] for sc, phases, _ in lanes]
            self._fits = (key, specs, p.fit(specs))
        return self._fits[1], self._fits[2]

    def _detail_lines(self) -> int:
        """Slides: only the lines the path's step text needs (the header and a line per
        listed channel, or a line summing those not listed)."""
        ex = self.explorer
        if not self.presentation:
            return DETAIL_LINES
        if ex.path != "standard":
            return 3
        cg = ex.spec.channels_per_group
        return max(3, min(DETAIL_LINES, 1 + min(cg, 4) + (1 if cg > 4 else 0)))

    def refresh(self) -> None:
        if self.sizes is None:
            return  # before the first layout: the scale is not known yet
        ex = self.explorer
        self.detail.set_lines(self._detail_lines())
        self.panels.set_race(ex.path == "race")
        lanes = self._lanes()
        specs, fits = self._fit(lanes)
        for i, (sc, phases, phase) in enumerate(lanes):
            v = phases.index(phase)
            fit, secs = fits[i][v], specs[i][v][0]
            inputs = input_content(sc, fit.panels[0], phase)
            if phase.startswith("race"):
                self.panels.show(i, fit, [inputs, output_content(sc, fit.panels[1], secs[1],
                                                                 phase)])
                continue
            self.panels.show(i, fit, [inputs, weights_content(sc, fit.panels[1], secs[1], phase),
                                      output_content(sc, fit.panels[2], secs[2], phase)])
        if ex.path == "race":
            self._race_headers()
        self.products_button.setEnabled(ex.path != "race")  # the race lists no products
        self.tally.show_explorer(ex)
        if self.presentation:
            self._tally_width()
        self._show_pager()
        if self.summary:
            self.phase.show_phase(ex, "done · " + ex.summary(ex.path)[0])
        else:
            self.phase.show_phase(ex)
        self.detail.setText(self._detail_text())
        self.refresh_transport()

    def _tally_width(self) -> None:
        """Slides: the counters whole beside the panels (no scroll bar to scroll them)."""
        need = max(self.tally.standard.sizeHint().width() + 24, round(0.27 * self.width()))
        if self.tally_scroll.minimumWidth() != need:
            self.tally_scroll.setMinimumWidth(need)
            self.body.setSizes([self.width() - need, need])

    def _race_headers(self) -> None:
        ex = self.explorer
        r, f, s = ex.race, ex.race_frame(), ex.spec
        name = f"Grouped (g={s.groups})" if s.groups > 1 else "Standard"
        self.panels.headers[0].show_progress(
            name, GRP if s.groups > 1 else STD, f.standard_done, r.standard_total,
            f"{f.standard_done:,} / {r.standard_total:,} "
            f"({percent(f.standard_done, r.standard_total)})"
            f" · {step_of(f.standard_steps, r.standard_length)}")
        self.panels.headers[1].show_progress(
            "Depthwise-separable", DW if f.separable_done < r.separable_total else PW,
            f.separable_done, r.separable_total,
            f"{f.separable_done:,} / {r.separable_total:,} "
            f"({percent(f.separable_done, r.separable_total)})"
            f" · {step_of(f.separable_steps, r.separable_length)}")

    def _show_pager(self) -> None:
        ex = self.explorer
        step, shown = ex.operand_step, ex.shown_channels
        note = channels_note(step, shown) if step and ex.path != "race" else ""
        if step is None or ex.path == "race":
            text = ""
        elif note:
            c = step.in_channels
            text = (f"Step text lists channels {span(shown.start, shown.stop)} of the "
                    f"{plural(len(c), 'channel')} it reads ({c[0]}–{c[-1]}): Page Up / Down")
        else:
            c = step.in_channels
            text = (f"Step reads input channel {c[0]}" if len(c) == 1 else
                    f"Step reads input channels {c[0]}–{c[-1]} (all listed)")
        self.pager_label.setText(text)
        self.page_back.setEnabled(bool(note) and shown.start > step.in_channels[0])
        self.page_next.setEnabled(bool(note) and shown.stop <= step.in_channels[-1])

    def refresh_transport(self) -> None:
        ex = self.explorer
        unit = "frame" if ex.path == "race" else "step"
        self.transport.show_position(ex.position, ex.length, self.timer.isActive(), unit)
        marks = ()
        if ex.path == "separable":  # where the pointwise phase starts
            marks = ((len(ex.separable_steps.depthwise), PHASE_COLORS["pointwise"]),)
        elif ex.path == "race":  # where the separable side finishes
            marks = ((min(ex.race.separable_finish, ex.length), PHASE_COLORS["pointwise"]),)
        self.transport.scrub.set_marks(marks)

    def _detail_text(self) -> str:
        ex = self.explorer
        if self.summary:
            return "\n".join(ex.summary(ex.path)[1:])
        if ex.path == "race":
            return self._race_text()
        previewing = ex.trace is not None or self.product is not None
        step = ex.operand_step if previewing else ex.shown_step
        if step is None:
            hint = ("Press Space to play, → to step, End to compute everything at once."
                    if ex.animatable else
                    "Too many to watch one by one: the tally shows the whole-layer totals "
                    "already; Space plays a window of it, End computes every output.")
            return f"{plural(ex.length, 'step')}, one per output cell. {hint}"
        s = ex.spec
        ho, wo, _ = s.output_shape
        nd = s.channels * ho * wo
        name, index, count = step.path, step.index, ex.length
        if ex.path == "standard" and s.groups > 1:
            name = f"grouped (g={s.groups})"
        elif ex.path == "separable":
            count = nd if step.path == "depthwise" else ex.length - nd
        where = {"standard": "output", "depthwise": "depthwise output",
                 "pointwise": "pointwise output"}[step.path]
        cell = f"{where}[ch {step.out_channel}, row {step.out_y}, col {step.out_x}]"
        lead = "preview: " if ex.trace is not None else ""
        head = (f"{lead}{name} {step_of(index + 1, count)}: "
                f"{plural(step.multiplications, 'product')} → {cell} = {fmt(step.value)}")
        if self.product is not None:
            i = self.product
            a, b = step.window.ravel()[i], step.weights.ravel()[i]
            head = (f"product {i + 1} of {step.multiplications}: {fmt(a)} · {fmt(b)} = "
                    f"{fmt(a * b)}   running sum {fmt(float(step.running_sums[i]))}   (→ {cell})")
        text = "\n".join([head, *describe_step(step, ex.shown_channels)])
        if self.presentation and len(wrap(text, self.detail.font(), self.detail.width() - 4)) \
                > self.detail._max_lines:  # a slide lists each channel's sum, not its terms
            text = "\n".join([head, *describe_step(step, ex.shown_channels, compact=True)])
        return text

    def _race_text(self) -> str:
        ex = self.explorer
        r, f = ex.race, ex.race_frame()
        lead = "preview: " if ex.trace is not None else ""
        lines = [f"{lead}race {step_of(ex.view_position, ex.length, 'frame')}: "
                 f"clock at {plural(f.clock, 'multiplication')} ({r.per_standard:,} a frame)"]
        st = ex.shown_step
        if st is not None:
            lines.append(f"standard: {step_of(f.standard_steps, r.standard_length)} → "
                         f"output[ch {st.out_channel}, row {st.out_y}, col {st.out_x}] = "
                         f"{fmt(st.value)}")
        if f.separable_steps >= r.separable_length:
            lines.append(f"separable: finished at frame {r.separable_finish:,}, "
                         f"{r.separable_total:,} multiplications = "
                         f"{percent(r.separable_total, r.standard_total)} of standard")
        elif f.separable_step is not None:
            sp = ex.race_separable_step()
            lines.append(f"separable: {step_of(f.separable_steps, r.separable_length)}, "
                         f"now {sp.path} → ch {sp.out_channel}, row {sp.out_y}, "
                         f"col {sp.out_x}")
        return "\n".join(lines)


def _widest_number(ex) -> str:
    """The longest number text the slide's cells show (inputs, weights, and the outputs
    of a layer small enough to compute whole)."""
    arrays = [ex.example.x, ex.example.standard_w, ex.example.depthwise_w, ex.example.pointwise_w]
    if ex.costs.standard <= FULL_OUTPUT_LIMIT:
        arrays += [ex.standard_out, ex.depthwise_out, ex.pointwise_out]
    texts = (fmt(float(v)) for a in arrays
             for v in (np.unique(a) if a.size <= 200_000 else (a.min(), a.max())))
    return max(texts, key=len, default="")
