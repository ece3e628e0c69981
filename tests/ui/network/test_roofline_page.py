"""The roofline page: roofs calibrated off the GUI thread (tiny size), then drawn from
made-up roofs of known values: lines and labels wired to the right roof and precision,
labels clear of every point at several sizes, one point per layer coloured by type, a
caption from where the points are, roofs refused and measured again when a layer lands
above them, untrusted roofs said."""
from __future__ import annotations

import math
import threading

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from visualizer.net.analysis import roofs as rf
from visualizer.net.analysis.roofline import layer_traffic
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.results import InferenceResult, LayerTiming
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.network.log_ticks import log_ticks
from visualizer.ui.network.roofline_page import RooflinePage
from visualizer.ui.network.tab import NetworkTab

MS = {"conv": 0.3, "depthwise": 0.4, "pointwise": 0.9, "pool": 0.02, "fc": 0.05}
ROOFS = rf.Roofs(peak_gmacs=50.0, bandwidth_gbs=20.0, cache_bandwidth_gbs=64.0, threads=1,
                 cpu_features=("avx2",), int8_peak_gmacs=80.0, int8_s8_peak_gmacs=200.0,
                 onnxruntime="x", spread={n: 0.01 for n in rf.FIELDS}, passes=2)


@pytest.fixture
def calls(monkeypatch):
    """The page's calibrations: (refresh, cached roofs forgotten first); each gives ROOFS."""
    made = []
    monkeypatch.setattr(rf, "forget_roofs", lambda *a, **k: made.append("forget"))

    def fake(threads, *, refresh=False, **kwargs):
        made.append(("measure", refresh))
        return ROOFS

    monkeypatch.setattr(rf, "load_or_measure", fake)
    return made


@pytest.fixture
def page(qtbot, tmp_path, calls):
    w = RooflinePage(size=rf.TINY_SIZE, cache=tmp_path, threads=1)
    qtbot.addWidget(w)
    w.resize(900, 700)
    with qtbot.waitSignal(w.roofs_changed, timeout=60_000):
        w.show()  # the first show reads or measures the roofs
    qtbot.waitUntil(lambda: not w.busy(), timeout=10_000)
    yield w
    qtbot.waitUntil(lambda: not w.busy(), timeout=10_000)
    w.shutdown()


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
    assert w.roofs == r and min(r.value(n) for n in rf.FIELDS) > 0
    assert [f for _, f in progress] == sorted(f for _, f in progress)
    assert f"compute (float32) {r.peak_gmacs:.0f} GMAC/s" in w.status.text()
    assert f"{r.passes} passes" in w.status.text()
    assert f"{r.int8_peak_gmacs:.1f} GMAC/s" in w.status.toolTip()
    # roofs the page cannot trust (a busy machine, passes that never agreed) are said
    assert w.warning.isHidden() == r.trusted
    # measured again on demand
    with qtbot.waitSignal(w.roofs_changed, timeout=60_000) as again:
        w.measure_button.click()
    assert again.args[0].measured_at >= r.measured_at
    qtbot.waitUntil(lambda: not w.busy(), timeout=10_000)
    w.shutdown()


def _timed(spec: NetSpec) -> dict[str, float]:
    return {l.name: MS[l.type] for l in spec.layers}


@pytest.mark.parametrize("dtype,signed,peak", [("float32", False, 50.0), ("int8", False, 80.0),
                                               ("int8", True, 200.0)])
def test_roof_lines_and_labels_are_the_roofs_of_the_precision_that_ran(page, dtype, signed,
                                                                       peak):
    spec = NetSpec(0.5, 160, 1001)
    page.show_times(spec.layers, _timed(spec), dtype, signed)
    for line, bw in ((page.cache_line, 64.0), (page.dram_line, 20.0)):
        xs, ys = line.getData()
        assert xs[0] == pytest.approx(-1.0)  # 0.1 MAC/byte
        assert ys[0] == pytest.approx(math.log10(0.1 * bw))  # GB/s × MAC/byte = GMAC/s
        assert ys[-1] == pytest.approx(math.log10(peak))
        assert xs[1] == pytest.approx(math.log10(peak / bw))  # the ridge
    texts = [label.toPlainText() for label in page.labels]
    kind = "int8 compute roof" if dtype == "int8" else "compute roof"
    assert texts == [f"{kind} {peak:.0f} GMAC/s", "in cache 64 GB/s", "main memory 20 GB/s"]
    assert page.peak() == peak
    assert f"{peak:.0f} GMAC/s ±0.5 %" in page.status.text()


