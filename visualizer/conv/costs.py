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
