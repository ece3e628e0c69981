"""The provider picker lists what onnxruntime reports, probed once in the background:
providers that cannot run MobileNet here are greyed with the reason and cannot be chosen;
choosing a usable one applies it to new sessions and reloads the running model; the model
row says where the frames ran and when the chosen provider fell back to the CPU; the
Network tab's table marks fused layers."""
from __future__ import annotations

import onnxruntime as ort
import pytest
from PySide6.QtCore import Qt

from live_fakes import fake_factory, fake_loader
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime import providers as pv
from visualizer.net.runtime import sessions
from visualizer.net.runtime.results import InferenceResult, LayerTiming
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.ui.live.provider_picker import ProviderPicker, short_name
from visualizer.ui.live.tab import LiveTab
from visualizer.net.analysis.timing_stats import LayerStats
from visualizer.ui.network.layer_table import LayerTableModel

FAKE_GPU = "FakeGpuExecutionProvider"


@pytest.fixture(autouse=True)
def cpu_again(monkeypatch):
    monkeypatch.setattr(sessions, "_provider", sessions.CPU)
    pv.forget_checks()
    yield
    pv.forget_checks()


@pytest.fixture
def fake_gpu(monkeypatch):
    """A build that lists a GPU provider, which the probe finds usable."""
    monkeypatch.setattr(ort, "get_available_providers", lambda: [FAKE_GPU, sessions.CPU])
    real = pv.check_provider
    monkeypatch.setattr(pv, "check_provider", lambda name: pv.ProviderCheck(
        name, True, "", (name, sessions.CPU), 9, 9) if name == FAKE_GPU else real(name))


def picker_checked(qtbot) -> ProviderPicker:
    """A picker whose providers have been probed (the probe starts when it is shown)."""
    picker = ProviderPicker()
    qtbot.addWidget(picker)
    if picker._to_check:
        with qtbot.waitSignal(picker.checked, timeout=20_000):
            picker.show()
    return picker


def test_picker_lists_the_providers_onnxruntime_reports_and_greys_the_unusable(qtbot):
    picker = picker_checked(qtbot)
    assert picker.providers() == ort.get_available_providers()
    assert picker.currentData() == "CPUExecutionProvider" and picker.currentText() == "CPU"
    assert short_name("CUDAExecutionProvider") == "CUDA"
    assert picker.usable() == [sessions.CPU] or "AzureExecutionProvider" not in \
        picker.providers()
    if "AzureExecutionProvider" in picker.providers():
        # it starts a session but runs none of the network's nodes: greyed, with the reason
        assert "none of MobileNet's operators" in picker.reason("AzureExecutionProvider")
        assert "Azure is unavailable" in picker.reason("AzureExecutionProvider")
        assert not picker.model().item(picker.findData("AzureExecutionProvider")).isEnabled()
        picker.setCurrentIndex(picker.findData("AzureExecutionProvider"))
        assert picker.currentData() == sessions.CPU  # cannot be chosen
        assert sessions.current_provider() == sessions.CPU
    assert picker.reason(sessions.CPU) == ""
    # probed once per process: the next picker needs no probe
    again = ProviderPicker()
    qtbot.addWidget(again)
    again.show()
    assert again.task is None and not again._to_check and again.usable() == picker.usable()


def test_choosing_a_provider_reloads_the_running_model(qtbot, fake_gpu):
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory(0.01))
    tab = LiveTab(pipeline=pipe)
    qtbot.addWidget(tab)
    picker = tab.provider_picker
    assert picker.providers() == [FAKE_GPU, sessions.CPU]
    if picker._to_check:
        with qtbot.waitSignal(picker.checked, timeout=20_000):
            picker.probe()
    assert picker.usable() == [FAKE_GPU, sessions.CPU]
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        tab.load_model("untrained:0.25_128")
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        picker.setCurrentIndex(0)
    assert sessions.providers() == [FAKE_GPU, sessions.CPU]
    tab.shutdown()


def _result(spec, session, on):
    layers = tuple(LayerTiming(l.name, l.type, l.macs, l.params, 0.1, provider=on)
                   for l in spec.layers)
    return InferenceResult((), 1.0, 0.1, layers, True, providers=session)


def test_the_model_row_says_where_the_frames_ran_and_a_fallback(qtbot, fake_gpu):
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory(0.01))
    tab = LiveTab(pipeline=pipe)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        tab.load_model("untrained:0.25_128")
    spec = NetSpec(0.25, 128, 1001)
    controls = tab.model_controls
    controls.show_ran_on(_result(spec, (sessions.CPU,), sessions.CPU))
    assert controls.label.text() == ("Loaded: untrained:0.25_128 on CPU (random weights: "
                                     "real timings, meaningless predictions)")
    assert f"Layers ran on (the profile says): CPU: all {len(spec.layers)}" in \
        controls.label.toolTip()
    # the GPU provider chosen, but every layer ran on the CPU: said, in red
    sessions.set_provider(FAKE_GPU)
    controls.show_ran_on(_result(spec, (FAKE_GPU, sessions.CPU), sessions.CPU))
    assert "FakeGpu fell back to the CPU" in controls.label.text()
    assert "#b00020" in controls.label.styleSheet()
    # frames without per-layer times keep the last account
    controls.show_ran_on(InferenceResult((), 1.0, 0.1, (), True,
                                         providers=(FAKE_GPU, sessions.CPU)))
    assert "fell back" in controls.label.text()
    tab.shutdown()


def test_layer_table_says_fused_instead_of_a_time(qtbot):
    model = LayerTableModel()
    layers = NetSpec(0.25, 128, 1001).layers
    model.set_layers(layers)
    stats = LayerStats()
    for i in range(3):
        stats.add_layers([LayerTiming(l.name, l.type, l.macs, l.params,
                                      0.0 if l.name in ("dw1", "pw1") else 0.1,
                                      l.name in ("dw1", "pw1")) for l in layers])
    model.set_timing(stats.account())
    for row, layer in enumerate(layers):
        texts = [model.data(model.index(row, c), Qt.DisplayRole) for c in (7, 8, 9)]
        if layer.name in ("dw1", "pw1"):
            assert texts == ["fused"] * 3 and model.value(row, 7) is None
            assert "fused" in model.data(model.index(row, 7), Qt.ToolTipRole)
        else:
            assert texts[0].startswith("0.100 ±")
