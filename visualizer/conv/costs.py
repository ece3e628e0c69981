"""Closed-form multiplication counts for standard, grouped and depthwise-separable layers.

Convention: one multiplication per weight×input product the formula counts. Products with
padding zeros are counted, as frameworks compute them; biases and additions are not.
"""
from __future__ import annotations

from dataclasses import dataclass

from visualizer.conv.layer import LayerSpec


@dataclass(frozen=True)
class ConvCosts:
    output: tuple[int, int, int]  # (H_out, W_out, N)
    standard: int  # k·k·C_in·N·H_out·W_out
    grouped: int  # k·k·(C_in/groups)·N·H_out·W_out (equals standard when groups = 1)
    depthwise: int  # k·k·C_in·H_out·W_out
    pointwise: int  # C_in·N·H_out·W_out
    kernel: int
    filters: int

    @property
    def separable(self) -> int:
        return self.depthwise + self.pointwise

    @property
    def reduction_percent(self) -> float:
        """How many fewer multiplications the separable path needs, in % of standard."""
        return 100.0 * (1.0 - self.separable / self.standard)

    @property
    def ratio(self) -> float:
        """separable / standard as measured."""
        return self.separable / self.standard

    @property
    def ratio_formula(self) -> float:
        """The paper's 1/N + 1/k², equal to `ratio` for any layer."""
        return 1.0 / self.filters + 1.0 / self.kernel**2

    def as_dict(self) -> dict:
        return {
            "output": list(self.output),
            "standard": self.standard,
            "depthwise": self.depthwise,
            "pointwise": self.pointwise,
            "separable": self.separable,
            "reduction_percent": round(self.reduction_percent, 4),
        }


def conv_costs(spec: LayerSpec) -> ConvCosts:
    ho, wo, n = spec.output_shape
    k, c = spec.kernel, spec.channels
    cells = ho * wo
    return ConvCosts(
        output=(ho, wo, n),
        standard=k * k * c * n * cells,
        grouped=k * k * spec.channels_per_group * n * cells,
        depthwise=k * k * c * cells,
        pointwise=c * n * cells,
        kernel=k,
        filters=n,
    )


def standard_formula(spec: LayerSpec) -> str:
    """The standard count with the current numbers substituted, e.g. '3 × 3 × 3 × 16 × 3 × 3 = 3,888'."""
    ho, wo, n = spec.output_shape
    k = spec.kernel
    return f"{k} × {k} × {spec.channels} × {n} × {ho} × {wo} = {conv_costs(spec).standard:,}"


def depthwise_formula(spec: LayerSpec) -> str:
    ho, wo, _ = spec.output_shape
    k = spec.kernel
    return f"{k} × {k} × {spec.channels} × {ho} × {wo} = {conv_costs(spec).depthwise:,}"


def pointwise_formula(spec: LayerSpec) -> str:
    ho, wo, n = spec.output_shape
    return f"{spec.channels} × {n} × {ho} × {wo} = {conv_costs(spec).pointwise:,}"


def grouped_formula(spec: LayerSpec) -> str:
    ho, wo, n = spec.output_shape
    k = spec.kernel
    return (f"{k} × {k} × ({spec.channels}/{spec.groups}) × {n} × {ho} × {wo} = "
            f"{conv_costs(spec).grouped:,}")


def factors(spec: LayerSpec, which: str) -> list[tuple[str, str]]:
    """A count's factors as (symbol, value) pairs (see `labelled_formula`)."""
    ho, wo, n = spec.output_shape
    k, c = str(spec.kernel), str(spec.channels)
    size = [("H_out", str(ho)), ("W_out", str(wo))]
    if which == "standard":
        return [("k", k), ("k", k), ("C_in", c), ("N", str(n)), *size]
    if which == "grouped":
        return [("k", k), ("k", k), ("C_in/g", f"({c}/{spec.groups})"), ("N", str(n)), *size]
    if which == "depthwise":
        return [("k", k), ("k", k), ("C_in", c), *size]
    if which == "pointwise":
        return [("C_in", c), ("N", str(n)), *size]
    raise ValueError(f"unknown count {which!r}")


def labelled_formula(spec: LayerSpec, which: str) -> tuple[str, str]:
    """Two aligned lines: each factor's symbol above its value, e.g.
    'k · k · C_in · N  · H_out · W_out' over '3 × 3 × 3    × 16 × 3     × 3     = 3,888'."""
    pairs = factors(spec, which)
    widths = [max(len(s), len(v)) for s, v in pairs]
    top = " · ".join(s.ljust(w) for (s, _), w in zip(pairs, widths))
    bottom = " × ".join(v.ljust(w) for (_, v), w in zip(pairs, widths))
    total = getattr(conv_costs(spec), which)
    return top.rstrip(), f"{bottom} = {total:,}"


def output_size_lines(spec: LayerSpec) -> list[str]:
    """The output-size formula, then the same with the layer's numbers, for each side (once
    when height and width are equal):
    'H_out = ⌊(H + 2P − k)/S⌋ + 1' and '      = ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3'."""
    k, p, s = spec.kernel, spec.padding, spec.stride
    out = []
    sides = [("H", spec.height, spec.out_height)]
    if spec.width != spec.height:
        sides.append(("W", spec.width, spec.out_width))
    for name, size, result in sides:
        lhs = f"{name}_out" if len(sides) > 1 else "H_out = W_out"
        out.append(f"{lhs} = ⌊({name} + 2P − k)/S⌋ + 1")
        out.append(f"{'':{len(lhs)}} = ⌊({size} + 2·{p} − {k})/{s}⌋ + 1 = {result}")
    return out
