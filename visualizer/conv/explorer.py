"""The convolution explorer's state, without Qt: layer, tensors, path and animation position.

The Convolution tab is a thin view over an `Explorer`: every number it shows (steps,
tallies, formulas, filled output cells) is read from here, so the logic is testable
headless. `position` counts the steps done on the current path (0 … length); in the race
(conv/race.py) it counts race frames. A preview (`trace`, the step of a hovered output
cell) shows that step everywhere without moving the position: `view_position`.
"""
from __future__ import annotations

import numpy as np

from visualizer.conv import costs, reference
from visualizer.conv.example import PRESETS, make_example, resize
from visualizer.conv.filled import FilledView
from visualizer.conv.layer import LayerSpec
from visualizer.conv.layer_text import LayerTexts
from visualizer.conv.operands import channel_pages, shown_channels
from visualizer.conv.race import Race, RaceFrame
from visualizer.conv.steps import PathSteps, SeparableSteps, Step, standard_steps
from visualizer.conv.tally import Tally

__all__ = ["Explorer", "Tally", "PATH_NAMES", "ANIMATION_LIMIT"]

PATH_NAMES = ("standard", "separable", "race")

#: Paths with more steps than this are not worth watching cell by cell: the UI offers
#: skip-to-end and the tallies are shown instantly.
ANIMATION_LIMIT = 5000


def path_length(spec: LayerSpec, path: str) -> int:
    """Frames of steps of a path: a step per output cell (the race: per standard step,
    until the slower side has finished)."""
    ho, wo, n = spec.output_shape
    if path == "race":
        return Race(spec).length
    return (n if path == "standard" else spec.channels + n) * ho * wo


