"""Immutable results of inference, passed from worker threads to views."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from visualizer.net.model.rates import gmacs_per_s


@dataclass(frozen=True)
class Prediction:
    label: str
    index: int
    prob: float


@dataclass(frozen=True)
class LayerTiming:
    name: str  # a paper layer (conv1, dw1, pw1, …, pool, fc, softmax) or "layout"/"other"
    type: str  # conv, depthwise, pointwise, pool, fc, softmax, layout, other
    macs: int
    params: int
    ms: float  # kernel time of this layer's nodes in this frame
    #: True when the execution provider fused this layer's nodes with others', so the
    #: layer has no time of its own (ms is 0; the fused node's time is under "other")
    fused: bool = False
    #: the execution provider(s) that ran its nodes, from the profile ("A+B" when several;
    #: "" when unknown or fused)
    provider: str = ""

    @property
    def gmacs_per_s(self) -> float | None:
        return gmacs_per_s(self.macs, self.ms)


@dataclass(frozen=True)
class InferenceResult:
    top5: tuple[Prediction, ...]
    total_ms: float  # wall time of the inference call (preprocessing excluded)
    preprocess_ms: float
    layers: tuple[LayerTiming, ...]  # empty when per-layer timing is off
    trained: bool  # False: untrained weights, predictions are meaningless
    frame_id: int = 0
    #: (res/32, res/32) float32 in 0..1, read-only: where the top class's evidence lies
    #: (class activation map; net/cam.py), or None when the runner computes none
    cam: Any = field(default=None, compare=False)
    #: the LoadedModel that computed it: a result of another model (one still in flight
    #: when the model changed) is never counted or shown for the current one
    model: Any = field(default=None, compare=False, repr=False)
    #: the providers of the session that ran it (onnxruntime's get_providers(), in order)
    providers: tuple[str, ...] = ()
