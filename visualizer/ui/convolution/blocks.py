"""What the three grid views show for the explorer's current step: input, weights, output.

Exactly the step's operands: the input window and the weight slices of the same channels
(`Explorer.shown_channels`, the channels the products text lists); in the pointwise
phase, the depth column of depthwise outputs at the step's position beside the column of
pointwise weights it multiplies. Each block records the tensor channel it draws.
Outputs show at most MAX_BLOCKS channels around the current step. Grids show at most
`cells` rows and columns around the window; captions say what is hidden (the tab says
which of the step's channels are shown, once, above the grids).
"""
from __future__ import annotations

import numpy as np

from visualizer.conv.explorer import Explorer
from visualizer.conv.steps import Step
from visualizer.ui.convolution.grid_cells import Block, crop

MAX_BLOCKS = 4
MAX_CELLS = 8
EDIT_TIP = "Double-click a cell (or click it and type) to change its value."
#: Highlight colour of each path's operands (the tally's colours; see grid_cells.COLORS).
PHASE_KIND = {"standard": "window", "depthwise": "depthwise", "pointwise": "pointwise"}


def _of(start: int, stop: int, total: int, what: str) -> str:
    if stop - start >= total:
        return ""
    span = f"{start}" if stop - start == 1 else f"{start}–{stop - 1}"
    return f"{what} {span} of {total}"


def _caption(base: str, *notes: str) -> str:
    notes = tuple(n for n in notes if n)
    return base + (f"  ({' · '.join(notes)})" if notes else "")


def _grid_blocks(arr, channels, title: str, focus: tuple[int, int], span: int,
                 cells: int, pad: int = 0, highlight=None, kind: str = "window", key=None,
                 tip: str = "", highlight_channels=(), role: str = "") -> tuple[list[Block], str]:
    """Blocks for channels of a (C, H, W) array, cropped around focus."""
    _, h, w = arr.shape
    fy, fx = max(focus[0], 0), max(focus[1], 0)
    (r0, r1), (c0, c1) = crop(h, fy, span, cells), crop(w, fx, span, cells)
    blocks = []
    for ch in channels:
        blocks.append(Block(
            title=title.format(ch), values=arr[ch, r0:r1, c0:c1], row0=r0, col0=c0,
            rows=h, cols=w, pad=pad, channel=ch, role=role,
            highlight=highlight if ch in highlight_channels else None, highlight_kind=kind,
            key=(lambda y, x, ch=ch: (key, (ch, y, x))) if key else None, tooltip=tip))
    note = ", ".join(filter(None, (_of(r0, r1, h, "rows"), _of(c0, c1, w, "cols"))))
    return blocks, note


def _column(title: str, values: np.ndarray, chans: range, kind: str | None, key=None,
            tip: str = "") -> Block:
    """A depth column: one cell per channel of `chans`, top to bottom."""
    return Block(title=title, values=values.reshape(-1, 1), row0=chans.start,
                 rows=chans.stop, cols=1, channel=None, channels=chans,
                 highlight=(chans.start, 0, len(chans), 1) if kind else None,
                 highlight_kind=kind or "window", key=key, tooltip=tip)


def input_blocks(ex: Explorer, cells: int = MAX_CELLS) -> tuple[list[Block], str]:
    s, step = ex.spec, ex.operand_step
    lit = ex.current is not None or ex.trace is not None
    chans = ex.shown_channels
    if step.path == "pointwise":
        return _pointwise_input(ex, step, chans, lit, _kind(ex, step))
    kind = _kind(ex, step)
    blocks, note = _grid_blocks(
        ex.example.x, chans, "input ch {}", (step.in_y, step.in_x), s.kernel, cells,
        pad=s.padding, highlight=(step.in_y, step.in_x, step.kernel, step.kernel),
        kind=kind, key="x", highlight_channels=chans if lit else (),
        tip=f"Input channel: {s.height}×{s.width} values; grey cells are padding zeros. "
            + EDIT_TIP)
    return blocks, _caption(f"Input {s.height}×{s.width}×{s.channels}", note)


def _kind(ex: Explorer, step: Step) -> str:
    """The highlight of the drawn operands: the phase's colour, or 'trace' while a hovered
    output cell's operands are shown."""
    return "trace" if ex.trace is not None else PHASE_KIND[step.path]


def _pointwise_input(ex: Explorer, step: Step, chans: range, lit: bool,
                     kind: str) -> tuple[list[Block], str]:
    lo = chans.start - step.in_channels[0]
    col = step.window[lo:lo + len(chans), 0, 0]
    block = _column(f"dw out ({step.out_y}, {step.out_x})", col, chans,
                    kind if lit else None,
                    tip="The pointwise step's input: the depthwise outputs of every channel "
                        "at this position (a depth column). Computed, so not editable.")
    return [block], (f"Pointwise input: depthwise output at row {step.out_y}, "
                     f"col {step.out_x}")