class Explorer(LayerTexts):
    """Holds one LayerSpec, its ConvExample, the chosen path and the step position."""

    def __init__(self, spec: LayerSpec | None = None, preset: str = "example") -> None:
        self.spec = spec or LayerSpec()
        self.example = make_example(self.spec, preset)
        self.path = "standard"
        self.position = 0
        self._page, self._page_key = 0, None
        #: A step previewed (its output cell is hovered): shown everywhere instead of the
        #: current one, without moving the position.
        self.trace: int | None = None
        self._rebuild()

    def clone(self) -> "Explorer":
        """An independent explorer in the same state (layer, values, path, position)."""
        other = Explorer.__new__(Explorer)
        other.spec, other.example, other.path = self.spec, self.example, self.path
        other.position = self.position
        other._page, other._page_key = self._page, self._page_key
        other.trace = None
        other._rebuild()
        return other

    # ---- derived data: cheap numbers now, arrays only when first needed ----
    def _rebuild(self) -> None:
        self.costs = costs.conv_costs(self.spec)
        self._cache: dict[str, object] = {}
        self._step_memo: tuple | None = None
        self.position = min(self.position, self.length)

    def _cached(self, name: str, make):
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    @property
    def standard_steps(self) -> PathSteps:
        return self._cached("standard_steps", lambda: standard_steps(self.example))

    @property
    def separable_steps(self) -> SeparableSteps:
        return self._cached("separable_steps", lambda: SeparableSteps(self.example))

    @property
    def race(self) -> Race:
        return self._cached("race", lambda: Race(self.spec))

    @property
    def standard_out(self) -> np.ndarray:
        ex, s = self.example, self.spec
        return self._cached("standard_out", lambda: reference.conv2d(
            ex.x, ex.standard_w, s.stride, s.padding, s.groups))

    @property
    def depthwise_out(self) -> np.ndarray:
        ex, s = self.example, self.spec
        return self._cached("depthwise_out", lambda: reference.depthwise(
            ex.x, ex.depthwise_w, s.stride, s.padding))

    @property
    def pointwise_out(self) -> np.ndarray:
        return self._cached("pointwise_out", lambda: reference.pointwise(
            self.depthwise_out, self.example.pointwise_w))

    @property
    def steps(self) -> PathSteps | SeparableSteps:
        """The steps of the path (the race: of its standard side, in channel-major order)."""
        return self.separable_steps if self.path == "separable" else self.standard_steps

    @property
    def length(self) -> int:
        if self.path == "race":
            return self.race.length  # cached
        return path_length(self.spec, self.path)

    @property
    def animatable(self) -> bool:
        return self.length <= ANIMATION_LIMIT

    @property
    def at_end(self) -> bool:
        return self.position >= self.length

    @property
    def view_position(self) -> int:
        """The position on screen: the previewed step's, else the current one."""
        if self.trace is not None and 0 <= self.trace < self.length:
            return self.trace + 1
        return self.position

    def step_at(self, index: int) -> Step:
        """Step `index` of the path (the race: its standard side's step in race order)."""
        key = (self.path, index)
        if self._step_memo is None or self._step_memo[0] != key:
            if self.path == "race":
                step = self.standard_steps[self.race.standard_index(
                    min(index, self.race.standard_length - 1))]
            else:
                step = self.steps[index]
            self._step_memo = (key, step)
        return self._step_memo[1]

    @property
    def current(self) -> Step | None:
        """The last step done (None before the first), whatever is previewed."""
        return self.step_at(self.position - 1) if self.position > 0 else None

    @property
    def shown_step(self) -> Step | None:
        """The step on screen: the previewed one, else the current one (None before any)."""
        return self.step_at(self.view_position - 1) if self.view_position > 0 else None

    @property
    def operand_step(self) -> Step | None:
        """The step whose operands are drawn: the step on screen, else the first (a
        preview of what the first step reads)."""
        if self.view_position > 0:
            return self.step_at(self.view_position - 1)
        return self.step_at(0) if self.length else None

    def race_frame(self) -> RaceFrame:
        return self.race.frame(self.view_position)

    def race_separable_step(self) -> Step | None:
        """The race's separable step on screen (in progress or just done)."""
        i = self.race_frame().separable_step
        return None if i is None else self.separable_steps[self.race.separable_index(i)]

    # ---- the page of the operand step's channels listed in the step text ----
    @property
    def channel_page(self) -> int:
        """The page of the operand step's input channels listed (conv.operands). A page
        belongs to one set of channels: another step's channels start at page 0."""
        step = self.operand_step
        return self._page if step is not None and step.in_channels == self._page_key else 0

    @channel_page.setter
    def channel_page(self, page: int) -> None:
        step = self.operand_step
        self._page_key = step.in_channels if step is not None else None
        self._page = max(0, min(int(page), channel_pages(step) - 1)) if step else 0

    @property
    def shown_channels(self) -> range:
        """The input channels listed for the operand step (step text, pager)."""
        step = self.operand_step
        return shown_channels(step, self.channel_page) if step else range(0)

    def page_channels(self, delta: int) -> None:
        """List the next (+1) or previous (−1) page of the step's input channels."""
        if self.operand_step is not None:
            self.channel_page = self.channel_page + delta

    def step_of_output(self, which: str, channel: int, y: int, x: int) -> int:
        """The index (on the current path; the race: its frame − 1) of the step that
        computes one output cell of "standard", "depthwise" or "pointwise"; ValueError if
        this path does not."""
        ho, wo, _ = self.spec.output_shape
        cell = channel * ho * wo + y * wo + x
        if self.path == "race":
            if which not in ("standard", "depthwise", "pointwise"):
                raise ValueError(f"unknown output {which!r}")
            return self.race.frame_of_output(which, channel, y, x, wo) - 1
        if self.path == "standard" and which == "standard":
            return cell
        if self.path == "separable" and which == "depthwise":
            return cell
        if self.path == "separable" and which == "pointwise":
            return self.spec.channels * ho * wo + cell
        raise ValueError(f"the {self.path} path computes no {which} output")

    # ---- commands; each raises (LayerError / ValueError) and leaves state unchanged ----
    def set_path(self, path: str) -> None:
        if path not in PATH_NAMES:
            raise ValueError(f"unknown path {path!r}; choose standard, separable or race")
        if path != self.path:
            self.path, self.position, self.trace = path, 0, None

    def set_dims(self, **changes: int) -> None:
        """Apply dimension changes (height, width, channels, kernel, filters, stride,
        padding, groups). Raises LayerError with the reason and keeps the last valid state."""
        spec = self.spec.with_(**changes)
        if spec == self.spec:
            return
        self.example = resize(self.example, spec)
        self.spec = spec
        self.position, self._page, self._page_key = 0, 0, None
        self.trace = None
        self._rebuild()

    def set_value(self, tensor: str, index: tuple[int, ...], text: str) -> None:
        """Edit one cell; raises ValueError for text that is not a sensible number."""
        self.example = self.example.with_value(tensor, index, text)
        self._rebuild()

    def apply_preset(self, preset: str, seed: int = 0) -> None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}")
        self.example = make_example(self.spec, preset, seed)
        self._rebuild()

    def seek(self, position: int) -> None:
        self.position = max(0, min(int(position), self.length))

    def step(self, delta: int = 1) -> None:
        self.seek(self.position + delta)

    # ---- what the view shows (at the view position) ----
    def tally(self) -> Tally:
        c, s = self.costs, self.spec
        ho, wo, _ = s.output_shape
        std_total = c.grouped  # the standard path is grouped when groups > 1
        vp = self.view_position
        if self.path == "race":
            f = self.race.frame(vp)
            return Tally(f.standard_done, std_total, f.depthwise_done, c.depthwise,
                         f.pointwise_done, c.pointwise, "race", c.standard)
        if self.path == "standard":
            done = vp * s.kernel * s.kernel * s.channels_per_group
            return Tally(done, std_total, 0, c.depthwise, 0, c.pointwise, "standard",
                         c.standard)
        nd = s.channels * ho * wo
        done_dw = min(vp, nd) * s.kernel * s.kernel
        done_pw = max(vp - nd, 0) * s.channels
        return Tally(0, std_total, done_dw, c.depthwise, done_pw, c.pointwise, "separable",
                     c.standard)

    def fill_order(self, which: str) -> tuple[int, int, int, int]:
        """(a, b, offset, done): output cell (channel, position) of `which` is computed
        iff channel·a + position·b + offset < done (see FilledView)."""
        ho, wo, n = self.spec.output_shape
        cells, vp, c = ho * wo, self.view_position, self.spec.channels
        if self.path == "race":
            f = self.race.frame(vp)
            if which == "standard":
                return 1, n, 0, f.standard_steps
            return 1, c + n, 0 if which == "depthwise" else c, f.separable_steps
        if which == "standard":
            return cells, 1, 0, vp if self.path == "standard" else 0
        if self.path != "separable":
            return cells, 1, 0, 0
        nd = c * cells
        return cells, 1, 0, min(vp, nd) if which == "depthwise" else max(vp - nd, 0)

    def filled_view(self, which: str) -> FilledView:
        """Like `filled(which)` but computes only the cells a view asks for."""
        return FilledView(self, which)

    def filled(self, which: str) -> np.ndarray:
        """Output values computed so far for "standard", "depthwise" or "pointwise";
        cells not reached yet are NaN (the view leaves them blank)."""
        full = getattr(self, f"{which}_out")
        view = FilledView(self, which)
        _, h, w = full.shape
        return np.stack([np.where(view.computed(ch, 0, h, 0, w), full[ch], np.nan)
                         for ch in range(full.shape[0])])
