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


def profiled_frame(model):
    """The layer timings of a real profiled frame, and the providers the session ran."""
    x = np.zeros((1, 3, 128, 128), np.float32)
    with Runner(model, 1, keep_history=True, profile_every=3) as runner:
        for _ in range(3):
            runner.infer_tensor(x)
        runner.flush()
        return runner.history[-1][2], runner.session_providers


def test_on_the_cpu_every_layer_has_a_time_of_its_own():
    model = load_model("untrained:0.25_128")
    timings, _ = profiled_frame(model)
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


# -- which providers can run MobileNet here, and where the layers ran -------------------
from visualizer.net.runtime import providers as pv  # noqa: E402
from visualizer.net.runtime.profiling import parse_profile  # noqa: E402


def test_the_cpu_runs_everything_and_needs_no_probe():
    check = pv.check_provider(sessions.CPU)
    assert check.usable and check.reason == "" and check.session_providers == (sessions.CPU,)


def test_a_provider_that_falls_back_or_cannot_start_a_session_is_not_usable(monkeypatch):
    # onnxruntime drops a provider it cannot start (a GPU build without its GPU)
    check = pv.check_provider("NoSuchExecutionProvider")
    assert not check.usable and "fell back to the CPU" in check.reason
    assert check.session_providers == (sessions.CPU,)

    def refuse(*args, **kwargs):
        raise RuntimeError("libcudnn.so.9: cannot open shared object file\nmore")

    monkeypatch.setattr(ort, "InferenceSession", refuse)
    check = pv.check_provider("CUDAExecutionProvider")
    assert not check.usable
    assert check.reason == "cannot start a session here: libcudnn.so.9: cannot open shared " \
        "object file"


def test_a_provider_that_runs_none_of_the_operators_is_not_usable():
    """The Azure provider of standard builds starts a session and keeps it, but runs
    remote endpoints, none of the network's nodes (it used to be offered and silently
    run everything on the CPU)."""
    if "AzureExecutionProvider" not in ort.get_available_providers():
        pytest.skip("this onnxruntime build has no Azure provider")
    check = pv.check_provider("AzureExecutionProvider")
    assert "AzureExecutionProvider" in check.session_providers  # the session started...
    assert not check.usable and check.nodes == 0 and check.of > 0  # ...and ran nothing
    assert "none of MobileNet's operators" in check.reason


def test_providers_are_probed_once_per_process(monkeypatch):
    calls = []

    def fake(name):
        calls.append(name)
        return pv.ProviderCheck(name, name == sessions.CPU, "")

    monkeypatch.setattr(pv, "check_provider", fake)
    pv.forget_checks()
    try:
        first = pv.check_providers(["A", sessions.CPU])
        again = pv.check_providers(["A", sessions.CPU])
        assert first == again and calls == ["A", sessions.CPU]
        assert pv.checked("A") == first["A"] and pv.checked("B") is None
    finally:
        pv.forget_checks()


def test_the_profile_names_the_provider_of_every_node():
    text = ('[\n{"cat" : "Node","pid" :1,"tid" :1,"dur" :40,"ts" :1,"ph" : "X","name" :'
            '"conv1_kernel_time","args" : {"op_name" : "Conv","provider" : '
            '"CUDAExecutionProvider"}},\n'
            '{"cat" : "Node","pid" :1,"tid" :1,"dur" :10,"ts" :2,"ph" : "X","name" :'
            '"fc_kernel_time","args" : {"provider" : "CPUExecutionProvider","op_name" : '
            '"Gemm"}},\n'
            '{"cat" : "Session","pid" :1,"tid" :1,"dur" :60,"ts" :0,"ph" : "X","name" :'
            '"model_run","args" : {}}\n]')
    (run,) = parse_profile(text)
    assert [(n.name, n.provider) for n in run.nodes] == [
        ("conv1", "CUDAExecutionProvider"), ("fc", "CPUExecutionProvider")]


def test_each_layer_carries_the_providers_of_its_nodes():
    spec = NetSpec(0.25, 128, 1001)
    att = _attribution(spec)
    run = RunProfile(900, (pv_node("conv1", "Conv", 100, "GpuEP"),
                           pv_node("conv1/relu6", "Clip", 5, "CPUExecutionProvider"),
                           pv_node("fc", "Gemm", 50, "CPUExecutionProvider")))
    rows = {t.name: t for t in att.timings(run)}
    assert rows["conv1"].provider == "GpuEP+CPUExecutionProvider"
    assert rows["fc"].provider == "CPUExecutionProvider" and rows["dw1"].provider == ""


def pv_node(name, op, us, provider):
    return NodeEvent(name, op, us, provider)


def test_a_real_frame_ran_every_layer_on_the_cpu_and_says_so():
    timings, providers = profiled_frame(load_model("untrained:0.25_128"))
    assert providers == (sessions.CPU,)
    assert all(t.provider == sessions.CPU for t in timings if t.macs)


@pytest.mark.parametrize("chosen,session,layers,text,fell_back", [
    ("CPUExecutionProvider", ("CPUExecutionProvider",), {"conv1": "CPUExecutionProvider"},
     "on CPU", False),
    ("CPUExecutionProvider", ("CPUExecutionProvider",), {}, "on CPU", False),
    # the session dropped the chosen provider (a GPU build without a GPU)
    ("CUDAExecutionProvider", ("CPUExecutionProvider",), {}, "on CPU: CUDA fell back to "
     "the CPU", True),
    # kept, but it ran none of the layers
    ("AzureExecutionProvider", ("AzureExecutionProvider", "CPUExecutionProvider"),
     {"conv1": "CPUExecutionProvider", "fc": "CPUExecutionProvider"},
     "on CPU: Azure fell back to the CPU", True),
    ("CUDAExecutionProvider", ("CUDAExecutionProvider", "CPUExecutionProvider"),
     {"conv1": "CUDAExecutionProvider", "dw1": "CUDAExecutionProvider",
      "fc": "CPUExecutionProvider"},
     "on CUDA + CPU (1 layer on the CPU: fc)", False),
])
def test_where_a_frame_ran_in_words(chosen, session, layers, text, fell_back):
    where = pv.ran_on(chosen, session, layers)
    assert (where.text, where.fell_back) == (text, fell_back)
    assert where.by_layer == layers
