"""The roofline part of `bench`: bytes and intensity per layer, and this machine's roofs."""
from __future__ import annotations

import argparse

from visualizer.commands._common import table


def add_arguments(p: argparse.ArgumentParser) -> None:
    roofs = p.add_mutually_exclusive_group()
    roofs.add_argument("--recalibrate", action="store_true",
                   help="measure this machine's roofs again (they are measured once, in "
                   "about 2-3 s, and cached per machine, thread count and onnxruntime "
                   "version)")
    roofs.add_argument("--no-roofs", action="store_true",
                   help="leave out the roofs (and their first-time calibration)")
    p.add_argument("--calibration-size", default="default", choices=("default", "tiny"),
                   help=argparse.SUPPRESS)  # tests: a calibration of milliseconds


def add_roofline(result: dict, layers, args: argparse.Namespace, line=None) -> None:
    """Add bytes and intensity to each paper layer row of `result` (None for the rows that
    are no paper layer) and, unless --no-roofs, the `roofs` object."""
    from visualizer.net.analysis.roofline import layer_traffic
    from visualizer.net.model.rates import gmacs_per_s

    dtype = "int8" if result.get("precision") == "int8" else "float32"  # as it ran
    by_name = {l.name: l for l in layers}
    for row in result["layers"]:
        layer = by_name.get(row["name"])
        traffic = layer_traffic(layer, dtype) if layer is not None else None
        row["bytes"] = traffic.bytes if traffic else None
        row["intensity"] = traffic.intensity if traffic else None
        row["gmacs_per_s"] = gmacs_per_s(row["macs"], row["ms"])
    if args.no_roofs:
        return
    from visualizer.net.analysis import roofs

    size = roofs.TINY_SIZE if args.calibration_size == "tiny" else roofs.DEFAULT_SIZE
    cached = None if args.recalibrate else roofs.cached_roofs(args.threads, size)
    if cached is None and line is not None:
        line.show("bench: measuring this machine's roofs (once; about 2-3 s)…")
    measured = cached or roofs.load_or_measure(args.threads, refresh=True, size=size)
    result["roofs"] = measured.summary()


def print_roofline(r: dict) -> None:
    """Per layer: bytes, intensity, achieved GMAC/s and its share of the attainable roof."""
    from visualizer.net.analysis.roofline import attainable
    from visualizer.net.model.rates import rate_text

    roofs = r.get("roofs")
    rows = []
    for l in r["layers"]:
        if not l.get("bytes") or not l["macs"]:
            continue
        row = [l["name"], l["type"], f"{l['bytes'] / 1024:,.0f}", f"{l['intensity']:.2f}",
               rate_text(l["gmacs_per_s"])]
        if roofs and l["gmacs_per_s"] is None:
            row += ["—", "—"]
        elif roofs:
            for bw in (roofs["bandwidth_gbs"], roofs["cache_bandwidth_gbs"]):
                roof = attainable(l["intensity"], roofs["peak_gmacs"], bw)
                row.append(f"{100 * l['gmacs_per_s'] / roof:.0f}")
        rows.append(row)
    headers = ["layer", "type", "KiB moved", "MAC/byte", "GMAC/s"]
    if roofs:
        headers += ["% of DRAM roof", "% of cache roof"]
    print(table(headers, rows, align="llrrrrr"))
    if roofs:
        print()
        print(f"roofs (onnxruntime, threads {roofs['threads'] or 'default'}): "
              f"compute {roofs['peak_gmacs']:.1f} GMAC/s, memory {roofs['bandwidth_gbs']:.1f} "
              f"GB/s, in cache {roofs['cache_bandwidth_gbs']:.1f} GB/s; CPU features: "
              f"{', '.join(roofs['cpu_features']) or 'none detected'}")
