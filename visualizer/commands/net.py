"""`net`: MobileNet V1 layer by layer (Table 1) with mult-adds, parameters and Table 2 shares."""
from __future__ import annotations

import argparse

from visualizer.commands._common import alpha, classes, fail, print_json, resolution, table
from visualizer.net.model.mobilenet import NetLayer, NetSpec, SpecError, summary_by_type

NAME = "net"


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = NetSpec()
    p = sub.add_parser(NAME, help="MobileNet V1 per layer: shapes, mult-adds, parameters",
                       description="MobileNet V1 (Howard et al. 2017, Table 1) layer by layer, "
                       "with mult-adds and parameters per layer, totals and the share of "
                       "each layer type (Table 2).")
    p.add_argument("--alpha", type=alpha, default=d.alpha,
                   help="width multiplier α in (0, 1] (default %(default)s)")
    p.add_argument("--resolution", type=resolution, default=d.resolution,
                   help="input size, a multiple of 32 (default %(default)s)")
    p.add_argument("--classes", type=classes, default=d.classes,
                   help="classifier outputs (default %(default)s, as in the paper)")
    p.add_argument("--standard-conv", action="store_true",
                   help="replace each depthwise-separable pair by a full 3×3 conv (Table 4)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _shape(s: tuple[int, int, int]) -> str:
    return "×".join(str(v) for v in s)


def _layer_dict(layer: NetLayer) -> dict:
    return {"name": layer.name, "type": layer.type, "kernel": layer.kernel,
            "stride": layer.stride, "input_shape": list(layer.input_shape),
            "output_shape": list(layer.output_shape), "macs": layer.macs,
            "params": layer.params}


def run(args: argparse.Namespace) -> int:
    try:
        spec = NetSpec(alpha=args.alpha, resolution=args.resolution, classes=args.classes,
                       standard_conv=args.standard_conv)
    except SpecError as e:
        return fail(str(e))
    layers = spec.layers
    total_macs, total_params = spec.total_macs, spec.total_params
    summary = summary_by_type(layers)
    if args.json:
        print_json({
            "alpha": spec.alpha, "resolution": spec.resolution, "classes": spec.classes,
            "standard_conv": spec.standard_conv,
            "total_macs": total_macs, "total_params": total_params,
            "layers": [_layer_dict(l) for l in layers],
            "summary": [{"type": s.type, "count": s.count, "macs": s.macs, "params": s.params,
                         "macs_percent": round(s.macs_percent, 4),
                         "params_percent": round(s.params_percent, 4)} for s in summary],
        })
        return 0
    kind = "Conv MobileNet (standard 3×3 convs)" if spec.standard_conv else "MobileNet V1"
    print(f"{kind}, α = {spec.alpha:g}, resolution {spec.resolution}, {spec.classes} classes")
    rows = [[l.name, l.type, f"{l.kernel}×{l.kernel}" if l.type != "fc" else "-",
             f"s{l.stride}", f"{_shape(l.input_shape)} → {_shape(l.output_shape)}",
             f"{l.macs:,}", f"{l.params:,}"] for l in layers]
    rows.append(["total", "", "", "", "", f"{total_macs:,}", f"{total_params:,}"])
    print(table(["layer", "type", "kernel", "stride", "input → output", "mult-adds",
                 "params"], rows, align="lllllrr"))
    print(f"\n{total_macs / 1e6:.2f} M mult-adds, {total_params / 1e6:.2f} M parameters")
    print()
    print(table(["type", "layers", "mult-adds", "% mult-adds", "params", "% params"],
                [[s.type, s.count, f"{s.macs:,}", f"{s.macs_percent:.2f}", f"{s.params:,}",
                  f"{s.params_percent:.2f}"] for s in summary], align="lrrrrr"))
    return 0
