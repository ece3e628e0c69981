"""Texts about the explorer's layer: the headline's comparisons, the formulas with the
layer's numbers, and the same layer as PyTorch and ONNX code (a mixin of Explorer)."""
from __future__ import annotations

from visualizer.conv import costs


class LayerTexts:
    """Needs `spec` (LayerSpec), `costs` (ConvCosts) and `race` (Race)."""

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

    def headline(self) -> tuple[str, str, str]:
        """The tally's headline: the reduction, what it compares (with both totals) and
        the ratio as the paper writes it, e.g. '82.64% fewer multiplications',
        'depthwise-separable 675 vs standard 3,888', '675 / 3,888 = 0.1736 = 1/N + 1/k²
        = 1/16 + 1/9'. With groups > 1 the second line also compares with grouped."""
        c = self.costs
        first = None
        versus = []
        for cheap, dear, a, b in self.comparisons():
            pct = 100.0 * (1 - a / b)
            word = "fewer" if pct >= 0 else "more"  # 1×1 kernels or N = 1: separable dearer
            if first is None:
                first = f"{abs(pct):.2f}% {word} multiplications"
                versus.append(f"{cheap} {a:,} vs {dear} {b:,}")
            else:
                versus.append(f"{abs(pct):.2f}% {word} than {dear} {b:,}")
        ratio = (f"{c.separable:,} / {c.standard:,} = {c.ratio:.4f} = 1/N + 1/k² = "
                 f"1/{c.filters} + 1/{c.kernel ** 2}")
        return first, "; ".join(versus), ratio

    def summary(self, path: str) -> list[str]:
        """The held last frame of an animation: the headline, then both totals with their
        factors, and the ratio 1/N + 1/k² (the race: first where the slower side was when
        the faster one finished)."""
        c, s = self.costs, self.spec
        headline, versus, ratio = self.headline()
        which = "grouped" if s.groups > 1 else "standard"
        name = f"grouped (g={s.groups})" if s.groups > 1 else "standard"
        lines = [f"{headline}: {versus}",
                 f"{name} {getattr(c, which):,} = "
                 f"{' × '.join(v for _, v in costs.factors(s, which))}; depthwise-separable "
                 f"{c.separable:,} = {c.depthwise:,} + {c.pointwise:,}",
                 ratio]
        if path == "race":
            r = self.race
            fast_done = min(r.separable_total, r.standard_total)
            slower = "standard" if r.separable_total <= r.standard_total else "separable"
            total = max(r.separable_total, r.standard_total)
            finish = -(-fast_done // r.per_standard)
            lines.insert(1, f"race: the {'separable' if slower == 'standard' else 'standard'} "
                            f"side finished at frame {finish:,} of {r.length:,}, when the "
                            f"{slower} side was at {100 * fast_done / total:.1f} %")
        return lines
