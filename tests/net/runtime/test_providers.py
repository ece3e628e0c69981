"""Execution providers: the list is onnxruntime's own; a provider that fuses layers leaves
them without a time of their own, and the timings say so instead of showing 0."""
from __future__ import annotations

import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from visualizer.net.runtime import sessions
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.models import load_model
from visualizer.net.runtime.profiling import LayerAttribution, NodeEvent, RunProfile
from visualizer.net.runtime.runner import Runner


@pytest.fixture(autouse=True)
def cpu_again(monkeypatch):
    monkeypatch.setattr(sessions, "_provider", sessions.CPU)


def test_available_providers_are_onnxruntimes_and_cpu_is_the_default():
    assert sessions.available_providers() == ort.get_available_providers()
    assert "CPUExecutionProvider" in sessions.available_providers()
    assert sessions.current_provider() == sessions.CPU and sessions.providers() == [sessions.CPU]


def test_choosing_a_provider_keeps_the_cpu_as_fallback(monkeypatch):
    with pytest.raises(ValueError, match="not available.*CPUExecutionProvider"):
        sessions.set_provider("NoSuchExecutionProvider")
    assert sessions.current_provider() == sessions.CPU
    monkeypatch.setattr(ort, "get_available_providers",
                        lambda: ["FakeGpuExecutionProvider", "CPUExecutionProvider"])
    sessions.set_provider("FakeGpuExecutionProvider")
    assert sessions.providers() == ["FakeGpuExecutionProvider", "CPUExecutionProvider"]
    sessions.set_provider("CPUExecutionProvider")
    assert sessions.providers() == ["CPUExecutionProvider"]


def _attribution(spec: NetSpec) -> LayerAttribution:
    model = load_model(f"untrained:{spec.alpha}_{spec.resolution}")
    return LayerAttribution(onnx.load_from_string(model.onnx_bytes), spec.layers)


def test_layers_fused_into_one_provider_kernel_are_marked_and_not_zero_timed():
    spec = NetSpec(0.25, 128, 1001)
    att = _attribution(spec)
    run = RunProfile(900, (NodeEvent("TensorrtExecutionProvider_TRTKernel_graph_0_0",
                                     "TRTKernel", 700),
                           NodeEvent("fc", "Gemm", 50), NodeEvent("softmax", "Softmax", 5)))
    rows = {t.name: t for t in att.timings(run)}
    for layer in spec.layers:
        assert rows[layer.name].fused == (layer.name != "fc"), layer.name
        assert rows[layer.name].ms == (0.05 if layer.name == "fc" else 0.0)
    assert rows["other"].ms == pytest.approx(0.7)


def test_on_the_cpu_every_layer_has_a_time_of_its_own():
    model = load_model("untrained:0.25_128")
    x = np.zeros((1, 3, 128, 128), np.float32)
    with Runner(model, 1, keep_history=True, profile_every=3) as runner:
        for _ in range(3):
            runner.infer_tensor(x)
        runner.flush()
        timings = runner.history[-1][2]
    assert not any(t.fused for t in timings)
    assert all(t.ms > 0 for t in timings if t.name in {l.name for l in model.spec.layers})


@pytest.mark.parametrize("logical, physical, threads", [
    (2, 2, 1), (1, 1, 1), (4, 4, 3), (8, 4, 4), (16, 8, 8), (12, 6, 6), (3, 1, 1)])
def test_live_threads_leave_a_core_for_the_frames(logical, physical, threads):
    """The physical cores, less one kept for decoding, preparing and drawing the frames
    (never below 1, never more than the logical cores less one)."""
    from visualizer.net.runtime.sessions import live_threads

    assert live_threads(logical, physical) == threads
    assert 1 <= live_threads() <= max(1, os.cpu_count() - 1)
