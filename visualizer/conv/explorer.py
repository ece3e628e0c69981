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
from visualizer.conv.layer import LayerSpec
from visualizer.conv.steps import PathSteps, SeparableSteps, Step, standard_steps

PATH_NAMES = ("standard", "separable")

#: Paths with more steps than this are not worth watching cell by cell: the UI offers
#: skip-to-end and the tallies are shown instantly.
ANIMATION_LIMIT = 5000


#: Multiplications up to which an output is computed whole (a few ms at most) instead of
#: crop by crop on every step.
FULL_OUTPUT_LIMIT = 2_000_000


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
        c, s = self.costs, self.spec
        ho, wo, _ = s.output_shape
        std_total = c.grouped  # the standard path is grouped when groups > 1
        if self.path == "standard":
            done = self.position * s.kernel * s.kernel * s.channels_per_group
            return Tally(done, std_total, c.depthwise, c.depthwise, c.pointwise, c.pointwise)
        nd = s.channels * ho * wo
        done_dw = min(self.position, nd) * s.kernel * s.kernel
        done_pw = max(self.position - nd, 0) * s.channels
        return Tally(std_total, std_total, done_dw, c.depthwise, done_pw, c.pointwise)

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


class FilledView:
    """Read-only (C, H, W) view of one output that computes only the cells sliced from it:
    `view[c, r0:r1, c0:c1]`. Keeps a 64×64×64 layer with 256 filters instant to show."""

    def __init__(self, ex: Explorer, which: str) -> None:
        self.ex, self.which = ex, which
        ho, wo, n = ex.spec.output_shape
        self.shape = (ex.spec.channels if which == "depthwise" else n, ho, wo)
        self.done = ex._done(which)

    def __getitem__(self, key: tuple[int, slice, slice]) -> np.ndarray:
        ch, rows, cols = key
        _, h, w = self.shape
        r0, r1, _ = rows.indices(h)
        c0, c1, _ = cols.indices(w)
        out = np.full((r1 - r0, c1 - c0), np.nan)
        first = ch * h * w
        if self.done <= first + r0 * w + c0:
            return out  # nothing of this crop is computed yet
        if self.which + "_out" in self.ex._cache or self._cheap():
            vals = getattr(self.ex, self.which + "_out")[ch, r0:r1, c0:c1]  # cached
        else:
            vals = self._compute(ch, r0, r1, c0, c1)
        flat = first + np.arange(r0, r1)[:, None] * w + np.arange(c0, c1)[None, :]
        return np.where(flat < self.done, vals, np.nan)

    def _cheap(self) -> bool:
        """Whole output computed once (then sliced on every step) when that is quick."""
        c = self.ex.costs
        macs = {"standard": c.grouped, "depthwise": c.depthwise}.get(self.which, c.separable)
        return macs <= FULL_OUTPUT_LIMIT

    def _compute(self, ch: int, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        ex, s = self.ex.example, self.ex.spec
        if self.which == "pointwise":
            mid = np.stack([_window_conv(ex.x[c], ex.depthwise_w[c, 0], s, r0, r1, c0, c1)
                            for c in range(s.channels)])
            return np.einsum("chw,c->hw", mid, ex.pointwise_w[ch, :, 0, 0])
        if self.which == "depthwise":
            return _window_conv(ex.x[ch], ex.depthwise_w[ch, 0], s, r0, r1, c0, c1)
        cg = s.channels_per_group
        g = ch // (s.filters // s.groups)
        return sum(_window_conv(ex.x[g * cg + j], ex.standard_w[ch, j], s, r0, r1, c0, c1)
                   for j in range(cg))


def _window_conv(x: np.ndarray, w: np.ndarray, s: LayerSpec, r0: int, r1: int, c0: int,
                 c1: int) -> np.ndarray:
    """Output rows r0…r1-1, columns c0…c1-1 of one channel's k×k correlation."""
    k, st, p = s.kernel, s.stride, s.padding
    xp = np.pad(x, p) if p else x
    part = xp[r0 * st:(r1 - 1) * st + k, c0 * st:(c1 - 1) * st + k]
    win = np.lib.stride_tricks.sliding_window_view(part, (k, k))[::st, ::st]
    return np.einsum("hwij,ij->hw", win, w)


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
