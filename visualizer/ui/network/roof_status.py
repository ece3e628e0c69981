"""The roofline page's lines about the roofs themselves: what was measured, with its
spread and the machine's load, and why roofs are not trusted or were measured again."""
from __future__ import annotations

from visualizer.net.analysis.roofs import AGREE, Roofs


def _pm(roofs: Roofs, name: str) -> str:
    spread = roofs.spread.get(name)
    if spread is None:
        return ""
    half = 100 * spread / 2
    return f" ±{half:.1f} %" if half < 1 else f" ±{half:.0f} %"


def roofs_status(r: Roofs, dtype: str = "float32", signed_weights: bool = False) -> str:
    """One short line: the roofs on show (the compute roof of `dtype`) with their spread,
    the passes, and other programs' CPU use meanwhile."""
    if dtype == "float32":
        compute = f"compute (float32) {r.peak_gmacs:.0f} GMAC/s{_pm(r, 'compute')}"
    else:
        name = "int8_s8_compute" if signed_weights else "int8_compute"
        compute = (f"compute (int8, {'int8' if signed_weights else 'uint8'} weights) "
                   f"{r.peak(dtype, signed_weights):.0f} GMAC/s{_pm(r, name)}")
    agreed = f"the last two agreed within {AGREE:.0%}" if r.agreed else \
        f"no two agreed within {AGREE:.0%}"
    load = "" if r.others_cpu_percent is None else \
        f"; other programs used {r.others_cpu_percent:.0f} % CPU meanwhile"
    text = (f"Roofs, threads {r.threads or 'default'}: {compute}, memory "
            f"{r.bandwidth_gbs:.0f} GB/s{_pm(r, 'memory')}, in cache "
            f"{r.cache_bandwidth_gbs:.0f} GB/s{_pm(r, 'cache')}; {r.passes} passes, "
            f"{agreed}{load}.")
    return f"{text} {r.note}" if r.note else text


def roofs_details(r: Roofs) -> str:
    """Every roof, where and how it was measured (the status line's tooltip)."""
    return (f"Measured with onnxruntime {r.onnxruntime} on {r.cpu or 'this CPU'} "
            f"({', '.join(r.cpu_features) or 'no notable features'}), threads "
            f"{r.threads or 'default'}, in {r.seconds:.1f} s:\n"
            f"compute, float32 1×1 Conv: {r.peak_gmacs:.1f} GMAC/s{_pm(r, 'compute')}\n"
            f"compute, int8 QLinearConv, uint8 weights: {r.int8_peak_gmacs:.1f} GMAC/s"
            f"{_pm(r, 'int8_compute')}\n"
            f"compute, int8 QLinearConv, int8 weights: {r.int8_s8_peak_gmacs:.1f} GMAC/s"
            f"{_pm(r, 'int8_s8_compute')}\n"
            f"main memory (128 MB Relu stream): {r.bandwidth_gbs:.1f} GB/s{_pm(r, 'memory')}\n"
            f"in cache (1 MB tensors): {r.cache_bandwidth_gbs:.1f} GB/s{_pm(r, 'cache')}\n"
            f"{r.passes} passes ({r.busy_passes} discarded: other programs kept the cores "
            f"busy); ± is half the difference of the passes the roofs rest on.")


def untrusted_note(r: Roofs) -> str:
    return (f"Roofs not trusted, not kept: {r.problem()}. Measure again when the computer "
            "is idle.")


def redo_note(over: list[str], again: bool) -> str:
    """Layers ran faster than the roofs allow: `again` False while they are being
    measured once more, True when they still do after that."""
    names = f"{', '.join(over[:4])}{'…' if len(over) > 4 else ''}"
    head = f"{len(over)} layer(s) ({names}) ran faster than the roofs allow"
    if not again:
        return f"{head}: the roofs are refused and measured again."
    return (f"{head}, also after measuring the roofs again: the roof benchmarks do not "
            "reach what these kernels do here (their data may fit a smaller, faster "
            "cache); read those percentages as upper bounds.")
