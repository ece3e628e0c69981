"""The one line on why int8 wins or loses against float here, written from a float vs
int8 comparison's own numbers (precision_compare.compare_precisions): which layer types
gained or lost, by how much and with what share of the time, and what in onnxruntime's
kernels on this CPU explains each (graph/int8_kernels.py has the kernel facts)."""
from __future__ import annotations

from collections.abc import Collection

from visualizer.net.analysis.cpu_features import ARM_DOT, X86_DOT

#: layer types in the order they are named, with the words used for them
TYPE_WORDS = {"conv": "the first conv", "depthwise": "depthwise", "pointwise": "pointwise",
              "fc": "fc"}


def type_sums(result: dict, key: str,
              types: Collection[str] = tuple(TYPE_WORDS)) -> dict[str, float]:
    """Summed per-layer medians of each layer type in `types` under `key` ("float",
    "int8", …); types without a figure under `key` are left out."""
    out: dict[str, float] = {}
    for l in result["layers"]:
        if l["type"] in types and key in l["ms"]:
            out[l["type"]] = out.get(l["type"], 0.0) + l["ms"][key]
    return out


def _layout_ms(result: dict, key: str) -> float:
    return sum(l["ms"].get(key, 0.0) for l in result["layers"] if l["type"] == "layout")


def _reason(t: str, gains: bool, features: tuple[str, ...]) -> str:
    dot = [f for f in features if f in X86_DOT + ARM_DOT]
    if t in ("pointwise", "fc"):
        if gains:
            return (f"{'/'.join(dot)}: 4 int8 multiply-adds per instruction" if dot
                    else "a quarter of the bytes to move")
        return ("no int8 dot-product instruction: 2-3 instructions per int8 multiply-add "
                "against one float FMA" if not dot else
                "requantizing costs more than the integer arithmetic saves")
    if t == "depthwise":
        if gains:
            return "a quarter of the bytes to move"
        return ("onnxruntime's int8 depthwise kernel multiplies in 16 bits and requantizes "
                "in a second pass unless the weights are symmetric (zero point 0)")
    if t == "conv":
        return ("27 multiply-adds per output: too few to repay requantizing" if not gains
                else "27 multiply-adds per output in int8")
    return ""


def _symmetric_note(result: dict) -> str:
    """e.g. "dw11 (symmetric weights) 0.85×": depthwise layers on the fused kernel."""
    fmts = result.get("weight_formats", {}).get("int8", {})
    rows = [l for l in result["layers"] if l["type"] == "depthwise"
            and fmts.get(l["name"]) == "int8 symmetric" and l["ms"].get("float")]
    return ", ".join(f"{l['name']} {l['ms'].get('int8', 0.0) / l['ms']['float']:.2f}×"
                     for l in rows)


def why_line(result: dict) -> str:
    """Why int8 is faster or slower than float in `result` (float and int8 keys), from its
    whole-graph medians, per-type sums and (for the depthwise explanation) the int8
    graph's per-layer weight formats."""
    w = result["whole_graph_ms"]
    f, q = type_sums(result, "float"), type_sums(result, "int8")
    if not w.get("float") or not w.get("int8") or not f:
        return "not enough measurements to say why"
    total = sum(f.values())
    ratio = w["int8"] / w["float"]
    features = tuple(result.get("cpu_features", ()))
    head = (f"int8 takes {ratio:.2f}× float's time here" +
            (" (within the noise)" if abs(ratio - 1) < 0.03 else ""))
    parts = []
    # the types that moved the whole most first
    for t in sorted(f, key=lambda t: -abs(q.get(t, 0.0) - f[t])):
        if t not in q or f[t] <= 0:
            continue
        r = q[t] / f[t]
        share = f"{100 * f[t] / total:.0f} % of float's time"
        reason = _reason(t, r < 1, features)
        if t == "depthwise" and _symmetric_note(result):
            reason += f"; symmetric: {_symmetric_note(result)}"
        parts.append(f"{TYPE_WORDS[t]} {r:.2f}× ({share}{': ' + reason if reason else ''})")
    extra = _layout_ms(result, "int8") - _layout_ms(result, "float")
    if extra > 0.005:
        parts.append(f"layout +{extra:.2f} ms (int8 runs channels-last)")
    return f"{head}: " + "; ".join(parts)
