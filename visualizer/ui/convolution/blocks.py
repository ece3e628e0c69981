"""What the panels show for the explorer's step on screen: input, weights, outputs.

Whole tensors whenever they fit (conv/fit.py): every channel of the input with its
padding rings, every slice of the step's filter (in the depthwise phase every depthwise
filter), every output channel. Channels the step does not read are greyed; a colour band
ties each group of input channels to its filter and output channels; corner marks show
where the windows start (the stride) and a dashed frame the next window. What does not
fit is cropped around the step, and an overview says which part is on screen.

`sections(...)` describe each panel to the fit; `input_content` and `weights_content`
(and output_blocks.output_content) build its blocks.
"""
from __future__ import annotations

from dataclasses import dataclass

from visualizer.conv.explorer import Explorer
from visualizer.conv.fit import PanelFit, Section, SectionFit, window
from visualizer.conv.operands import page_size
from visualizer.conv.steps import Step
from visualizer.conv.wording import index_in
from visualizer.ui.convolution.grid_cells import Block, group_color
from visualizer.ui.convolution.minimap import MiniMapModel
from visualizer.ui.convolution.panels import PanelContent

EDIT_TIP = "Double-click a cell (or click it and type) to change its value."
#: Highlight colour of each path's operands (the tally's colours; see grid_cells.COLORS).
PHASE_KIND = {"standard": "window", "depthwise": "depthwise", "pointwise": "pointwise"}
OUTPUT_TIP = ("Output cells fill in as the steps run; blank cells are not computed yet. "
              "Hover a cell to preview its step everywhere; click it to go there.")


@dataclass(frozen=True)
class Scene:
    """One lane's step on screen: the explorer, the step drawn (the first one's operands
    before any step), whether a step is on screen (`lit`) and the highlight kind."""

    ex: Explorer
    step: Step
    lit: bool
    kind: str
    page: range  # the listed channels (step text), kept in view when channels are cropped
    side: str = "standard"  # "standard" or "separable" (which outputs the lane fills)


def scene(ex: Explorer, side: str = "standard") -> Scene:
    """The scene of the standard side (path standard or the race's first lane) or of
    the separable side (path separable or the race's second lane)."""
    if ex.path == "race" and side == "separable":
        step = ex.race_separable_step()
        lit = step is not None
        step = step or ex.separable_steps[0]
        page = range(step.in_channels[0], step.in_channels[-1] + 1)
    else:
        step, lit, page = ex.operand_step, ex.view_position > 0, ex.shown_channels
        side = "separable" if ex.path == "separable" else "standard"
    kind = "trace" if ex.trace is not None else PHASE_KIND[step.path]
    return Scene(ex, step, lit, kind, page, side)


# ---- what each panel holds, for the fit ----
def sections(sc: Scene, phase: str) -> tuple[list[list[Section]], list[str]]:
    """Sections and worst-case captions of the input, weights and output panels in a
    phase: "standard", "depthwise", "pointwise", or the race's "race-standard" and
    "race-separable" (whose outputs are drawn as columns: one cell per position)."""
    s = sc.ex.spec
    ho, wo, n = s.output_shape
    c, k, p = s.channels, s.kernel, s.padding
    widest = f"ch {max(c, n) - 1}"
    # the channels the step text lists (a page) stay in view when the input is cropped
    page = page_size(k)
    listed = min(s.channels_per_group, page) if phase in ("standard", "race-standard") else 1
    inp = Section(c, s.height + 2 * p, s.width + 2 * p, widest, listed, k)
    if phase.startswith("race"):  # the input and the output columns (at least twice as
        z = column_zoom(ho, wo)      # large as value cells when small) only
        return ([[inp], [Section(1, ho * z, wo * z, f"{ho}×{wo} columns")]],
                [_input_caption(sc, phase), _output_caption(sc.ex, phase)])
    if phase == "pointwise":
        inp = Section(1, c, 1, f"({ho - 1}, {wo - 1})")
    if phase == "standard":
        weights = [Section(s.channels_per_group, k, k, widest, listed)]
        outputs = [Section(n, ho, wo, widest)]
    else:
        outputs = [Section(c, ho, wo, widest), Section(n, ho, wo, widest)]
        weights = ([Section(c, k, k, widest)] if phase == "depthwise" else
                   [Section(1, c, 1, f"filter {n - 1}")])
    captions = [_input_caption(sc, phase), _weights_caption(sc.ex, phase, n - 1),
                _output_caption(sc.ex, phase)]
    return [[inp], weights, outputs], captions