def weight_blocks(ex: Explorer) -> tuple[list[Block], str]:
    s, step = ex.spec, ex.operand_step
    lit = ex.current is not None or ex.trace is not None
    chans = ex.shown_channels
    k = s.kernel
    kind = _kind(ex, step)
    if step.path == "pointwise":
        n = step.out_channel
        block = _column(f"pw filter {n}", ex.example.pointwise_w[n, chans.start:chans.stop, 0, 0],
                        chans, kind if lit else None,
                        key=lambda y, x, n=n: ("pointwise_w", (n, y, 0, 0)),
                        tip=f"Pointwise filter {n}: 1×1×{s.channels}, one weight per input "
                            f"channel, beside the depth column it multiplies. " + EDIT_TIP)
        return [block], f"Pointwise filter {n} of {s.filters}: 1×1×{s.channels}"
    if step.path == "depthwise":
        c = step.out_channel
        block = Block(title=f"depthwise ch {c}", values=ex.example.depthwise_w[c, 0],
                      channel=c, highlight=(0, 0, k, k) if lit else None,
                      highlight_kind=kind,
                      key=lambda y, x, c=c: ("depthwise_w", (c, 0, y, x)),
                      tooltip=f"Depthwise filter: one {k}×{k} filter per input channel. "
                              + EDIT_TIP)
        return [block], f"Depthwise filter {c} of {s.channels}: {k}×{k}"
    n, cg = step.out_channel, s.channels_per_group
    g0 = step.in_channels[0]
    blocks = []
    for c in chans:
        blocks.append(Block(
            title=f"filter {n} · ch {c}", values=ex.example.standard_w[n, c - g0],
            channel=c, highlight=(0, 0, k, k) if lit else None, highlight_kind=kind,
            key=lambda y, x, c=c - g0: ("standard_w", (n, c, y, x)),
            tooltip=f"Filter {n}: {k}×{k}×{cg} weights, one {k}×{k} slice per input "
                    f"channel it reads. " + EDIT_TIP))
    name = f"Filter {n} of {s.filters}" + (f" (groups={s.groups})" if s.groups > 1 else "")
    return blocks, f"{name}: {k}×{k}×{cg}"


def output_blocks(ex: Explorer, cells: int = MAX_CELLS) -> tuple[list[Block], str]:
    s, step = ex.spec, ex.current
    ho, wo, n = s.output_shape
    # separable shows two outputs; keep both in view when their grids are big
    area = ho * wo
    limit = MAX_BLOCKS if ex.path == "standard" or area <= 9 else 2 if area <= 36 else 1
    focus = (step.out_y, step.out_x) if step else (0, 0)
    target = (focus[0], focus[1], 1, 1) if step else None
    tip = ("Output cells fill in as the steps run; blank cells are not computed yet. Hover "
           "a cell to see its operands; click it to go to its step.")
    if ex.path == "standard":
        chans = range(*crop(n, step.out_channel if step else 0, 1, MAX_BLOCKS))
        blocks, note = _grid_blocks(ex.filled_view("standard"), chans, "output ch {}", focus, 1,
                                    cells, highlight=target, kind="target", tip=tip,
                                    highlight_channels=(step.out_channel,) if step else (),
                                    role="standard")
        return blocks, _caption(f"Output {ho}×{wo}×{n}",
                                _of(chans.start, chans.stop, n, "ch"), note)
    in_pw = step is not None and step.path == "pointwise"
    dch = step.out_channel if step and not in_pw else ex.shown_channels.start if in_pw else 0
    dchans = range(*crop(s.channels, dch, 1, limit))
    dw, note1 = _grid_blocks(
        ex.filled_view("depthwise"), dchans, "depthwise out {}", focus, 1, cells,
        highlight=target, kind="pointwise" if in_pw else "target",
        tip=tip + " Depthwise output feeds pointwise.",
        highlight_channels=dchans if in_pw else ((dch,) if step else ()), role="depthwise")
    pch = step.out_channel if in_pw else 0
    pchans = range(*crop(n, pch, 1, limit))
    pw, note2 = _grid_blocks(ex.filled_view("pointwise"), pchans, "pointwise out {}", focus, 1,
                             cells, highlight=target, kind="target", tip=tip,
                             highlight_channels=(pch,) if in_pw else (), role="pointwise")
    if pw:
        pw[0].newline = True
    return dw + pw, _caption(f"Output: depthwise {ho}×{wo}×{s.channels} → pointwise {ho}×{wo}×{n}",
                             _of(dchans.start, dchans.stop, s.channels, "dw ch"),
                             _of(pchans.start, pchans.stop, n, "pw ch"), note1)
