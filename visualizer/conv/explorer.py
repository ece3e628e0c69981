"""The convolution explorer's state, without Qt: layer, tensors, path and animation position.

The Convolution tab is a thin view over an `Explorer`: every number it shows (steps,
tallies, formulas, filled output cells) is read from here, so the logic is testable
headless. `position` counts the steps done on the current path (0 … len(steps)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visualizer.conv import costs, reference
from visualizer.conv.example import PRESETS, make_example, resize
from visualizer.conv.filled import FilledView
from visualizer.conv.layer import LayerSpec
from visualizer.conv.operands import channel_pages, shown_channels
from visualizer.conv.steps import PathSteps, SeparableSteps, Step, standard_steps

PATH_NAMES = ("standard", "separable")

#: Paths with more steps than this are not worth watching cell by cell: the UI offers
#: skip-to-end and the tallies are shown instantly.
ANIMATION_LIMIT = 5000


@dataclass(frozen=True)
class Tally:
    """Multiplications done so far on the path being played, and each path's whole-layer
    total. The path not being played counts 0 done: its total is a total, not progress.
    `standard_*` is the standard path as played (grouped when groups > 1);
    `ungrouped_total` is the plain standard convolution's total, for comparison."""

    standard_done: int
    standard_total: int
    depthwise_done: int
    depthwise_total: int
    pointwise_done: int
    pointwise_total: int
    playing: str = "standard"  # "standard" or "separable"
    ungrouped_total: int = 0

    @property
    def separable_done(self) -> int:
        return self.depthwise_done + self.pointwise_done

    @property
    def separable_total(self) -> int:
        return self.depthwise_total + self.pointwise_total


