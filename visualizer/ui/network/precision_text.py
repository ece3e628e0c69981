"""The Float vs int8 page's sentences, written from a comparison result
(net/analysis/precision_load.compare_source): the runs, whole-graph and per-type
int8/float, the float islands tried and kept, and what precision auto picks here."""
from __future__ import annotations

from visualizer.net.analysis.precision_compare import type_ratios
from visualizer.ui.common.style import TYPE_COLORS

TYPES = ("conv", "depthwise", "pointwise", "fc")


def island_text(r: dict) -> str:
    """The float islands a comparison tried, those faster than their int8 layer, the plain
    re-timing that decided (when there was one) and those kept; "" when none was tried."""
    costs = r.get("island_costs") or {}
    if not costs:
        return ""
    choice = r.get("choice")
    kept = list(choice.islands) if choice is not None else []
    faster = [n for n, c in costs.items() if c["island"] < c["int8"]]
    text = (f"Exact float islands tried on {len(costs)} conv/depthwise layers; faster than "
            f"int8 (with their layout conversions): {', '.join(faster) or 'none'}")
    again = choice.whole_graph_ms if choice is not None else {}
    if again and again != {k: v for k, v in r["whole_graph_ms"].items() if k in again}:
        names = {"float": "float", "int8": "int8", "int8 islands": "with islands"}
        text += " — timed again, plain: " + ", ".join(
            f"{names.get(k, k)} {v:.2f} ms" for k, v in again.items())
    return text + (f"; kept: <b>{', '.join(kept)}</b>" if kept else "; none kept")


def summary_html(r: dict) -> str:
    """The page's summary (rich text, one sentence a line)."""
    w = r["whole_graph_ms"]
    ratio = w["int8"] / w["float"] if w.get("float") else float("nan")
    by_type = " · ".join(f'<span style="color:{TYPE_COLORS[t]}">■</span>&nbsp;{t} '
                         f"<b>{v:.2f}</b>" for t, v in type_ratios(r, TYPES).items())
    over = {p: sum(l["ms"].get(p, 0.0) for l in r["layers"] if l["type"] == "overhead")
            for p in ("float", "int8")}
    lines = [f"<b>{r['model']}</b>, {r['runs']} interleaved runs each, threads "
             f"{r['threads'] or 'default'}, trimmed means; int8 in "
             f"{r.get('formats', {}).get('int8', '') or 'the checkpoint’s own formats'}",
             f"Whole graph: float <b>{w['float']:.2f} ms</b>, int8 <b>{w['int8']:.2f} "
             f"ms</b>, int8/float <b>{ratio:.2f}</b> · by type: {by_type}",
             f"The bars of each precision add up to its whole graph; the last row is the "
             f"time outside every kernel (float {over['float']:.2f} ms, int8 "
             f"{over['int8']:.2f} ms): thread hand-offs, memory planning, the profiler's "
             f"bookkeeping"]
    islands = island_text(r)
    if islands:
        lines.append(islands)
    choice = r.get("choice")
    if choice is not None:
        kept = "" if r.get("remembered") else \
            f" (not remembered: {r.get('not_remembered') or 'not measured'})"
        lines.append(f"<b>auto</b> here: {choice.describe()}{kept}")
    return "<br>".join(lines)
