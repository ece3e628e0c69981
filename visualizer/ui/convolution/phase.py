"""The phase banner: what the step on screen computes, in its tally colour."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPainter

from visualizer.conv.explorer import Explorer
from visualizer.conv.wording import NUMBERING_TIP, plural, span, step_of
from visualizer.ui.convolution.fitted_text import FittedText

#: The tally's colours (tally_panel), pale as a background.
PHASE_COLORS = {"standard": "#4670c8", "grouped": "#8c5abe", "depthwise": "#e68c1e",
                "pointwise": "#28a05a", "race": "#555555"}


def phase_of(ex: Explorer) -> str:
    if ex.path == "race":
        return "race"
    step = ex.operand_step
    if step is None or step.path == "standard":
        return "grouped" if ex.spec.groups > 1 else "standard"
    return step.path


def phase_text(ex: Explorer) -> str:
    s, phase, step = ex.spec, phase_of(ex), ex.operand_step
    ho, wo, n = s.output_shape
    cells, vp = ho * wo, ex.view_position
    lead = "preview: " if ex.trace is not None else ""
    tail = " (click to go there)" if ex.trace is not None else ""
    if phase == "race":
        r = ex.race
        return (f"{lead}race · {step_of(vp, ex.length, 'frame')} · "
                f"{plural(r.per_standard, 'multiplication')} per frame on each side · "
                f"the outputs fill column by column{tail}")
    if phase in ("standard", "grouped"):
        what = ("standard: every filter reads all " + plural(s.channels, "input channel")
                if phase == "standard" else
                f"grouped (g = {s.groups}): filter {step.out_channel} reads input channels "
                f"{span(step.in_channels[0], step.in_channels[-1] + 1)} "
                f"(group {step.in_channels[0] // s.channels_per_group}, C_in/g = "
                f"{plural(s.channels_per_group, 'channel')}); the others are greyed")
        return f"{lead}{step_of(vp, ex.length)} · {what}{tail}"
    nd = s.channels * cells
    if phase == "depthwise":
        return (f"{lead}phase 1 of 2 · depthwise · {step_of(min(vp, nd), nd)}: "
                f"{s.kernel}×{s.kernel} filter {step.out_channel} reads channel "
                f"{step.out_channel} only{tail}")
    return (f"{lead}phase 2 of 2 · pointwise · {step_of(vp - nd, n * cells)}: 1×1 filter "
            f"{step.out_channel} mixes all {plural(s.channels, 'channel')}{tail}")


class PhaseBanner(FittedText):
    """Up to two lines of text on a pale band of the phase's colour, a bar of it at the
    left."""

    def __init__(self) -> None:
        super().__init__(2, None, "#202020", tooltip="The computation the step on screen "
                         "belongs to. Depthwise-separable runs depthwise (orange) then "
                         "pointwise (green); the scrub bar's tick marks where pointwise "
                         "starts. " + NUMBERING_TIP)
        self.phase = "standard"
        self.indent = 12  # beside the colour bar

    def show_phase(self, ex: Explorer, text: str | None = None) -> None:
        phase = phase_of(ex)
        if phase != self.phase:
            self.phase = phase
            self.update()
        self.set_text(text if text is not None else phase_text(ex))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        color = QColor(PHASE_COLORS[self.phase])
        pale = QColor(color)
        pale.setAlpha(45)
        p.fillRect(self.rect(), pale)
        p.fillRect(0, 0, 6, self.height(), color)
        p.end()
        super().paintEvent(event)
