"""The output panel's blocks: every output channel the lane fills (standard: N; the
separable side: C_in depthwise outputs, then N pointwise outputs), whole when they fit."""
from __future__ import annotations

import numpy as np

from visualizer.conv.fit import PanelFit, Section, window
from visualizer.ui.convolution.blocks import (OUTPUT_TIP, Scene, _minimap, _output_caption,
                                              column_zoom)
from visualizer.ui.convolution.grid_cells import Block, group_color
from visualizer.ui.convolution.panels import PanelContent

#: The tally's colours: standard, depthwise, pointwise.
STANDARD_BAR, DEPTHWISE_BAR, POINTWISE_BAR = "#4670c8", "#e68c1e", "#28a05a"


def output_content(sc: Scene, pf: PanelFit, secs: list[Section], phase: str) -> PanelContent:
    ex, st = sc.ex, sc.step
    s = ex.spec
    ho, wo, n = s.output_shape
    oy, ox = st.out_y, st.out_x
    target = "trace" if ex.trace is not None else "target"
    if phase.startswith("race"):
        return _race_columns(sc, pf, phase, target)
    if phase == "standard":
        sf = pf.sections[0]
        per_group = n // s.groups
        chans = range(*window(n, st.out_channel, 1, sf.count))
        blocks, crop = _blocks(ex.filled_view("standard"), chans, sf, (oy, ox), (ho, wo),
                               "standard", lambda c: group_color(c // per_group),
                               (st.out_channel,) if sc.lit else (), target)
        mini = _minimap(ho, wo, crop, 0, [(n, chans.start, chans.stop)])
        return PanelContent(blocks, _output_caption(ex, "standard"), mini)
    dw_step = st.path == "depthwise"
    sf_dw, sf_pw = pf.sections
    dch = st.out_channel if dw_step else sc.page.start
    dchans = range(*window(s.channels, dch, 1, sf_dw.count))
    lit_dw = ((st.out_channel,) if dw_step else tuple(dchans)) if sc.lit else ()
    dw, crop = _blocks(ex.filled_view("depthwise"), dchans, sf_dw, (oy, ox), (ho, wo),
                       "depthwise", group_color, lit_dw,
                       target if dw_step or ex.trace is not None else "pointwise",
                       " Depthwise output feeds pointwise.")
    pch = 0 if dw_step else st.out_channel
    pchans = range(*window(n, pch, 1, sf_pw.count))
    pw, _ = _blocks(ex.filled_view("pointwise"), pchans, sf_pw, (oy, ox), (ho, wo),
                    "pointwise", lambda c: group_color(0),
                    (pch,) if sc.lit and not dw_step else (), target)
    if pw:
        pw[0].newline = True
    mini = _minimap(ho, wo, crop, 0, [(s.channels, dchans.start, dchans.stop),
                                      (n, pchans.start, pchans.stop)])
    return PanelContent(dw + pw, _output_caption(ex, phase), mini)


def _blocks(filled, chans: range, sf, focus: tuple[int, int], size: tuple[int, int],
            role: str, band, lit: tuple[int, ...], kind: str, tip: str = ""):
    ho, wo = size
    r0, r1 = window(ho, focus[0], 1, sf.rows)
    c0, c1 = window(wo, focus[1], 1, sf.cols)
    blocks = [Block(title=f"ch {c}", values=filled[c, r0:r1, c0:c1], row0=r0, col0=c0,
                    rows=ho, cols=wo, channel=c, role=role, band=band(c),
                    highlight=(focus[0], focus[1], 1, 1) if c in lit else None,
                    highlight_kind=kind, tooltip=OUTPUT_TIP + tip)
              for c in chans]
    return blocks, (r0, r1, c0, c1)


def _race_columns(sc: Scene, pf: PanelFit, phase: str, kind: str) -> PanelContent:
    """The race's outputs as columns: one cell per output position, a bar of how many of
    its channels are computed (standard: N; separable: C_in depthwise, then N pointwise)."""
    ex = sc.ex
    s, f = ex.spec, ex.race_frame()
    ho, wo, n = s.output_shape
    c = s.channels
    pos = np.arange(ho * wo)
    if phase == "race-standard":
        per, done, role = n, f.standard_steps, "standard"
        bars = ((n, STANDARD_BAR),)
        tip = f"each position's {n} output channels, computed one filter at a time"
    else:
        per, done, role = c + n, f.separable_steps, "pointwise"
        bars = ((c, DEPTHWISE_BAR), (n, POINTWISE_BAR))
        tip = (f"each position's {c} depthwise outputs (orange), then its {n} pointwise "
               "outputs (green)")
    values = np.clip(done - pos * per, 0, per).astype(float).reshape(ho, wo)
    at = min(done, ho * wo * per - 1) // per if sc.lit else None
    sf, z = pf.sections[0], column_zoom(ho, wo)  # a large output: the positions around
    focus = divmod(at if at is not None else 0, wo)  # the column being filled
    r0, r1 = window(ho, focus[0], 1, max(1, sf.rows // z))
    c0, c1 = window(wo, focus[1], 1, max(1, sf.cols // z))
    block = Block(title=f"{ho}×{wo} columns", values=values[r0:r1, c0:c1], row0=r0, col0=c0,
                  rows=ho, cols=wo, channel=n - 1, role=role, bars=bars,
                  highlight=(at // wo, at % wo, 1, 1) if at is not None else None,
                  highlight_kind=kind,
                  tooltip=f"Output columns: one cell per position, its bar {tip}; a column "
                          "fills before the next one starts. Hover a cell to preview the "
                          "frame that completes it.")
    return PanelContent([block], _output_caption(ex, phase),
                        _minimap(ho, wo, (r0, r1, c0, c1), 0, []), zoom=0)