def column_zoom(ho: int, wo: int) -> int:
    """The race's output columns: cells this many times as large as value cells, at least."""
    return 2 if max(ho, wo) <= 8 else 1


def phase_of(sc: Scene) -> str:
    return "standard" if sc.step.path == "standard" else sc.step.path


# ---- captions: two short lines ----
def _input_caption(sc: Scene, phase: str) -> str:
    s = sc.ex.spec
    if phase == "pointwise":
        return "Pointwise input\ndepthwise outputs here"
    pad = f" · pad {s.padding}" if s.padding else ""
    return f"Input {s.height}×{s.width}×{s.channels}\nstride {s.stride}{pad}"


def _weights_caption(ex: Explorer, phase: str, n: int) -> str:
    """Two lines about the weights panel: of filter `n` in the standard and pointwise
    phases."""
    s = ex.spec
    k = s.kernel
    if phase == "standard":
        g = n // (s.filters // s.groups)
        group = f" · group {g}" if s.groups > 1 else ""
        return f"Filter {index_in(n, s.filters)}\n{k}×{k}×{s.channels_per_group}{group}"
    if phase == "depthwise":
        return f"Depthwise {k}×{k}\nfilters 0–{s.channels - 1}" if s.channels > 1 else \
            f"Depthwise {k}×{k}\nfilter 0"
    return f"Pointwise filter {index_in(n, s.filters)}\n1×1×{s.channels}"


def _output_caption(ex: Explorer, phase: str) -> str:
    s = ex.spec
    ho, wo, n = s.output_shape
    if phase == "standard":
        what = f"groups = {s.groups}" if s.groups > 1 else "one channel per filter"
        return f"Output {ho}×{wo}×{n}\n{what}"
    if phase == "race-standard":
        return f"Output {ho}×{wo}×{n}\ncolumns: channels done"
    if phase == "race-separable":
        return f"Outputs {ho}×{wo}×({s.channels}+{n})\ncolumns: dw, then pw"
    return f"Depthwise {ho}×{wo}×{s.channels}\n→ pointwise {ho}×{wo}×{n}"


# ---- blocks ----
def _ghost(sc: Scene) -> tuple[int, int, int, int] | None:
    """The window of the next output cell of the same channel (None after the last)."""
    st, s = sc.step, sc.ex.spec
    ho, wo, _ = s.output_shape
    oy, ox = (st.out_y, st.out_x + 1) if st.out_x + 1 < wo else (st.out_y + 1, 0)
    if oy >= ho:
        return None
    return oy * s.stride - s.padding, ox * s.stride - s.padding, st.kernel, st.kernel


def _grids(arr, channels: range, focus: tuple[int, int], span: int, sf: SectionFit,
           size: tuple[int, int], pad: int = 0) -> tuple[list[tuple], tuple[int, ...]]:
    """(channel, values, row0, col0, drawn) of each shown channel, cropped around focus
    in padded coordinates, and the crop (a, b, c0, c1)."""
    h, w = size
    a, b = window(h + 2 * pad, focus[0], span, sf.rows, -pad)
    c0, c1 = window(w + 2 * pad, focus[1], span, sf.cols, -pad)
    out = []
    for ch in channels:
        ra, ca = max(a, 0), max(c0, 0)  # the part inside the tensor (maybe none of it)
        rb, cb = max(min(b, h), ra), max(min(c1, w), ca)
        out.append((ch, arr[ch, ra:rb, ca:cb], ra, ca, (a, b, c0, c1)))
    return out, (a, b, c0, c1)


