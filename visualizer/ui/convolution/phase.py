"""The phase banner: which computation the current step belongs to, in its tally colour."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPainter

from visualizer.conv.explorer import Explorer
from visualizer.ui.common.painted_text import PaintedText

#: The tally's colours (tally_panel), pale as a background.
PHASE_COLORS = {"standard": "#4670c8", "grouped": "#8c5abe", "depthwise": "#e68c1e",
                "pointwise": "#28a05a"}


def phase_of(ex: Explorer) -> str:
    step = ex.operand_step
    if step is None or step.path == "standard":
        return "grouped" if ex.spec.groups > 1 else "standard"
    return step.path


def phase_text(ex: Explorer) -> str:
    s, phase = ex.spec, phase_of(ex)
    ho, wo, n = s.output_shape
    cells = ho * wo
    if phase in ("standard", "grouped"):
        what = ("standard: each filter reads all C_in channels" if phase == "standard" else
                f"grouped (g={s.groups}): each filter reads C_in/g = {s.channels_per_group} "
                "channels")
        return f"step {ex.position:,} of {ex.length:,} · {what}"
    nd = s.channels * cells
    if phase == "depthwise":
        return (f"phase 1 of 2 · depthwise · step {min(ex.position, nd):,} of {nd:,}: one "
                f"{s.kernel}×{s.kernel} filter per channel")
    return (f"phase 2 of 2 · pointwise · step {ex.position - nd:,} of {n * cells:,}: 1×1 "
            f"filters mix the {s.channels} channels")


class PhaseBanner(PaintedText):
    """One line of text on a pale band of the phase's colour, a bar of it at the left."""

    def __init__(self) -> None:
        super().__init__(1, None, "#202020", tooltip="The computation the current step "
                         "belongs to. Depthwise-separable runs depthwise (orange) then "
                         "pointwise (green); the scrub bar's tick marks where pointwise starts.")
        self.phase = "standard"

    def show_phase(self, ex: Explorer) -> None:
        phase = phase_of(ex)
        if phase != self.phase:
            self.phase = phase
            self.update()
        self.set_text("    " + phase_text(ex))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        color = QColor(PHASE_COLORS[self.phase])
        pale = QColor(color)
        pale.setAlpha(45)
        p.fillRect(self.rect(), pale)
        p.fillRect(0, 0, 6, self.height(), color)
        p.end()
        super().paintEvent(event)
