"""A convolution layer's description, its validation and its output size."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

#: Upper bounds that keep every count and grid finite and every window responsive.
LIMITS = {
    "height": 4096,
    "width": 4096,
    "channels": 8192,
    "kernel": 64,
    "filters": 8192,
    "stride": 64,
    "groups": 8192,
}


class LayerError(ValueError):
    """A layer description that cannot be computed; the message names what is wrong."""


@dataclass(frozen=True)
class LayerSpec:
    """Input H×W×C_in, N filters of k×k×(C_in/groups), stride and symmetric zero padding.

    Defaults are the classic example: a 5×5×3 input and 16 filters of 3×3×3.
    """

    height: int = 5
    width: int = 5
    channels: int = 3
    kernel: int = 3
    filters: int = 16
    stride: int = 1
    padding: int = 0
    groups: int = 1

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise LayerError(f"{f.name} must be a whole number, not {value!r}")
            value = int(value)  # numpy integers (e.g. from an array) become plain ints
            object.__setattr__(self, f.name, value)
            if f.name == "padding":
                if value < 0:
                    raise LayerError(f"padding must be 0 or more, not {value}")
                continue
            if value < 1:
                raise LayerError(f"{f.name} must be at least 1, not {value}")
            if value > LIMITS[f.name]:
                raise LayerError(f"{f.name} {value} is larger than the limit {LIMITS[f.name]}")
        k, p = self.kernel, self.padding
        if p > k - 1:
            raise LayerError(f"padding {p} must be less than the kernel {k} (0 … {k - 1})")
        ph, pw = self.height + 2 * p, self.width + 2 * p
        if k > ph or k > pw:
            raise LayerError(f"kernel {k} is larger than the padded input {ph}×{pw}")
        if self.channels % self.groups or self.filters % self.groups:
            raise LayerError(
                f"groups {self.groups} must divide both the input channels {self.channels} "
                f"and the filters {self.filters}"
            )

    @property
    def out_height(self) -> int:
        return (self.height + 2 * self.padding - self.kernel) // self.stride + 1

    @property
    def out_width(self) -> int:
        return (self.width + 2 * self.padding - self.kernel) // self.stride + 1

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """(H_out, W_out, N)."""
        return (self.out_height, self.out_width, self.filters)

    @property
    def channels_per_group(self) -> int:
        return self.channels // self.groups

    def with_(self, **changes: int) -> "LayerSpec":
        """A copy with some fields changed (validated: raises LayerError)."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise LayerError(f"unknown layer field {unknown[0]!r}")
        return replace(self, **changes)