def _minimap(rows: int, cols: int, crop, pad: int, strips) -> MiniMapModel | None:
    a, b, c0, c1 = crop
    model = MiniMapModel(rows, cols, (a + pad, b + pad, c0 + pad, c1 + pad), tuple(strips))
    return model if model.text() else None


def input_content(sc: Scene, pf: PanelFit, phase: str) -> PanelContent:
    ex, st = sc.ex, sc.step
    s = ex.spec
    if phase == "pointwise":
        return _pointwise_input(sc, pf.sections[0])
    if st.path == "pointwise":  # the race's separable side reads depthwise outputs now:
        # the input as its last depthwise step at this position left it
        pos = st.out_y * s.output_shape[1] + st.out_x
        last = ex.race.separable_race_index("depthwise", s.channels - 1, pos)
        sc = Scene(ex, ex.separable_steps[ex.race.separable_index(last)], False, sc.kind,
                   range(0), sc.side)
        st = sc.step
    sf = pf.sections[0]
    focus = sc.page.start if sc.page else st.in_channels[0]
    chans = range(*window(s.channels, focus, len(sc.page) or 1, sf.count))
    cg = len(st.in_channels)
    ho, wo, _ = s.output_shape
    grids, crop = _grids(ex.example.x, chans, (st.in_y, st.in_x), st.kernel, sf,
                         (s.height, s.width), s.padding)
    ghost = _ghost(sc) if sc.lit else None
    reads = set(st.in_channels) if sc.page else set(range(s.channels))
    blocks = [Block(
        title=f"ch {ch}", values=vals, row0=r0, col0=c0, rows=s.height, cols=s.width,
        drawn=drawn, channel=ch, greyed=ch not in reads, band=group_color(ch // cg),
        highlight=(st.in_y, st.in_x, st.kernel, st.kernel) if sc.lit and ch in reads else None,
        highlight_kind=sc.kind, ghost=ghost if ch in reads else None,
        origins=(-s.padding, -s.padding, s.stride, ho, wo),
        key=lambda y, x, ch=ch: ("x", (ch, y, x)),
        tooltip=f"Input channel {ch}: {s.height}×{s.width} values; grey cells are padding "
                "zeros; corner marks: where the windows start (every stride-th cell); "
                "dashed: the next window; greyed channels are not read by this step. "
                + EDIT_TIP) for ch, vals, r0, c0, drawn in grids]
    p = s.padding
    mini = _minimap(s.height + 2 * p, s.width + 2 * p, crop, p,
                    [(s.channels, chans.start, chans.stop)])
    return PanelContent(blocks, _input_caption(sc, phase), mini)


def _column(title: str, values, chans: range, lit: bool, kind: str, key=None, tip: str = "",
            band: str = "", rows: int = 0) -> Block:
    """A depth column: one cell per channel of `chans`, top to bottom."""
    return Block(title=title, values=values.reshape(-1, 1), row0=chans.start,
                 rows=rows or chans.stop, cols=1, channel=None, channels=chans,
                 highlight=(chans.start, 0, len(chans), 1) if lit else None,
                 highlight_kind=kind, key=key, tooltip=tip, band=band)


def _pointwise_input(sc: Scene, sf: SectionFit) -> PanelContent:
    st, c = sc.step, sc.ex.spec.channels
    chans = range(*window(c, sc.page.start, len(sc.page), sf.rows))
    block = _column(f"({st.out_y}, {st.out_x})", st.window[chans.start:chans.stop, 0, 0],
                    chans, sc.lit, sc.kind, band=group_color(0), rows=c,
                    tip="The pointwise step's input: the depthwise outputs of every channel "
                        "at this position (a depth column). Computed, so not editable.")
    mini = _minimap(c, 1, (chans.start, chans.stop, 0, 1), 0, [])
    return PanelContent([block], _input_caption(sc, "pointwise"), mini)


def weights_content(sc: Scene, pf: PanelFit, secs: list[Section], phase: str) -> PanelContent:
    ex, st = sc.ex, sc.step
    s = ex.spec
    k = s.kernel
    if phase == "standard":
        n, g0 = st.out_channel, st.in_channels[0]
        sf = pf.sections[0]
        rel = range(*window(len(st.in_channels), (sc.page.start if sc.page else g0) - g0,
                            len(sc.page) or 1, sf.count))
        band = group_color(g0 // len(st.in_channels))
        grids, crop = _grids(ex.example.standard_w[n], rel, (0, 0), k, sf, (k, k))
        blocks = [Block(title=f"ch {g0 + j}", values=vals, row0=r0, col0=c0, rows=k, cols=k,
                        drawn=drawn, channel=g0 + j, band=band,
                        highlight=(0, 0, k, k) if sc.lit else None, highlight_kind=sc.kind,
                        key=lambda y, x, j=j: ("standard_w", (n, j, y, x)),
                        tooltip=f"Filter {n}: {k}×{k}×{s.channels_per_group} weights, one "
                                f"{k}×{k} slice per input channel it reads. " + EDIT_TIP)
                  for j, vals, r0, c0, drawn in grids]
        mini = _minimap(k, k, crop, 0, [(len(st.in_channels), rel.start, rel.stop)])
        return PanelContent(blocks, _weights_caption(ex, "standard", n), mini)
    blocks, strips = [], []
    if phase == "depthwise":
        sf = pf.sections[0]
        dch = st.out_channel if st.path == "depthwise" else sc.page.start
        chans = range(*window(s.channels, dch, 1, sf.count))
        strips.append((s.channels, chans.start, chans.stop))
        grids, crop = _grids(ex.example.depthwise_w[:, 0], chans, (0, 0), k, sf, (k, k))
        blocks += [Block(title=f"ch {c}", values=vals, row0=r0, col0=c0, rows=k, cols=k,
                         drawn=drawn, channel=c, band=group_color(c),
                         greyed=st.path == "depthwise" and c != st.out_channel,
                         highlight=(0, 0, k, k) if sc.lit and st.path == "depthwise"
                         and c == st.out_channel else None, highlight_kind=sc.kind,
                         key=lambda y, x, c=c: ("depthwise_w", (c, 0, y, x)),
                         tooltip=f"Depthwise filter {c}: one {k}×{k} filter per input channel; "
                                 "it reads only its own channel. " + EDIT_TIP)
                   for c, vals, r0, c0, drawn in grids]
    if phase == "pointwise":
        sf = pf.sections[-1]
        n = st.out_channel if st.path == "pointwise" else 0
        chans = range(*window(s.channels, sc.page.start, len(sc.page), sf.rows))
        col = _column(f"filter {n}", ex.example.pointwise_w[n, chans.start:chans.stop, 0, 0],
                      chans, sc.lit and st.path == "pointwise", sc.kind, band=group_color(0),
                      key=lambda y, x, n=n: ("pointwise_w", (n, y, 0, 0)), rows=s.channels,
                      tip=f"Pointwise filter {n}: 1×1×{s.channels}, one weight per input "
                          "channel, beside the depth column it multiplies. " + EDIT_TIP)
        col.newline = bool(blocks)
        blocks.append(col)
        if len(chans) < s.channels:
            strips.append((s.channels, chans.start, chans.stop))
    caption = _weights_caption(ex, phase, st.out_channel)
    mini = MiniMapModel(1, 1, (0, 1, 0, 1), tuple(strips))
    return PanelContent(blocks, caption, mini if mini.text() else None)
