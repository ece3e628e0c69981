"""What the three grid views show for the explorer's current step: input, weights, output.

Only what fits is shown: at most MAX_BLOCKS channels/filters around the current step and
at most MAX_CELLS rows and columns around its window; captions say what is hidden.
"""
from __future__ import annotations

import numpy as np

from visualizer.conv.explorer import Explorer
from visualizer.conv.steps import Step
from visualizer.ui.convolution.grid_cells import Block, crop

MAX_BLOCKS = 4
MAX_CELLS = 8
EDIT_TIP = "Double-click a cell (or click it and type) to change its value."


def _of(start: int, stop: int, total: int, what: str) -> str:
    if stop - start >= total:
        return ""
    span = f"{start}" if stop - start == 1 else f"{start}–{stop - 1}"
    return f"{what} {span} of {total}"


def _cells(h: int, w: int, focus: tuple[int, int], span: int) -> tuple[tuple[int, int], ...]:
    fy, fx = max(focus[0], 0), max(focus[1], 0)
    return crop(h, fy, span, MAX_CELLS), crop(w, fx, span, MAX_CELLS)


def _caption(base: str, *notes: str) -> str:
    notes = tuple(n for n in notes if n)
    return base + (f"  (showing {' · '.join(notes)})" if notes else "")


def _grid_blocks(arr: np.ndarray, channels: range, title: str, focus: tuple[int, int],
                 span: int, pad: int = 0, highlight=None, kind: str = "window",
                 key=None, tip: str = "", highlight_channels=()) -> tuple[list[Block], str]:
    """Blocks for channels of a (C, H, W) array, cropped around focus."""
    _, h, w = arr.shape
    (r0, r1), (c0, c1) = _cells(h, w, focus, span)
    blocks = []
    for ch in channels:
        blocks.append(Block(
            title=title.format(ch), values=arr[ch, r0:r1, c0:c1], row0=r0, col0=c0,
            rows=h, cols=w, pad=pad,
            highlight=highlight if ch in highlight_channels else None, highlight_kind=kind,
            key=(lambda y, x, ch=ch: (key, (ch, y, x))) if key else None, tooltip=tip))
    note = ", ".join(filter(None, (_of(r0, r1, h, "rows"), _of(c0, c1, w, "cols"))))
    return blocks, note


def input_blocks(ex: Explorer) -> tuple[list[Block], str]:
    s, step = ex.spec, ex.current
    active = step is not None and step.path != "pointwise"
    first = step.in_channels[0] if active else 0
    span = len(step.in_channels) if active else 1
    chans = range(*crop(s.channels, first, span, MAX_BLOCKS))
    focus = (step.in_y, step.in_x) if active else (0, 0)
    hl = (step.in_y, step.in_x, step.kernel, step.kernel) if active else None
    blocks, note = _grid_blocks(
        ex.example.x, chans, "input ch {}", focus, s.kernel, pad=s.padding, highlight=hl,
        key="x", highlight_channels=step.in_channels if active else (),
        tip=f"Input channel: {s.height}×{s.width} values; grey cells are padding zeros. "
            + EDIT_TIP)
    caption = _caption(f"Input {s.height}×{s.width}×{s.channels}",
                       _of(chans.start, chans.stop, s.channels, "ch"), note)
    return blocks, caption


def weight_blocks(ex: Explorer) -> tuple[list[Block], str]:
    s, step = ex.spec, ex.current
    if ex.path == "standard":
        return _standard_weights(ex, step)
    blocks, notes = [], []
    dw_active = step is not None and step.path == "depthwise"
    ch = step.out_channel if dw_active else 0
    chans = range(*crop(s.channels, ch, 1, MAX_BLOCKS))
    k = s.kernel
    dw, note = _grid_blocks(
        ex.example.depthwise_w[:, 0], chans, "depthwise ch {}", (0, 0), k,
        highlight=(0, 0, k, k), key=None, highlight_channels=(ch,) if dw_active else (),
        tip=f"Depthwise filter: one {k}×{k} filter per input channel. " + EDIT_TIP)
    for b, c in zip(dw, chans):
        b.key = lambda y, x, c=c: ("depthwise_w", (c, 0, y, x))
    blocks += dw
    notes += [_of(chans.start, chans.stop, s.channels, "dw filters"), note]
    pw_active = step is not None and step.path == "pointwise"
    n = step.out_channel if pw_active else 0
    mat = ex.example.pointwise_w[:, :, 0, 0]
    (r0, r1), (c0, c1) = crop(s.filters, n, 1, MAX_CELLS), crop(s.channels, 0, 1, MAX_CELLS)
    blocks.append(Block(
        title="pointwise (rows: filters)",
        values=mat[r0:r1, c0:c1], row0=r0, col0=c0, rows=s.filters, cols=s.channels,
        highlight=(n, 0, 1, s.channels) if pw_active else None, newline=True,
        key=lambda y, x: ("pointwise_w", (y, x, 0, 0)),
        tooltip=f"Pointwise: {s.filters} filters of 1×1×{s.channels}: one row per filter, "
                f"one column per input channel. " + EDIT_TIP))
    notes += [_of(r0, r1, s.filters, "pw filters"), _of(c0, c1, s.channels, "pw cols")]
    return blocks, _caption("Weights: depthwise, then pointwise", *notes)


