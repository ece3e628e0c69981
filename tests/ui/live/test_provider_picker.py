"""The provider picker lists what onnxruntime reports; choosing one applies it to new
sessions and reloads the running model; the Network tab's table marks fused layers."""
from __future__ import annotations

import onnxruntime as ort
import pytest
from PySide6.QtCore import Qt

from live_fakes import fake_factory, fake_loader
from visualizer.net.runtime import sessions
from visualizer.net.model.mobilenet import NetSpec
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.ui.live.provider_picker import ProviderPicker, short_name
from visualizer.ui.live.tab import LiveTab
from visualizer.net.analysis.timing_stats import LayerStats
from visualizer.net.runtime.results import LayerTiming
from visualizer.ui.network.layer_table import LayerTableModel


@pytest.fixture(autouse=True)
def cpu_again(monkeypatch):
    monkeypatch.setattr(sessions, "_provider", sessions.CPU)


def test_picker_lists_the_providers_onnxruntime_reports(qtbot):
    picker = ProviderPicker()
    qtbot.addWidget(picker)
    assert picker.providers() == ort.get_available_providers()
    assert picker.currentData() == "CPUExecutionProvider" and picker.currentText() == "CPU"
    assert short_name("CUDAExecutionProvider") == "CUDA"


def test_choosing_a_provider_reloads_the_running_model(qtbot, monkeypatch):
    monkeypatch.setattr(ort, "get_available_providers",
                        lambda: ["FakeGpuExecutionProvider", "CPUExecutionProvider"])
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory(0.01))
    tab = LiveTab(pipeline=pipe)
    qtbot.addWidget(tab)
    assert tab.provider_picker.providers() == ["FakeGpuExecutionProvider",
                                               "CPUExecutionProvider"]
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        tab.load_model("untrained:0.25_128")
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        tab.provider_picker.setCurrentIndex(0)
    assert sessions.providers() == ["FakeGpuExecutionProvider", "CPUExecutionProvider"]
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