def _covered(page) -> list[tuple[str, str]]:
    """(label, layer) pairs whose point lies on the label's text, the marker's radius
    around it included: each point mapped into the (rotated) label's own frame."""
    view = page.plot.getPlotItem().vb
    hits = []
    for label in page.labels:
        label.updateTransform(force=True)
        rect = label.boundingRect()
        for spot in page.scatter.points():
            centre = view.mapViewToScene(spot.pos())
            for dx, dy in ((0, 0), (5, 0), (-5, 0), (0, 5), (0, -5)):
                p = label.mapFromScene(centre + QPointF(dx, dy))
                if rect.contains(p):
                    hits.append((label.toPlainText(), spot.data()))
                    break
    return hits


@pytest.mark.parametrize("size", [(480, 560), (900, 700), (1300, 950)])
def test_labels_never_cover_a_point(page, qtbot, size):
    page.resize(*size)
    spec = NetSpec(1.0, 224, 1001)
    # points on the roofs themselves, where labels would go: at 95 % of the in-cache
    # roofline, and some on the memory roof
    layers = [l for l in spec.layers if l.macs]
    ms = {}
    for i, l in enumerate(layers):
        t = layer_traffic(l)
        bw = 20.0 if i % 3 == 0 else 64.0
        ms[l.name] = l.macs / (0.95 * min(50.0, t.intensity * bw) * 1e6)
    page.show_times(spec.layers, ms)
    qtbot.waitUntil(lambda: page.plot.getPlotItem().vb.width() > 100, timeout=5000)
    page.plot.place_labels()
    assert len(page.scatter.points()) == len(layers)
    assert _covered(page) == []
    view = page.plot.getPlotItem().vb.sceneBoundingRect()
    for label in page.labels:  # inside the plot
        assert view.contains(label.sceneBoundingRect().center()), label.toPlainText()


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
    assert "Depthwise (13 layers" in page.caption.text()
    assert "%: of its attainable roof" in page.caption.text()


def test_hover_names_the_layer_and_where_it_sits(page):
    spec = NetSpec(1.0, 224, 1001)
    page.show_times(spec.layers, _timed(spec))
    view = page.plot.getPlotItem().vb
    spot = next(s for s in page.scatter.points() if s.data() == "dw1")
    scene = view.mapViewToScene(spot.pos())
    assert page.point_at(scene).name == "dw1"
    page._on_mouse(scene)
    assert page.hover.text().startswith("dw1 (depthwise): 1.12 MAC/byte")
    assert "% of its attainable roof" in page.hover.text()
    far = view.mapViewToScene(view.viewRect().topLeft()) + QPointF(3, 3)
    assert page.point_at(far) is None


def test_layers_above_the_roofs_refuse_them_and_measure_again_once(page, calls, qtbot):
    spec = NetSpec(0.25, 128, 1001)
    fast = {l.name: l.macs / (ROOFS.peak_gmacs * 5e6) for l in spec.layers}  # 5× the roof
    calls.clear()
    with qtbot.waitSignal(page.roofs_changed, timeout=10_000):
        page.show_times(spec.layers, fast)
        assert "refused and measured again" in page.warning.text()
    qtbot.waitUntil(lambda: not page.busy(), timeout=10_000)
    assert calls == ["forget", ("measure", True)]  # once, not in a loop
    assert not page.warning.isHidden()
    assert "also after measuring the roofs again" in page.warning.text()
    slow = {l.name: l.macs / 1e3 for l in spec.layers}  # 1 MMAC/s: under every roof
    page.show_times(spec.layers, slow)
    assert page.warning.isHidden()
    assert calls == ["forget", ("measure", True)]


def test_untrusted_roofs_are_said(page):
    busy = rf.Roofs(**{**ROOFS.__dict__, "busy": True, "busy_passes": 6, "passes": 6,
                       "others_cpu_percent": 140.0})
    page._on_roofs(busy)
    assert "Roofs not trusted, not kept" in page.warning.text()
    assert "other programs used 140 % CPU" in page.warning.text()


def test_network_tab_page_follows_live_timings(qtbot, calls):
    tab = NetworkTab(threads=1)
    qtbot.addWidget(tab)
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


def test_other_threads_read_or_measure_their_own_roofs(page, calls, qtbot):
    calls.clear()
    with qtbot.waitSignal(page.roofs_changed, timeout=10_000) as got:
        page.set_threads(2)
    qtbot.waitUntil(lambda: not page.busy(), timeout=10_000)
    assert page.threads == 2 and calls == [("measure", False)]
    assert got.args[0] is page.roofs
    page.set_threads(2)  # unchanged: nothing to do
    assert calls == [("measure", False)]


