"""The roofline page: roofs calibrated off the GUI thread (tiny size), one point per layer
at (intensity, achieved GMAC/s) coloured by type, hover names the layer, live updates."""
from __future__ import annotations

import math
import threading

import pytest
from PySide6.QtGui import QColor

from visualizer.net.analysis import roofs as rf
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.results import InferenceResult, LayerTiming
from visualizer.net.analysis.roofline import layer_traffic
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.network.roofline_page import RooflinePage
from visualizer.ui.network.log_ticks import log_ticks
from visualizer.ui.network.tab import NetworkTab

MS = {"conv": 0.3, "depthwise": 0.4, "pointwise": 0.9, "pool": 0.02, "fc": 0.05}


@pytest.fixture
def page(qtbot, tmp_path):
    w = RooflinePage(size=rf.TINY_SIZE, cache=tmp_path, threads=1)
    qtbot.addWidget(w)
    w.resize(900, 700)
    with qtbot.waitSignal(w.roofs_changed, timeout=60_000):
        w.show()  # the first show reads or measures the roofs
    qtbot.waitUntil(lambda: not w.busy(), timeout=10_000)
    yield w
    w.shutdown()
    assert not w.busy()


def test_calibration_runs_off_the_gui_thread_and_draws_the_roofs(qtbot, tmp_path, monkeypatch):
    threads = []
    real = rf.load_or_measure

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(rf, "load_or_measure", recording)
    w = RooflinePage(size=rf.TINY_SIZE, cache=tmp_path, threads=1)
    qtbot.addWidget(w)
    progress = []
    w.resize(900, 700)
    with qtbot.waitSignal(w.roofs_changed, timeout=60_000) as got:
        w.show()
        w._task.progressed.connect(progress.append)
    qtbot.waitUntil(lambda: not w.busy(), timeout=10_000)
    assert threads and threads[0] is not threading.main_thread()
    r = got.args[0]
    assert w.roofs == r and min(r.peak_gmacs, r.bandwidth_gbs, r.cache_bandwidth_gbs) > 0
    assert [f for _, f in progress] == sorted(f for _, f in progress)
    # the roof lines: flat at the compute roof on the right, rising at the bandwidth
    xs, ys = w.cache_line.getData()
    assert ys[-1] == pytest.approx(math.log10(r.peak_gmacs))
    assert ys[0] == pytest.approx(math.log10(min(r.peak_gmacs, 0.1 * r.cache_bandwidth_gbs)))
    assert f"{r.peak_gmacs:.0f} GMAC/s" in w.status.text()
    # measured again on demand
    with qtbot.waitSignal(w.roofs_changed, timeout=60_000) as again:
        w.measure_button.click()
    assert again.args[0].measured_at >= r.measured_at
    qtbot.waitUntil(lambda: not w.busy(), timeout=10_000)
    w.shutdown()


def _timed(spec: NetSpec) -> dict[str, float]:
    return {l.name: MS[l.type] for l in spec.layers}


def test_one_point_per_layer_at_its_intensity_and_speed_coloured_by_type(page):
    spec = NetSpec(0.5, 128, 1001)
    page.show_times(spec.layers, _timed(spec))
    spots = page.scatter.points()
    layers = [l for l in spec.layers if l.macs > 0]
    assert [s.data() for s in spots] == [l.name for l in layers]
    for spot, layer in zip(spots, layers):
        t = layer_traffic(layer)
        assert spot.pos().x() == pytest.approx(math.log10(t.intensity))
        assert spot.pos().y() == pytest.approx(math.log10(layer.macs / (MS[layer.type] * 1e6)))
        assert spot.brush().color() == QColor(TYPE_COLORS[layer.type])
    assert "Depthwise layers do only" in page.caption.text()
    assert f"{page.roofs.peak_gmacs:.0f} GMAC/s" in page.caption.text()


def test_hover_names_the_layer(page):
    spec = NetSpec(1.0, 224, 1001)
    page.show_times(spec.layers, _timed(spec))
    view = page.plot.getPlotItem().vb
    spot = next(s for s in page.scatter.points() if s.data() == "dw1")
    scene = view.mapViewToScene(spot.pos())
    assert page.point_at(scene).name == "dw1"
    page._on_mouse(scene)
    assert page.hover.text().startswith("dw1 (depthwise): 1.12 MAC/byte")
    far = view.mapViewToScene(view.viewRect().topLeft()) + type(scene)(3, 3)
    assert page.point_at(far) is None


def test_points_far_above_the_roofs_are_flagged(page):
    spec = NetSpec(0.25, 128, 1001)
    fast = {l.name: l.macs / (page.roofs.peak_gmacs * 5e6) for l in spec.layers}  # 5× peak
    page.show_times(spec.layers, fast)
    assert not page.warning.isHidden() and "faster than the measured roofs" in \
        page.warning.text()
    slow = {l.name: l.macs / 1e3 for l in spec.layers}  # 1 MMAC/s: under every roof
    page.show_times(spec.layers, slow)
    assert page.warning.isHidden()


def test_network_tab_page_follows_live_timings(qtbot, tmp_path):
    tab = NetworkTab(threads=1)
    qtbot.addWidget(tab)
    tab.roofline.size, tab.roofline.cache = rf.TINY_SIZE, tmp_path
    tab.resize(1280, 800)
    tab.show()
    with qtbot.waitSignal(tab.roofline.roofs_changed, timeout=60_000):
        tab.tabs.setCurrentWidget(tab.roofline)
    assert tab.tabs.tabText(tab.tabs.indexOf(tab.roofline)) == "Roofline"
    assert page_points(tab) == []
    spec = tab.spec
    layers = tuple(LayerTiming(l.name, l.type, l.macs, l.params, MS[l.type])
                   for l in spec.layers)
    tab.show_timing(InferenceResult((), 10.0, 1.0, layers, False), "live")
    tab.refresh_now()
    assert page_points(tab) == [l.name for l in spec.layers if l.macs > 0]
    qtbot.waitUntil(lambda: not tab.busy(), timeout=10_000)
    tab.shutdown()


def page_points(tab: NetworkTab) -> list[str]:
    return [s.data() for s in tab.roofline.scatter.points()]


def test_log_ticks_are_1_2_5_values_within_the_range():
    assert [t[1] for t in log_ticks(0.1, 100)] == ["0.1", "0.2", "0.5", "1", "2", "5", "10",
                                                   "20", "50", "100"]
    assert all(t[0] == pytest.approx(math.log10(float(t[1]))) for t in log_ticks(3, 600))
    assert [t[1] for t in log_ticks(0.01, 1e4)] == ["0.01", "0.1", "1", "10", "100", "1000",
                                                    "10000"]


def test_int8_points_count_one_byte_per_element(page):
    spec = NetSpec(0.5, 160, 1001)
    page.show_times(spec.layers, _timed(spec), "int8")
    by_name = {p.name: p for p in page.points}
    for layer in spec.layers:
        if layer.macs:
            assert by_name[layer.name].bytes == layer_traffic(layer, "int8").bytes
    assert "int8" in page.caption.text()