def _standard_weights(ex: Explorer, step: Step | None) -> tuple[list[Block], str]:
    s = ex.spec
    k, cg = s.kernel, s.channels_per_group
    n = step.out_channel if step else 0
    filters = range(*crop(s.filters, n, 1, MAX_BLOCKS))
    chans = range(0, min(cg, 3 if len(filters) > 1 else MAX_BLOCKS))
    (r0, r1), (c0, c1) = _cells(k, k, (0, 0), k)
    blocks = []
    for f in filters:
        g = f // (s.filters // s.groups)
        for j, c in enumerate(chans):
            blocks.append(Block(
                title=f"filter {f} · ch {g * cg + c}", values=ex.example.standard_w[f, c, r0:r1, c0:c1],
                row0=r0, col0=c0, rows=k, cols=k, newline=(j == 0),
                highlight=(0, 0, k, k) if step and f == n else None,
                key=lambda y, x, f=f, c=c: ("standard_w", (f, c, y, x)),
                tooltip=f"Filter {f}: {k}×{k}×{cg} weights, one {k}×{k} slice per input "
                        f"channel it reads. " + EDIT_TIP))
    name = "Filters" if s.groups == 1 else f"Filters (groups={s.groups})"
    return blocks, _caption(f"{name}: {s.filters} × {k}×{k}×{cg}",
                            _of(filters.start, filters.stop, s.filters, "filters"),
                            _of(chans.start, chans.stop, cg, "ch"),
                            _of(r0, r1, k, "rows"), _of(c0, c1, k, "cols"))


def output_blocks(ex: Explorer) -> tuple[list[Block], str]:
    s, step = ex.spec, ex.current
    ho, wo, n = s.output_shape
    # separable shows two outputs; keep both in view when their grids are big
    cells = ho * wo
    limit = MAX_BLOCKS if ex.path == "standard" or cells <= 9 else 2 if cells <= 36 else 1
    focus = (step.out_y, step.out_x) if step else (0, 0)
    target = (focus[0], focus[1], 1, 1) if step else None
    tip = "Output cells fill in as the steps run; blank cells are not computed yet."
    if ex.path == "standard":
        chans = range(*crop(n, step.out_channel if step else 0, 1, MAX_BLOCKS))
        blocks, note = _grid_blocks(ex.filled_view("standard"), chans, "output ch {}", focus, 1,
                                    highlight=target, kind="target", tip=tip,
                                    highlight_channels=(step.out_channel,) if step else ())
        return blocks, _caption(f"Output {ho}×{wo}×{n}",
                                _of(chans.start, chans.stop, n, "ch"), note)
    in_pw = step is not None and step.path == "pointwise"
    dch = step.out_channel if step and not in_pw else 0
    dchans = range(*crop(s.channels, dch, 1, limit))
    dw, note1 = _grid_blocks(
        ex.filled_view("depthwise"), dchans, "depthwise out {}", focus, 1, highlight=target,
        kind="window" if in_pw else "target", tip=tip + " Depthwise output feeds pointwise.",
        highlight_channels=dchans if in_pw else ((dch,) if step else ()))
    pch = step.out_channel if in_pw else 0
    pchans = range(*crop(n, pch, 1, limit))
    pw, note2 = _grid_blocks(ex.filled_view("pointwise"), pchans, "pointwise out {}", focus, 1,
                             highlight=target, kind="target", tip=tip,
                             highlight_channels=(pch,) if in_pw else ())
    if pw:
        pw[0].newline = True
    return dw + pw, _caption(f"Output: depthwise {ho}×{wo}×{s.channels} → pointwise {ho}×{wo}×{n}",
                             _of(dchans.start, dchans.stop, s.channels, "dw ch"),
                             _of(pchans.start, pchans.stop, n, "pw ch"), note1)
