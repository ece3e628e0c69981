"""The race: standard and depthwise-separable convolution of one input on one clock.

Both sides do one multiplication per tick of a shared clock, and both fill their output
one output column at a time (every output channel at one position, then the next
position), as a fused kernel would: the standard side computes the N filters at a
position; the separable side the C_in depthwise cells, then the N pointwise cells.
A frame of the race is one standard step (k·k·C_in/g multiplications); the counters of
both sides read the clock (capped at each side's total), so they stay equal until the
cheaper side has finished. For the seed example the separable side finishes the whole
layer (675 multiplications) at frame 25 of 144, when the standard side is at 17.4 %:
675 / 3,888 = 1/N + 1/k².

Steps are numbered here in race order; `standard_index` / `separable_index` translate to
the channel-major order of the ordinary paths (conv/steps.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from visualizer.conv.layer import LayerSpec


@dataclass(frozen=True)
class RaceFrame:
    clock: int  # multiplications done on each side so far (before capping at its total)
    standard_steps: int  # standard steps completed (race order)
    separable_steps: int  # separable steps completed (race order)
    standard_done: int  # multiplications, capped at the side's total
    depthwise_done: int  # products of unfinished steps included
    pointwise_done: int
    standard_step: int | None  # race index of the standard step on screen (None: before)
    separable_step: int | None  # race index of the separable step in progress or just done

    @property
    def separable_done(self) -> int:
        return self.depthwise_done + self.pointwise_done


class Race:
    def __init__(self, spec: LayerSpec) -> None:
        ho, wo, n = spec.output_shape
        c, k = spec.channels, spec.kernel
        self.spec = spec
        self.cells, self.n, self.c, self.kk = ho * wo, n, c, k * k
        self.per_standard = k * k * spec.channels_per_group
        self.standard_length = n * self.cells
        self.separable_length = (c + n) * self.cells
        self.standard_total = self.per_standard * self.standard_length
        self.column = c * k * k + n * c  # separable multiplications per output position
        self.separable_total = self.column * self.cells
        #: frames: one standard step each, until the slower side has finished
        self.length = -(-max(self.standard_total, self.separable_total) // self.per_standard)

    @property
    def separable_finish(self) -> int:
        """The frame at which the separable side has done all its multiplications."""
        return -(-self.separable_total // self.per_standard)

    def frame(self, position: int) -> RaceFrame:
        """The state after `position` frames (0 … length)."""
        t = max(0, min(position, self.length)) * self.per_standard
        std_steps = min(self.standard_length, t // self.per_standard)
        std_done = min(t, self.standard_total)
        std_step = std_steps - 1 if std_steps else None  # a frame is a whole standard step
        c, n, kk = self.c, self.n, self.kk
        if t >= self.separable_total:
            dw, pw = c * kk * self.cells, n * c * self.cells
            sep_steps = self.separable_length
            partial = False
        else:
            full, r = divmod(t, self.column)
            dw = full * c * kk + min(r, c * kk)
            pw = full * n * c + max(0, r - c * kk)
            in_dw = min(c, r // kk)
            in_pw = max(0, r - c * kk) // c
            sep_steps = full * (c + n) + in_dw + in_pw
            partial = (r < c * kk and r % kk != 0) or (r > c * kk and (r - c * kk) % c != 0)
        if t == 0:
            sep_step = None
        elif partial:
            sep_step = sep_steps  # the step in progress
        else:
            sep_step = sep_steps - 1  # the step just completed
        return RaceFrame(t, std_steps, sep_steps, std_done, dw, pw, std_step, sep_step)

    # ---- race order <-> the paths' channel-major order ----
    def standard_index(self, i: int) -> int:
        p, f = divmod(i, self.n)
        return f * self.cells + p

    def separable_index(self, i: int) -> int:
        p, r = divmod(i, self.c + self.n)
        return r * self.cells + p  # depthwise channels first, then pointwise: same offsets

    def standard_race_index(self, channel: int, position: int) -> int:
        return position * self.n + channel

    def separable_race_index(self, which: str, channel: int, position: int) -> int:
        off = 0 if which == "depthwise" else self.c
        return position * (self.c + self.n) + off + channel

    def separable_clock(self, i: int) -> int:
        """Multiplications after separable race step i is complete."""
        p, r = divmod(i, self.c + self.n)
        done = (r + 1) * self.kk if r < self.c else self.c * self.kk + (r - self.c + 1) * self.c
        return p * self.column + done

    def frame_of_output(self, which: str, channel: int, y: int, x: int, width: int) -> int:
        """The first frame on which that output cell is computed (1 …)."""
        p = y * width + x
        if which == "standard":
            return self.standard_race_index(channel, p) + 1
        clock = self.separable_clock(self.separable_race_index(which, channel, p))
        return -(-clock // self.per_standard)
