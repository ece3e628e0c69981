"""The products of one step as text: exactly the channels on screen, then the rest summed."""
from __future__ import annotations

import numpy as np

from visualizer.conv.steps import Step
from visualizer.conv.wording import span


def describe_step(step: Step, channels: range | None = None, compact: bool = False
                  ) -> list[str]:
    """Lines listing the products of the listed `channels` of a step (all by default),
    each with the running sum; the products of channels not listed are summed in one line.
    `compact`: each channel's products as their count and sum, not one by one."""
    chans = step.in_channels
    channels = channels if channels is not None else range(chans[0], chans[-1] + 1)
    n = len(chans)
    win = step.window.reshape(n, -1)
    w = step.weights.reshape(n, -1)
    sums = step.running_sums
    per = win.shape[1]
    lo, hi = channels.start - chans[0], channels.stop - chans[0]
    lines: list[str] = []
    if lo > 0:
        lines.append(f"ch {span(chans[0], chans[lo - 1] + 1)} (not listed): "
                     f"Σ {fmt(float(sums[lo * per - 1]))}")
    if step.kernel == 1:
        terms = " + ".join(f"{fmt(win[i, 0])}·{_w(w[i, 0])}" for i in range(lo, hi))
        head = f"ch {chans[lo]}" if hi - lo == 1 else f"ch {chans[lo]}–{chans[hi - 1]}"
        part = float(np.dot(win[lo:hi, 0], w[lo:hi, 0]))
        lines.append(f"{head}: {terms} = {fmt(part)}   → running sum {fmt(float(sums[hi - 1]))}")
    elif compact:
        for i in range(lo, hi):
            lines.append(f"ch {chans[i]}: {per} products, Σ {fmt(float(np.dot(win[i], w[i])))}"
                         f"   → running sum {fmt(float(sums[(i + 1) * per - 1]))}")
    else:
        for i in range(lo, hi):
            terms = " + ".join(f"{fmt(a)}·{_w(b)}" for a, b in zip(win[i], w[i]))
            lines.append(f"ch {chans[i]}: {terms} = {fmt(float(np.dot(win[i], w[i])))}"
                         f"   → running sum {fmt(float(sums[(i + 1) * per - 1]))}")
    if hi < n:
        rest = float(sums[-1] - sums[hi * per - 1])
        lines.append(f"ch {span(chans[hi], chans[-1] + 1)} (not listed): Σ {fmt(rest)}"
                     f"   → total {fmt(float(sums[-1]))}")
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
