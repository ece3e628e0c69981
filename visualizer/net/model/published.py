"""Published ImageNet figures of the 16 official MobileNet V1 checkpoints.

Source: the "Pre-trained Models" table of tensorflow/models,
research/slim/nets/mobilenet_v1.md (checkpoints of 2018-02-22): million MACs, million
parameters, top-1 and top-5 accuracy (%) on ILSVRC-2012 validation, single crop, for the
float models and their quantization-aware ("_quant") counterparts. The MACs are quoted
as published; `net.mobilenet` recomputes them from Table 1 of the paper (they agree to
within a few percent, except 0.25-192 which the table lists as 34).
"""
from __future__ import annotations

from dataclasses import dataclass

from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS


@dataclass(frozen=True)
class Published:
    alpha: float
    resolution: int
    million_macs: int
    million_params: float
    top1: float  # float model, %
    top5: float
    top1_quant: float  # quantization-aware trained model, %
    top5_quant: float


# alpha, resolution, MMACs, Mparams, top-1, top-5, top-1 quant, top-5 quant
_TABLE = (
    (1.0, 224, 569, 4.24, 70.9, 89.9, 69.7, 89.5),
    (1.0, 192, 418, 4.24, 70.0, 89.2, 69.0, 88.9),
    (1.0, 160, 291, 4.24, 68.0, 87.7, 67.3, 87.7),
    (1.0, 128, 186, 4.24, 65.2, 85.8, 64.0, 85.5),
    (0.75, 224, 317, 2.59, 68.4, 88.2, 67.9, 88.1),
    (0.75, 192, 233, 2.59, 67.2, 87.3, 66.2, 87.1),
    (0.75, 160, 162, 2.59, 65.3, 86.0, 63.9, 85.5),
    (0.75, 128, 104, 2.59, 62.1, 83.9, 59.8, 82.8),
    (0.5, 224, 150, 1.34, 63.3, 84.9, 62.2, 84.5),
    (0.5, 192, 110, 1.34, 61.7, 83.6, 60.4, 83.2),
    (0.5, 160, 77, 1.34, 59.1, 81.9, 57.7, 81.3),
    (0.5, 128, 49, 1.34, 56.3, 79.4, 54.9, 78.9),
    (0.25, 224, 41, 0.47, 49.8, 74.2, 48.2, 73.8),
    (0.25, 192, 34, 0.47, 47.7, 72.3, 45.8, 71.9),
    (0.25, 160, 21, 0.47, 45.5, 70.3, 43.5, 69.1),
    (0.25, 128, 14, 0.47, 41.5, 66.3, 39.9, 65.8),
)

PUBLISHED: dict[tuple[float, int], Published] = {
    (row[0], row[1]): Published(*row) for row in _TABLE
}
assert set(PUBLISHED) == {(a, r) for a in OFFICIAL_ALPHAS for r in OFFICIAL_RESOLUTIONS}


def published(alpha: float, resolution: int) -> Published | None:
    """The published figures of an official setting, or None for any other setting."""
    for (a, r), entry in PUBLISHED.items():
        if abs(a - alpha) < 1e-9 and r == resolution:
            return entry
    return None
