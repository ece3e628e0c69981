"""Texts about the explorer's layer: the headline's comparisons, the formulas with the
layer's numbers, and the same layer as PyTorch and ONNX code (a mixin of Explorer)."""
from __future__ import annotations

from visualizer.conv import costs


class LayerTexts:
    """Needs `spec` (LayerSpec) and `costs` (ConvCosts)."""

    def comparisons(self) -> list[tuple[str, str, int, int]]:
        """The headline's comparisons: (cheaper name, dearer name, its count, theirs).
        Always separable vs standard; with groups > 1 also separable vs grouped."""
        c, s = self.costs, self.spec
        out = [("depthwise-separable", "standard", c.separable, c.standard)]
        if s.groups > 1:
            out.append(("depthwise-separable", f"grouped (g={s.groups})", c.separable,
                        c.grouped))
        return out

    def formulas(self) -> dict[str, str]:
        s = self.spec
        return {
            "standard": costs.standard_formula(s),
            "grouped": costs.grouped_formula(s),
            "depthwise": costs.depthwise_formula(s),
            "pointwise": costs.pointwise_formula(s),
        }

    def torch_text(self) -> str:
        s = self.spec
        return (f"torch.nn.Conv2d(in_channels={s.channels}, out_channels={s.filters}, "
                f"kernel_size={s.kernel}, stride={s.stride}, padding={s.padding}, "
                f"groups={s.groups}, bias=False)")

    def onnx_text(self) -> str:
        s = self.spec
        p = s.padding
        return (f"Conv(kernel_shape=[{s.kernel}, {s.kernel}], strides=[{s.stride}, {s.stride}], "
                f"pads=[{p}, {p}, {p}, {p}], group={s.groups})  "
                f"W: [{s.filters}, {s.channels_per_group}, {s.kernel}, {s.kernel}]")
