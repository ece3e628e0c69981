"""`cost`: multiplication counts of one layer, standard vs depthwise-separable."""
from __future__ import annotations

import argparse

from visualizer.commands._common import add_layer_arguments, fail, print_json
from visualizer.conv.costs import (conv_costs, depthwise_formula, pointwise_formula,
                                   standard_formula)
from visualizer.conv.layer import LayerError, LayerSpec

NAME = "cost"


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = LayerSpec()
    p = sub.add_parser(NAME, help="multiplications of one layer: standard vs separable",
                       description="Multiplication counts of one convolution layer. "
                       "One multiplication per weight×input product (padding zeros included).")
    add_layer_arguments(p, d)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    try:
        spec = LayerSpec(height=args.height, width=args.width, channels=args.channels,
                         kernel=args.kernel, filters=args.filters, stride=args.stride,
                         padding=args.padding)
    except LayerError as e:
        return fail(str(e))
    c = conv_costs(spec)
    if args.json:
        print_json(c.as_dict())
        return 0
    ho, wo, n = c.output
    print(f"input {spec.height}×{spec.width}×{spec.channels}, {n} filters of "
          f"{spec.kernel}×{spec.kernel}×{spec.channels}, stride {spec.stride}, "
          f"padding {spec.padding} -> output {ho}×{wo}×{n}")
    print(f"standard   {standard_formula(spec)}")
    print(f"depthwise  {depthwise_formula(spec)}")
    print(f"pointwise  {pointwise_formula(spec)}")
    print(f"separable  {c.depthwise:,} + {c.pointwise:,} = {c.separable:,}")
    print(f"reduction  {c.reduction_percent:.2f}% fewer multiplications "
          f"(separable/standard = 1/N + 1/k² = 1/{n} + 1/{spec.kernel**2} = {c.ratio:.4f})")
    return 0