@pytest.mark.parametrize("size", [(480, 420), (900, 600), (1400, 900)])
def test_labels_move_off_points_lying_where_they_would_go(qtbot, size):
    """Points right where each label would first go (just above its line, within the
    noise the roofs allow): the labels move elsewhere, at every size."""
    from visualizer.net.analysis.roofline import RooflinePoint
    from visualizer.ui.network.roof_labels import roof_label_candidates
    from visualizer.ui.network.roofline_plot import X_RANGE, RooflinePlot

    plot = RooflinePlot()
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    roofs = (50.0, 20.0, 64.0)
    points = []
    for i, options in enumerate(roof_label_candidates(*roofs, X_RANGE)):
        for j, ((x, y), side, sloped, gap) in enumerate(options[:12:2]):
            if side > 0:  # on the text's first places: a little above the line
                points.append(RooflinePoint(f"p{i}{j}", "depthwise", 1, 1, 10 ** x,
                                            10 ** (y + 0.015)))
    plot.draw(points, roofs, int8=False)
    qtbot.waitUntil(lambda: plot.getPlotItem().vb.width() > 100, timeout=5000)
    plot.place_labels()
    page = type("P", (), {"labels": plot.labels, "scatter": plot.scatter,
                          "plot": plot})()
    assert _covered(page) == []


def test_points_timed_while_other_programs_kept_the_cores_busy_are_said(page):
    from visualizer.net.analysis.machine_load import MachineLoad

    spec = NetSpec(0.25, 128, 1001)
    page.show_times(spec.layers, _timed(spec), load=MachineLoad(140.0, 2, 2, 5.0))
    assert "other programs used 140 % CPU while timing" in page.warning.text()
    assert "figures inflated" in page.warning.text() and not page.warning.isHidden()
    page.show_times(spec.layers, _timed(spec), load=MachineLoad(5.0, 2, 2, 5.0))
    assert page.warning.isHidden()


def test_set_model_reads_the_recorded_weight_type_and_parses_nothing(qtbot, monkeypatch):
    """Which int8 roof applies comes from LoadedModel.signed_weights, recorded when the
    model was loaded on a worker thread: the page never parses the graph (GUI thread)."""
    from types import SimpleNamespace

    import onnx

    from visualizer.net.graph import onnx_files

    def refuse(*args, **kwargs):
        raise AssertionError("the roofline page parsed the model on the GUI thread")

    monkeypatch.setattr(onnx, "load_from_string", refuse)
    monkeypatch.setattr(onnx, "load_model_from_string", refuse)
    monkeypatch.setattr(onnx_files, "signed_int8_weights", refuse, raising=False)
    w = RooflinePage(threads=1)
    qtbot.addWidget(w)
    for precision, signed in (("int8", True), ("int8", False), ("float", False)):
        w.set_model(SimpleNamespace(precision=precision, signed_weights=signed,
                                    onnx_bytes=b"not parsed"))
        assert w.signed_weights is signed, (precision, signed)


def test_live_timings_taken_on_a_busy_machine_are_said(qtbot, calls):
    """The Network tab hands the Live pipeline's machine load to the roofline with live
    times (not with profiled ones): the page says the points are inflated."""
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QWidget

    from visualizer.net.analysis.machine_load import MachineLoad

    class FakePipeline(QObject):
        resultReady = Signal(object, object)
        modelLoaded = Signal(object)
        runningChanged = Signal()
        running = True

        def machine_load(self):
            return MachineLoad(140.0, 2, 2, 5.0)

    tab = NetworkTab(threads=1)
    qtbot.addWidget(tab)
    live = QWidget()
    qtbot.addWidget(live)
    live.pipeline = FakePipeline(live)
    tab.connect_pages({"live": live, "network": tab})
    tab.set_spec(0.25, 128, 1001)
    tab.resize(1280, 800)
    tab.show()
    with qtbot.waitSignal(tab.roofline.roofs_changed, timeout=60_000):
        tab.tabs.setCurrentWidget(tab.roofline)
    spec = tab.spec
    layers = tuple(LayerTiming(l.name, l.type, l.macs, l.params, MS[l.type])
                   for l in spec.layers)
    live.pipeline.resultReady.emit(InferenceResult((), 10.0, 1.0, layers, False), None)
    tab.refresh_now()
    warning = tab.roofline.warning
    assert "other programs used 140 % CPU while timing" in warning.text()
    assert not warning.isHidden()
    tab.show_timing(InferenceResult((), 10.0, 1.0, layers, False), "profile")
    tab.refresh_now()
    assert "other programs" not in warning.text()
    qtbot.waitUntil(lambda: not tab.busy(), timeout=10_000)
    tab.shutdown()