class Explorer:
    """Holds one LayerSpec, its ConvExample, the chosen path and the step position."""

    def __init__(self, spec: LayerSpec | None = None, preset: str = "example") -> None:
        self.spec = spec or LayerSpec()
        self.example = make_example(self.spec, preset)
        self.path = "standard"
        self.position = 0
        #: Which page of a step's input channels is on screen (see conv.operands).
        self.channel_page = 0
        #: A step traced (e.g. its output cell is hovered): its operands are shown instead
        #: of the current step's, without moving the position.
        self.trace: int | None = None
        self._rebuild()

    def clone(self) -> "Explorer":
        """An independent explorer in the same state (layer, values, path, position)."""
        other = Explorer.__new__(Explorer)
        other.spec, other.example, other.path = self.spec, self.example, self.path
        other.position, other.channel_page = self.position, self.channel_page
        other.trace = None
        other._rebuild()
        return other

    # ---- derived data: cheap numbers now, arrays only when first needed ----
    def _rebuild(self) -> None:
        self.costs = costs.conv_costs(self.spec)
        self._cache: dict[str, object] = {}
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
        return self.standard_steps if self.path == "standard" else self.separable_steps

    @property
    def length(self) -> int:
        ho, wo, n = self.spec.output_shape
        cells = ho * wo
        return n * cells if self.path == "standard" else (self.spec.channels + n) * cells

    @property
    def animatable(self) -> bool:
        return self.length <= ANIMATION_LIMIT

    @property
    def at_end(self) -> bool:
        return self.position >= self.length

    @property
    def current(self) -> Step | None:
        """The step shown: the last one done (None before the first)."""
        return self.steps[self.position - 1] if self.position > 0 else None

    @property
    def operand_step(self) -> Step | None:
        """The step whose operands are drawn: a traced one, else the current one, else the
        first (a preview)."""
        if self.trace is not None and 0 <= self.trace < self.length:
            return self.steps[self.trace]
        if self.position > 0:
            return self.steps[self.position - 1]
        return self.steps[0] if self.length else None

    @property
    def shown_channels(self) -> range:
        """The input channels on screen for the operand step (input, weights and text)."""
        step = self.operand_step
        return shown_channels(step, self.channel_page) if step else range(0)

    def step_of_output(self, which: str, channel: int, y: int, x: int) -> int:
        """The index (on the current path) of the step that computes one output cell of
        "standard", "depthwise" or "pointwise"; ValueError if this path does not."""
        ho, wo, _ = self.spec.output_shape
        cell = channel * ho * wo + y * wo + x
        if self.path == "standard" and which == "standard":
            return cell
        if self.path == "separable" and which == "depthwise":
            return cell
        if self.path == "separable" and which == "pointwise":
            return self.spec.channels * ho * wo + cell
        raise ValueError(f"the {self.path} path computes no {which} output")

    def page_channels(self, delta: int) -> None:
        """Show the next (+1) or previous (−1) page of the step's input channels."""
        step = self.operand_step
        if step is not None:
            page = max(0, min(self.channel_page, channel_pages(step) - 1))
            self.channel_page = max(0, min(page + delta, channel_pages(step) - 1))

    # ---- commands; each raises (LayerError / ValueError) and leaves state unchanged ----
    def set_path(self, path: str) -> None:
        if path not in PATH_NAMES:
            raise ValueError(f"unknown path {path!r}; choose standard or separable")
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
        self.position = self.channel_page = 0
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

    # ---- what the view shows ----
    def tally(self) -> Tally:
        c, s = self.costs, self.spec
        ho, wo, _ = s.output_shape
        std_total = c.grouped  # the standard path is grouped when groups > 1
        if self.path == "standard":
            done = self.position * s.kernel * s.kernel * s.channels_per_group
            return Tally(done, std_total, 0, c.depthwise, 0, c.pointwise, "standard",
                         c.standard)
        nd = s.channels * ho * wo
        done_dw = min(self.position, nd) * s.kernel * s.kernel
        done_pw = max(self.position - nd, 0) * s.channels
        return Tally(0, std_total, done_dw, c.depthwise, done_pw, c.pointwise, "separable",
                     c.standard)

    def _done(self, which: str) -> int:
        """How many cells of that output (flat, channel-major) are computed so far."""
        if which == "standard":
            return self.position if self.path == "standard" else 0
        if self.path != "separable":
            return 0
        ho, wo, _ = self.spec.output_shape
        nd = self.spec.channels * ho * wo
        return min(self.position, nd) if which == "depthwise" else max(self.position - nd, 0)

    def filled_view(self, which: str) -> "FilledView":
        """Like `filled(which)` but computes only the cells a view asks for."""
        return FilledView(self, which)

    def filled(self, which: str) -> np.ndarray:
        """Output values computed so far for "standard", "depthwise" or "pointwise";
        cells not reached yet are NaN (the view leaves them blank)."""
        full = getattr(self, f"{which}_out")
        done = self._done(which)
        out = np.full(full.shape, np.nan)
        out.reshape(-1)[:done] = full.reshape(-1)[:done]
        return out

    def comparisons(self) -> list[tuple[str, str, int, int]]:
        """The headline's comparisons: (cheaper name, dearer name, its count, theirs).
        Always separable vs standard; with groups > 1 also separable vs grouped."""
        c, s = self.costs, self.spec
        out = [("depthwise-separable", "standard", c.separable, c.standard)]
        if s.groups > 1:
            out.append(("depthwise-separable", f"grouped (g={s.groups})", c.separable,
                        c.grouped))
        return out

    def formulas(self) -> dict[str, str]:
        s = self.spec
        return {
            "standard": costs.standard_formula(s),
            "grouped": costs.grouped_formula(s),
            "depthwise": costs.depthwise_formula(s),
            "pointwise": costs.pointwise_formula(s),
        }

    def torch_text(self) -> str:
        s = self.spec
        return (f"torch.nn.Conv2d(in_channels={s.channels}, out_channels={s.filters}, "
                f"kernel_size={s.kernel}, stride={s.stride}, padding={s.padding}, "
                f"groups={s.groups}, bias=False)")

    def onnx_text(self) -> str:
        s = self.spec
        p = s.padding
        return (f"Conv(kernel_shape=[{s.kernel}, {s.kernel}], strides=[{s.stride}, {s.stride}], "
                f"pads=[{p}, {p}, {p}, {p}], group={s.groups})  "
                f"W: [{s.filters}, {s.channels_per_group}, {s.kernel}, {s.kernel}]")
