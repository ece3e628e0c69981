"""The roofline part of `bench`: bytes and intensity per layer, where each layer sits
against this machine's roofs (for the precision it ran in), and the roofs themselves with
their spread, the machine's load while they were measured, and whether they are trusted."""
from __future__ import annotations

import argparse

from visualizer.commands._common import table


def add_arguments(p: argparse.ArgumentParser) -> None:
    roofs = p.add_mutually_exclusive_group()
    roofs.add_argument("--recalibrate", action="store_true",
                   help="measure this machine's roofs again (they are measured once, in "
                   "about 1-3 s, and cached per machine, thread count and onnxruntime "
                   "version, unless other programs kept the cores busy meanwhile)")
    roofs.add_argument("--no-roofs", action="store_true",
                   help="leave out the roofs (and their first-time calibration)")
    p.add_argument("--calibration-size", default="default", choices=("default", "tiny"),
                   help=argparse.SUPPRESS)  # tests: a calibration of milliseconds


def _points(result: dict):
    from visualizer.net.analysis.roofline import RooflinePoint

    return [RooflinePoint(l["name"], l["type"], l["macs"], l["bytes"], l["intensity"],
                          l["gmacs_per_s"]) for l in result["layers"] if l.get("bytes")
            and l["macs"]]


def add_roofline(result: dict, model, args: argparse.Namespace, line) -> None:
    """Add bytes and intensity to each paper layer row of `result` (None for the rows that
    are no paper layer) and, unless --no-roofs, the `roofs` object and where each layer
    sits against them. Roofs a layer runs above are refused and measured again, once."""
    from visualizer.net.analysis.roofline import layer_traffic
    from visualizer.net.model.rates import gmacs_per_s

    dtype = "int8" if result.get("precision") == "int8" else "float32"  # as it ran
    by_name = {l.name: l for l in model.spec.layers}
    for row in result["layers"]:
        layer = by_name.get(row["name"])
        traffic = layer_traffic(layer, dtype) if layer is not None else None
        row["bytes"] = traffic.bytes if traffic else None
        row["intensity"] = traffic.intensity if traffic else None
        row["gmacs_per_s"] = gmacs_per_s(row["macs"], row["ms"])
    if args.no_roofs:
        return
    from visualizer.net.analysis import roofs
    from visualizer.net.analysis.roofline_caption import above, placements

    signed = dtype == "int8" and model.signed_weights
    size = roofs.TINY_SIZE if args.calibration_size == "tiny" else roofs.DEFAULT_SIZE
    cached = None if args.recalibrate else roofs.cached_roofs(args.threads, size)
    if cached is None:
        line.show("bench: measuring this machine's roofs (about 1-3 s)…")
    measured = cached or roofs.load_or_measure(args.threads, refresh=True, size=size)

    def values(r):
        return r.peak(dtype, signed), r.bandwidth_gbs, r.cache_bandwidth_gbs

    over = above(_points(result), *values(measured))
    redone = bool(over)
    if over:  # refused: a layer ran faster than they allow
        line.show(f"bench: {len(over)} layer(s) ran above the roofs: measuring them again…")
        roofs.forget_roofs(args.threads, size)
        measured = roofs.load_or_measure(args.threads, refresh=True, size=size)
        over = above(_points(result), *values(measured))
    key = "compute" if dtype == "float32" else "int8_s8_compute" if signed else "int8_compute"
    result["roofs"] = {**measured.summary(), "precision": dtype,
                       "compute_gmacs": values(measured)[0], "compute_roof": key,
                       "compute_kernel": "float32 Conv" if dtype == "float32" else
                       f"int8 QLinearConv, {'int8' if signed else 'uint8'} weights",
                       "redone": redone, "above": over}
    where = {p.name: p for p in placements(_points(result), *values(measured))}
    for row in result["layers"]:
        p = where.get(row["name"])
        row["roof_position"] = p.where if p else None
        row["percent_of_roof"] = 100 * p.fraction if p else None


def print_roofline(r: dict) -> None:
    """Per layer: bytes, intensity, achieved GMAC/s, its share of the attainable roofs and
    where it sits; the roofs with their spread; the caption's sentences."""
    from visualizer.net.analysis.roofline import attainable
    from visualizer.net.analysis.roofline_caption import WHERE, caption
    from visualizer.net.model.rates import rate_text

    roofs = r.get("roofs")
    rows = []
    for l in r["layers"]:
        if not l.get("bytes") or not l["macs"]:
            continue
        row = [l["name"], l["type"], f"{l['bytes'] / 1024:,.0f}", f"{l['intensity']:.2f}",
               rate_text(l["gmacs_per_s"])]
        if roofs and l["gmacs_per_s"] is None:
            row += ["—", "—", "—"]
        elif roofs:
            for bw in (roofs["bandwidth_gbs"], roofs["cache_bandwidth_gbs"]):
                roof = attainable(l["intensity"], roofs["compute_gmacs"], bw)
                row.append(f"{100 * l['gmacs_per_s'] / roof:.0f}")
            row.append(WHERE[l["roof_position"]].removeprefix("near the "))
        rows.append(row)
    headers = ["layer", "type", "KiB moved", "MAC/byte", "GMAC/s"]
    if roofs:
        headers += ["% of DRAM roof", "% of cache roof", "where"]
    print(table(headers, rows, align="llrrrrrl"))
    if not roofs:
        return
    pm = {k: f" ±{100 * v / 2:.1f}%" for k, v in roofs["spread"].items()}
    print()
    print(f"roofs (onnxruntime, threads {roofs['threads'] or 'default'}; {roofs['passes']} "
          f"passes{', agreed' if roofs['agreed'] else ', never agreed'}): compute "
          f"{roofs['compute_gmacs']:.1f} GMAC/s{pm.get(roofs['compute_roof'], '')} "
          f"({roofs['compute_kernel']}), "
          f"memory {roofs['bandwidth_gbs']:.1f} GB/s{pm.get('memory', '')}, in cache "
          f"{roofs['cache_bandwidth_gbs']:.1f} GB/s{pm.get('cache', '')}; other programs "
          f"used {roofs['others_cpu_percent'] or 0:.0f} % CPU meanwhile; CPU features: "
          f"{', '.join(roofs['cpu_features']) or 'none detected'}")
    if not roofs["trusted"]:
        print(f"these roofs are not trusted and were not cached: {roofs['problem']}")
    if roofs["note"]:
        print(roofs["note"])
    if roofs["redone"]:
        print("some layers ran above the roofs first measured: they were refused and "
              "measured again" + (f"; still above: {', '.join(roofs['above'])}"
                                  if roofs["above"] else ""))
    print()
    print(caption(_points(r), roofs["compute_gmacs"], roofs["bandwidth_gbs"],
                  roofs["cache_bandwidth_gbs"], dtype=roofs["precision"]))
