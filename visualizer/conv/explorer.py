"""The convolution explorer's state, without Qt: layer, tensors, path and animation position.

The Convolution tab is a thin view over an `Explorer`: every number it shows (steps,
tallies, formulas, filled output cells) is read from here, so the logic is testable
headless. `position` counts the steps done on the current path (0 … len(steps)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visualizer.conv import costs, reference
from visualizer.conv.example import ConvExample, PRESETS, make_example, resize
from visualizer.conv.layer import LayerSpec
from visualizer.conv.steps import PathSteps, SeparableSteps, Step, standard_steps

PATH_NAMES = ("standard", "separable")

#: Paths with more steps than this are not worth watching cell by cell: the UI offers
#: skip-to-end and the tallies are shown instantly.
ANIMATION_LIMIT = 5000


@dataclass(frozen=True)
class Tally:
    """Multiplications done so far on each path (the idle path shows its total)."""

    standard_done: int
    standard_total: int
    depthwise_done: int
    depthwise_total: int
    pointwise_done: int
    pointwise_total: int

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
        self._rebuild()

    # ---- derived data, recomputed only when tensors or the layer change ----
    def _rebuild(self) -> None:
        ex, s = self.example, self.spec
        self.costs = costs.conv_costs(s)
        self.standard_steps: PathSteps = standard_steps(ex)
        self.separable_steps = SeparableSteps(ex)
        self.standard_out = reference.conv2d(ex.x, ex.standard_w, s.stride, s.padding, s.groups)
        self.depthwise_out = reference.depthwise(ex.x, ex.depthwise_w, s.stride, s.padding)
        self.pointwise_out = reference.pointwise(self.depthwise_out, ex.pointwise_w)
        self.position = min(self.position, len(self.steps))

    @property
    def steps(self) -> PathSteps | SeparableSteps:
        return self.standard_steps if self.path == "standard" else self.separable_steps

    @property
    def length(self) -> int:
        return len(self.steps)

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

    # ---- commands; each raises (LayerError / ValueError) and leaves state unchanged ----
    def set_path(self, path: str) -> None:
        if path not in PATH_NAMES:
            raise ValueError(f"unknown path {path!r}; choose standard or separable")
        if path != self.path:
            self.path, self.position = path, 0

    def set_dims(self, **changes: int) -> None:
        """Apply dimension changes (height, width, channels, kernel, filters, stride,
        padding, groups). Raises LayerError with the reason and keeps the last valid state."""
        spec = self.spec.with_(**changes)
        if spec == self.spec:
            return
        self.example = resize(self.example, spec)
        self.spec = spec
        self.position = 0
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
        c = self.costs
        std_total = self.standard_steps.per_step * len(self.standard_steps)
        dw, pw = self.separable_steps.depthwise, self.separable_steps.pointwise
        if self.path == "standard":
            return Tally(self.position * self.standard_steps.per_step, std_total,
                         c.depthwise, c.depthwise, c.pointwise, c.pointwise)
        nd = len(dw)
        done_dw = min(self.position, nd) * dw.per_step
        done_pw = max(self.position - nd, 0) * pw.per_step
        return Tally(std_total, std_total, done_dw, c.depthwise, done_pw, c.pointwise)

    def filled(self, which: str) -> np.ndarray:
        """Output values computed so far for "standard", "depthwise" or "pointwise";
        cells not reached yet are NaN (the view leaves them blank)."""
        full = {"standard": self.standard_out, "depthwise": self.depthwise_out,
                "pointwise": self.pointwise_out}[which]
        if which == "standard":
            done = self.position if self.path == "standard" else 0
        elif self.path != "separable":
            done = 0
        else:
            nd = len(self.separable_steps.depthwise)
            done = min(self.position, nd) if which == "depthwise" else max(self.position - nd, 0)
        out = np.full(full.shape, np.nan)
        out.reshape(-1)[:done] = full.reshape(-1)[:done]
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


def describe_step(step: Step, max_products: int = 27) -> list[str]:
    """Lines listing the products of one step (per input channel for k×k windows, one
    line for 1×1), each with the running sum; long lists are cut after max_products."""
    win, w = step.window.reshape(len(step.in_channels), -1), step.weights.reshape(
        len(step.in_channels), -1)
    sums = step.running_sums
    lines: list[str] = []
    if step.kernel == 1:
        n = min(max_products, win.shape[0])
        terms = " + ".join(f"{fmt(win[i, 0])}·{_w(w[i, 0])}" for i in range(n))
        more = f" + … {win.shape[0] - n:,} more" if n < win.shape[0] else ""
        lines.append(f"ch {step.in_channels[0]}–{step.in_channels[-1]}: {terms}{more}"
                     f" = {fmt(float(sums[-1]))}")
        return lines
    per = win.shape[1]
    for ci, ch in enumerate(step.in_channels):
        if ci * per >= max_products:
            rest = (len(step.in_channels) - ci) * per
            lines.append(f"… {rest:,} more products (channels {ch}–{step.in_channels[-1]})")
            break
        terms = " + ".join(f"{fmt(a)}·{_w(b)}" for a, b in zip(win[ci], w[ci]))
        lines.append(f"ch {ch}: {terms} = {fmt(float(np.dot(win[ci], w[ci])))}"
                     f"   → running sum {fmt(float(sums[(ci + 1) * per - 1]))}")
    return lines


def fmt(v: float) -> str:
    """Compact number text: integers without decimals, others with up to 3 significant."""
    if v != v:  # NaN
        return ""
    if float(v).is_integer() and abs(v) < 1e7:
        return str(int(v)).replace("-", "−")
    return f"{v:.3g}".replace("-", "−")


def _w(v: float) -> str:
    """A factor in a product: negative values in parentheses, e.g. 6·(−1)."""
    return f"({fmt(v)})" if v < 0 else fmt(v)
