"""Network tab: the table follows NetSpec, timings fill in, sweep and profiling run off-thread."""
from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from visualizer.net.model.mobilenet import NetSpec, summary_by_type
from visualizer.net.runtime.results import InferenceResult, LayerTiming
from visualizer.ui.network.feature_maps import pick_channels, to_rgb
from visualizer.ui.network.tab import NetworkTab
from visualizer.ui.network.sweep_view import SweepView
from visualizer.ui.network.type_table import TypeSummaryModel
from visualizer.net.analysis.shares import MIN_FRAMES, explain, type_shares

#: a fake kernel time per layer type (ms); depthwise deliberately slow for its arithmetic
FAKE_MS = {"conv": 0.3, "depthwise": 0.4, "pointwise": 0.9, "pool": 0.02, "fc": 0.05}


@pytest.fixture
def tab(qtbot):
    widget = NetworkTab()
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()  # hidden, the tab only collects timings (see test_hidden_tab_...)
    yield widget
    widget.shutdown()
    assert not widget.busy()


def fake_result(spec: NetSpec, scale: float = 1.0, frame_id: int = 0,
                overhead: float = 0.0) -> InferenceResult:
    """A timed frame: kernel times by layer type, and `overhead` ms outside the kernels."""
    timings = tuple(LayerTiming(l.name, l.type, l.macs, l.params, FAKE_MS[l.type] * scale)
                    for l in spec.layers)
    timings += (LayerTiming("softmax", "softmax", 0, 0, 0.01 * scale),)
    return InferenceResult(top5=(), total_ms=sum(t.ms for t in timings) + overhead,
                           preprocess_ms=1.0, layers=timings, trained=False,
                           frame_id=frame_id)


def table_column(tab: NetworkTab, col: int) -> list:
    m = tab.layer_model
    return [m.data(m.index(r, col), Qt.UserRole) for r in range(m.rowCount())]


@pytest.mark.parametrize("alpha,resolution,classes",
                         [(1.0, 224, 1000), (0.5, 160, 1001), (0.25, 128, 10), (0.75, 96, 1001)])
def test_table_rows_and_totals_equal_netspec(tab, alpha, resolution, classes):
    tab.set_spec(alpha, resolution, classes)
    spec = NetSpec(alpha, resolution, classes)
    layers = spec.layers
    m = tab.layer_model
    assert m.rowCount() == len(layers) + 3  # + other kernels, overhead, total
    names, macs, params = table_column(tab, 0), table_column(tab, 4), table_column(tab, 6)
    assert names[:-3] == [l.name for l in layers]
    assert names[-3:] == ["other kernels", "overhead", "Total"]
    assert macs[:-3] == pytest.approx([l.macs / 1e6 for l in layers])
    assert params[:-3] == [l.params for l in layers]
    assert macs[-1] == pytest.approx(spec.total_macs / 1e6)
    assert params[-1] == spec.total_params
    shapes = [m.data(m.index(r, 3), Qt.DisplayRole) for r in range(len(layers))]
    assert shapes == [f"{h}×{w}×{c}" for h, w, c in (l.output_shape for l in layers)]
    # shares in the table sum to 100 and match Table 2 by type
    share = table_column(tab, 5)[:-1]
    assert sum(share) == pytest.approx(100.0)
    for s in summary_by_type(layers):
        assert sum(p for p, l in zip(share, layers) if l.type == s.type) == \
            pytest.approx(s.macs_percent)
    # no timing yet
    assert all(v is None for v in table_column(tab, 7))


def test_paper_totals_and_conv_mobilenet_comparison(tab):
    tab.set_spec(1.0, 224, 1000)
    # published: 569 M mult-adds, 4.2 M params (Table 1/4); Conv MobileNet 4866 M, 29.3 M
    assert table_column(tab, 4)[-1] == pytest.approx(569, rel=0.002)
    assert "568.7 M" in tab.totals.text()
    text = tab.by_type.comparison.text()
    conv_macs = float(re.search(r"([\d,]+) M mult-adds", text).group(1).replace(",", ""))
    conv_params = float(re.search(r"([\d.]+) M\s+parameters", text).group(1))
    assert conv_macs == pytest.approx(4866, rel=0.001)
    assert conv_params == pytest.approx(29.3, abs=0.05)
    assert "8.6× the mult-adds" in text  # 4866 / 569


def test_default_spec_is_the_net_command_s(tab):
    """The tab opens on the same network `net` prints by default (1000 classes, as the
    paper counts; the tooltip says why the official checkpoints have 1001)."""
    from visualizer.app import build_parser

    args = build_parser().parse_args(["net"])
    assert tab.spec == NetSpec(args.alpha, args.resolution, args.classes)
    assert tab.spec.classes == 1000 and "1001" in tab.classes.toolTip()
    assert table_column(tab, 4)[-1] == pytest.approx(NetSpec().total_macs / 1e6)


def test_controls_update_the_table_at_once(tab):
    tab.alpha.setValue(0.5)
    assert tab.spec == NetSpec(0.5, 224, 1000)
    assert table_column(tab, 4)[-1] == pytest.approx(NetSpec(0.5, 224, 1000).total_macs / 1e6)
    tab.resolution.setValue(160)
    tab.classes.setValue(1001)
    spec = NetSpec(0.5, 160, 1001)
    assert table_column(tab, 4)[-1] == pytest.approx(spec.total_macs / 1e6)
    assert table_column(tab, 6)[-1] == spec.total_params
    assert tab.layer_model.data(tab.layer_model.index(0, 2), Qt.DisplayRole) == "160×160×3"
    assert f"{spec.total_macs / 1e6:,.1f} M" in tab.totals.text()


def test_show_timing_fills_columns_and_sentence(tab, qtbot):
    tab.set_spec(0.5, 160, 1001)
    spec = tab.spec
    tab.show_timing(fake_result(spec, 1.0))
    tab.show_timing(fake_result(spec, 2.0, frame_id=1))  # mean of 1× and 2× = 1.5×
    tab.refresh_now()
    assert tab.layer_model.data(tab.layer_model.index(1, 7), Qt.UserRole) == pytest.approx(
        FAKE_MS["depthwise"] * 1.5)
    # two frames are too few to explain the shares: the sentence waits for MIN_FRAMES
    assert "n = 2 so far" in tab.shares_page.sentence.text()
    assert "% of the time" not in tab.shares_page.sentence.text()
    assert tab.layer_model.headerData(7, Qt.Horizontal) == "Time (ms)\nn = 2"
    # 1×, 2×, 1.5×, 1.5×, 1.5× (n = 5): the trimmed mean leaves out 1× and 2×
    for i in range(2, MIN_FRAMES):
        tab.show_timing(fake_result(spec, 1.5, frame_id=i))
    qtbot.waitUntil(lambda: tab.layer_model.frames == MIN_FRAMES, timeout=2000)
    assert tab.layer_model.headerData(7, Qt.Horizontal) == f"Time (ms)\nn = {MIN_FRAMES}"
    ms = table_column(tab, 7)
    layers = spec.layers
    assert ms[:len(layers)] == pytest.approx([FAKE_MS[l.type] * 1.5 for l in layers])
    total = sum(FAKE_MS[l.type] for l in layers) * 1.5 + 0.015  # + softmax
    assert ms[-3:] == pytest.approx([0.015, 0.0, total])  # other kernels, overhead, total
    assert sum(ms[:-1]) == pytest.approx(ms[-1])  # the rows add up to the total
    gmacs = table_column(tab, 9)
    pw1 = [i for i, l in enumerate(layers) if l.name == "pw1"][0]
    assert gmacs[pw1] == pytest.approx(layers[pw1].macs / (FAKE_MS["pointwise"] * 1.5 * 1e6))
    # the sentence quotes the depthwise shares computed independently here
    dw = [l for l in layers if l.type == "depthwise"]
    dw_macs = 100 * sum(l.macs for l in dw) / spec.total_macs
    dw_time = 100 * len(dw) * FAKE_MS["depthwise"] * 1.5 / total
    text = tab.shares_page.sentence.text()
    assert f"{dw_macs:.1f}% of the mult-adds" in text
    assert f"{dw_time:.1f}% of the time" in text
    assert "memory" in text  # dw_time is many times dw_macs here
    # by-type summary carries the same time share
    s = tab.by_type.summary_model
    row = [s.value(r, 0) for r in range(s.rowCount())].index("depthwise")
    assert s.value(row, 6) == pytest.approx(dw_time)
    # a new α clears timings that no longer describe the table
    tab.alpha.setValue(0.25)
    assert all(v is None for v in table_column(tab, 7))


def test_timing_of_another_network_is_not_shown(tab):
    tab.set_spec(1.0, 224, 1001)
    tab.show_timing(fake_result(NetSpec(0.5, 224, 1001)))
    assert all(v is None for v in table_column(tab, 7))
    assert "different network" in tab.detail.note.text()


def test_live_result_of_the_previous_model_is_not_shown(tab):
    """A result still in flight when the live demo switched to a model of the same shape
    carries the old model: it is not counted for the new one."""
    from dataclasses import replace

    from live_fakes import FakeModel

    spec = NetSpec(0.5, 160, 1001)
    old, new = FakeModel(spec, name="old"), FakeModel(spec, name="new")
    tab.set_model(new)
    frame = np.zeros((8, 8, 3), np.uint8)
    tab.on_live_result(replace(fake_result(spec, 10.0), model=old), frame)
    tab.refresh_now()
    assert all(v is None for v in table_column(tab, 7)) and tab.layer_model.frames == 0
    tab.on_live_result(replace(fake_result(spec, 1.0), model=new), frame)
    tab.refresh_now()
    assert tab.layer_model.frames == 1
    assert table_column(tab, 7)[1] == pytest.approx(FAKE_MS["depthwise"])
    # a new live run starts afresh, like the Live tab's figures and exports
    tab.on_live_running(True)
    tab.refresh_now()
    assert tab.layer_model.frames == 0 and all(v is None for v in table_column(tab, 7))


def test_explain_when_depthwise_costs_what_its_arithmetic_says():
    layers = NetSpec(1.0, 224, 1000).layers
    # time proportional to mult-adds: equal shares
    mean = {l.name: l.macs / 1e9 for l in layers}
    text = explain(type_shares(layers, mean))
    assert "about what their arithmetic suggests" in text
    assert "3.1% of the mult-adds, 3.1% of the time" in text


def test_pick_channels_and_colours_against_numpy():
    rng = np.random.default_rng(3)
    maps = rng.random((20, 7, 5)).astype(np.float32)
    maps[13] += 5
    maps[2] += 3
    picked = pick_channels(maps, 4)
    brute = sorted(range(20), key=lambda c: -float(np.mean(maps[c])))[:4]
    assert picked == brute and picked[:2] == [13, 2]
    rgb = to_rgb(maps[0])
    assert rgb.shape == (7, 5, 3) and rgb.dtype == np.uint8
    lo, hi = np.unravel_index(maps[0].argmin(), (7, 5)), np.unravel_index(maps[0].argmax(), (7, 5))
    assert rgb[lo].sum() < rgb[hi].sum()  # viridis: dark blue-purple low, bright yellow high
    assert to_rgb(np.zeros((3, 3))).shape == (3, 3, 3)  # flat map: no division by zero


def test_charts_draw_type_coloured_bars(tab):
    tab.show()
    tab.show_timing(fake_result(tab.spec))
    image = tab.shares_page.chart.grab().toImage()
    ptr = image.convertToFormat(image.Format.Format_RGB888)
    arr = np.frombuffer(ptr.constBits(), np.uint8).reshape(ptr.height(), ptr.bytesPerLine())
    rgb = arr[:, : 3 * ptr.width()].reshape(ptr.height(), ptr.width(), 3).astype(int)

    def count(color: str) -> int:
        target = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(rgb - target).sum(axis=2) < 20).sum())

    from visualizer.ui.common.style import TYPE_COLORS
    # solid (time) bars of depthwise and pointwise layers are drawn in their type colours
    assert count(TYPE_COLORS["depthwise"]) > 200
    assert count(TYPE_COLORS["pointwise"]) > 200


def test_sweep_in_the_widget_completes_and_leaves_no_thread(qtbot):
    view = SweepView(alphas=(0.25,), resolutions=(128, 160))
    qtbot.addWidget(view)
    view.runs.setValue(2)
    with qtbot.waitSignal(view.sweep_finished, timeout=60_000) as blocker:
        view.start_button.click()
        assert view.busy() and not view.start_button.isEnabled()
    points = blocker.args[0]
    assert [(p.alpha, p.resolution) for p in points] == [(0.25, 128), (0.25, 160)]
    assert all(p.latency_ms > 0 for p in points)
    assert [p.macs for p in points] == [NetSpec(0.25, r, 1001).total_macs for r in (128, 160)]
    assert not view.busy() and view.task is None and view.start_button.isEnabled()
    assert view.progress.value() == 2
    assert "0.25-160" in view.status.text()  # the summary names the settings it measured
    plotted = [item for item in view.plot.getPlotItem().items
               if type(item).__name__ == "TextItem"]
    assert sorted(i.toPlainText() for i in plotted) == ["0.25-128  41.5%", "0.25-160  45.5%"]


def test_sweep_cancel_in_the_widget(qtbot):
    view = SweepView(alphas=(0.25, 0.5), resolutions=(128, 160, 192))
    qtbot.addWidget(view)
    view.runs.setValue(50)
    with qtbot.waitSignal(view.sweep_finished, timeout=60_000) as blocker:
        view.start()
        view.cancel()
    assert len(blocker.args[0]) < 6 and not view.busy()
    assert "Cancelled" in view.status.text()


def test_profile_layers_fills_measured_times(tab, qtbot):
    tab.set_spec(0.25, 128)
    with qtbot.waitSignal(tab.profile_finished, timeout=60_000):
        tab.profile_button.click()
    assert not tab.busy()
    ms = table_column(tab, 7)
    spec = NetSpec(0.25, 128, 1001)
    conv_rows = [i for i, l in enumerate(spec.layers) if l.type in ("conv", "depthwise",
                                                                    "pointwise")]
    assert all(ms[i] is not None and ms[i] > 0 for i in conv_rows)
    shares = [tab.layer_model.value(i, 8) for i in range(len(spec.layers))]
    assert 0 < sum(s for s in shares if s) <= 100.0 + 1e-9
    assert "of the time" in tab.shares_page.sentence.text()


def test_selecting_a_layer_shows_its_feature_maps(tab, qtbot):
    from visualizer.net.models import load_model
    from visualizer.net.runtime.probes import feature_maps

    model = load_model("untrained", alpha=0.25, resolution=128)
    tab.set_model(model)
    assert tab.spec == model.spec  # the table follows the live model
    rng = np.random.default_rng(5)
    frame = rng.integers(0, 256, (150, 200, 3), dtype=np.uint8)
    tab.set_last_frame(frame)
    with qtbot.waitSignal(tab.feature_maps_shown, timeout=30_000) as blocker:
        tab.select_layer("pw3")
    assert blocker.args == ["pw3"]
    expected = feature_maps(model, frame, "pw3")
    layer = [l for l in model.spec.layers if l.name == "pw3"][0]
    assert expected.shape == (layer.output_shape[2], *layer.output_shape[:2])
    assert tab.detail.maps.channels == pick_channels(expected, 8)
    assert "pw3" in tab.detail.info.text() and "32×32×32" in tab.detail.info.text()
    qtbot.waitUntil(lambda: not tab.busy(), timeout=10_000)


def test_follows_the_live_tab_pipeline(tab, qtbot):
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QWidget

    from visualizer.net.models import load_model

    class FakePipeline(QObject):
        resultReady = Signal(object, object)
        modelLoaded = Signal(object)
        runningChanged = Signal()
        running = False

    live = QWidget()
    qtbot.addWidget(live)
    live.pipeline = FakePipeline(live)
    tab.connect_pages({"live": live, "network": tab})
    model = load_model("untrained", alpha=0.5, resolution=128)
    live.pipeline.modelLoaded.emit(model)
    assert tab.spec == model.spec
    frame = np.zeros((96, 128, 3), np.uint8)
    live.pipeline.resultReady.emit(fake_result(model.spec), frame)
    assert tab._frame is frame
    ms = table_column(tab, 7)
    assert ms[0] == pytest.approx(FAKE_MS["conv"])
    # a frame without per-layer times (between profiles) leaves the shown times alone
    live.pipeline.resultReady.emit(InferenceResult((), 5.0, 1.0, (), False), frame)
    assert table_column(tab, 7)[0] == pytest.approx(FAKE_MS["conv"])
    live.pipeline.running = False
    live.pipeline.runningChanged.emit()  # a run stopping keeps its times on screen
    assert table_column(tab, 7)[0] == pytest.approx(FAKE_MS["conv"])
    live.pipeline.running = True
    live.pipeline.runningChanged.emit()  # a new run starts afresh, as the Live tab does
    tab.refresh_now()
    assert all(v is None for v in table_column(tab, 7))


def test_hidden_tab_only_collects_and_catches_up_when_shown(qtbot):
    """Following the live demo from behind another tab costs (almost) nothing: no table or
    chart work until the tab is shown, and then the shown times are the same."""
    hidden = NetworkTab()
    qtbot.addWidget(hidden)
    spec = NetSpec(0.5, 128, 1001)
    hidden.set_spec(0.5, 128, 1001)
    frame = np.zeros((64, 64, 3), np.uint8)
    calls = []
    original = hidden.shares_page.chart.update_shares
    hidden.shares_page.chart.update_shares = lambda *a: (calls.append(1), original(*a))
    for i, scale in enumerate((1.0, 2.0, 3.0)):
        hidden.on_live_result(fake_result(spec, scale, frame_id=i), frame)
    assert calls == [] and all(v is None for v in table_column(hidden, 7))
    assert hidden.detail.busy() is False  # no feature maps computed behind the scenes
    hidden.show()
    assert len(calls) == 1
    # mean of 1×, 2×, 3× with the slowest 20% of 3 frames (int(0.6) = 0) kept: 2×
    assert table_column(hidden, 7)[1] == pytest.approx(FAKE_MS["depthwise"] * 2.0)
    hidden.shutdown()


def test_first_layer_note_appears_only_when_conv1_is_slow_for_its_arithmetic(tab):
    from visualizer.net.analysis.shares import first_layer_note

    layers = NetSpec(1.0, 224, 1001).layers
    proportional = {l.name: l.macs / 1e9 for l in layers}  # time follows mult-adds
    assert first_layer_note(layers, proportional, live=True) == ""
    slow = dict(proportional, conv1=proportional["conv1"] * 4)
    total = sum(slow.values())
    conv1_pct = 100 * slow["conv1"] / total
    macs_pct = 100 * layers[0].macs / sum(l.macs for l in layers)
    note = first_layer_note(layers, slow, live=True)
    assert f"{conv1_pct:.1f}% of the time for {macs_pct:.1f}% of the mult-adds" in note
    assert "idle gap" in note
    assert "idle gap" not in first_layer_note(layers, slow, live=False)
    # in the tab: live timings with a slow conv1 add the note under the sentence
    tab.set_spec(1.0, 224, 1001)
    timings = tuple(LayerTiming(l.name, l.type, l.macs, l.params, slow[l.name])
                    for l in layers)
    for i in range(MIN_FRAMES):
        assert not tab.shares_page.cold_note.isVisible()  # waits for n = MIN_FRAMES
        tab.on_live_result(InferenceResult((), total, 1.0, timings, False, i),
                           np.zeros((8, 8, 3), np.uint8))
        tab.refresh_now()
    assert "idle gap" in tab.shares_page.cold_note.text() and tab.shares_page.cold_note.isVisible()


def test_hidden_tab_takes_a_new_network_at_once_and_sizes_its_table_when_shown(qtbot):
    """The live demo's model loaded behind another tab: the table holds its layers at
    once, but the column sizing (~10 ms of GUI-thread time) waits until the tab is shown,
    and then the columns are as wide as in a tab that was visible all along."""
    spec = NetSpec(0.5, 128, 1001)
    hidden, visible = NetworkTab(), NetworkTab()
    for t in (hidden, visible):
        qtbot.addWidget(t)
        t.resize(1280, 760)
    visible.show()
    sized = []
    original = hidden.layer_view.size_columns
    hidden.layer_view.size_columns = lambda: (sized.append(1), original())
    for t in (hidden, visible):
        t.set_spec(0.5, 128, 1001)
    assert hidden.spec == spec and hidden.layer_model.layers == spec.layers
    assert sized == []
    hidden.show()
    assert len(sized) == 1
    columns = range(hidden.layer_model.columnCount())
    assert [hidden.layer_view.columnWidth(c) for c in columns] == \
        [visible.layer_view.columnWidth(c) for c in columns]
    for t in (hidden, visible):
        t.shutdown()


def test_the_table_is_one_account_of_the_frame(tab):
    """Profiled frames of kernels + 2 ms overhead next to plain frames half as long: the
    rows are the profiled frame's parts scaled to the plain frame, they add up to the
    Total, and each time cell shows its spread."""
    tab.set_spec(0.25, 128, 1001)
    spec = tab.spec
    kernels = sum(FAKE_MS[l.type] for l in spec.layers) + 0.01
    for i in range(6):
        tab.show_timing(fake_result(spec, 1.0 + 0.01 * i, frame_id=i, overhead=2.0))
        plain = InferenceResult((), (kernels + 2.0) / 2, 1.0, (), False, 100 + i)
        tab.show_timing(plain)
    tab.refresh_now()
    ms = table_column(tab, 7)
    n = len(spec.layers)
    assert ms[-1] == pytest.approx((kernels + 2.0) / 2)
    assert sum(ms[:-1]) == pytest.approx(ms[-1])
    assert ms[n + 1] == pytest.approx(1.0, rel=0.05)  # the overhead, about halved
    assert ms[0] == pytest.approx(FAKE_MS["conv"] * 1.025 / 2, rel=0.05)
    m = tab.layer_model
    assert "±" in m.data(m.index(0, 7), Qt.DisplayRole)
    assert "p25–p75" in m.data(m.index(0, 7), Qt.ToolTipRole)
    assert "plain frames" in m.data(m.index(m.rowCount() - 1, 7), Qt.ToolTipRole)
    shares = table_column(tab, 8)
    assert sum(shares[:-1]) == pytest.approx(100.0)


@pytest.mark.parametrize("width", [1024, 1280, 1600, 1920])
def test_narrow_table_hides_input_then_params_then_share_and_keeps_the_times(qtbot, width):
    """The times are the tab's point: as the window narrows, the columns that repeat
    another (Input is the row above's Output) or sit in the details go first, in order,
    and no more than needed."""
    tab = NetworkTab()
    qtbot.addWidget(tab)
    tab.resize(width, 760)
    tab.show()
    view = tab.layer_view
    qtbot.waitUntil(lambda: getattr(view, "_widths", None) is not None)
    hidden = [c for c in range(tab.layer_model.columnCount()) if view.isColumnHidden(c)]
    assert hidden == sorted(view.HIDEABLE[:len(hidden)])  # a prefix of the order
    shown = [c for c in range(tab.layer_model.columnCount()) if c not in hidden]
    assert {7, 8, 9} <= set(shown)  # Time (ms), Time (%), GMAC/s
    if hidden:  # hiding one column fewer would not have fitted
        back = view.HIDEABLE[len(hidden) - 1]
        assert sum(view._widths[c] for c in shown) + view._widths[back] > \
            view.viewport().width()
    tab.shutdown()


def test_by_type_rows_are_the_layer_table_s_account_with_the_overhead_apart(tab):
    """The by-type table has the layer table's rows summed by type: the other kernels
    and the time outside every kernel ("overhead") as rows of their own, adding up to the
    same frame, with wording that says so."""
    tab.set_spec(0.25, 128, 1001)
    spec = tab.spec
    for i in range(6):
        tab.show_timing(fake_result(spec, 1.0 + 0.01 * i, frame_id=i, overhead=2.0))
    tab.refresh_now()
    ms = table_column(tab, 7)
    n = len(spec.layers)
    other_kernels, overhead, total = ms[n], ms[n + 1], ms[-1]
    assert overhead == pytest.approx(2.0, rel=0.05)
    s = tab.by_type.summary_model
    rows = {s.value(r, 0): r for r in range(s.rowCount())}
    assert list(rows)[-2:] == ["other", "overhead"]
    assert s.value(rows["other"], 5) == pytest.approx(other_kernels)
    assert s.value(rows["overhead"], 5) == pytest.approx(overhead)
    assert sum(s.value(r, 5) for r in rows.values()) == pytest.approx(total)
    assert sum(s.value(r, 6) for r in rows.values()) == pytest.approx(100.0)
    for t, r in rows.items():
        if t not in ("other", "overhead"):
            same = sum(v for v, l in zip(ms, spec.layers) if l.type == t)
            assert s.value(r, 5) == pytest.approx(same), t
    tip = s.data(s.index(rows["overhead"], 0), Qt.ToolTipRole)
    assert "outside every kernel" in tip
    assert "kernel time" not in s.headerData(5, Qt.Horizontal, Qt.ToolTipRole)


@pytest.mark.parametrize("width", [1024, 1920])
def test_by_type_columns_show_their_whole_figures_at_any_width(qtbot, width):
    """At 1024 px the by-type table cut its pointwise time ("11…") and its GMAC/s
    header: its columns now follow their contents as times grow a digit, and Params (%)
    gives way when they do not all fit."""
    tab = NetworkTab()
    qtbot.addWidget(tab)
    tab.resize(width, 700)
    tab.show()
    tab.tabs.setCurrentWidget(tab.by_type)
    spec = tab.spec
    for i, scale in enumerate((0.5, 0.6, 12.0, 12.5, 13.0, 12.2)):  # a digit more later
        tab.show_timing(fake_result(spec, scale, frame_id=i, overhead=2.0))
        tab.refresh_now()
    view = tab.by_type.summary_view
    qtbot.waitUntil(lambda: view.viewport().width() > 0)
    shown = [c for c in range(view.model().columnCount()) if not view.isColumnHidden(c)]
    assert {5, 6, 7} <= set(shown)  # Time (ms), Time (%), GMAC/s
    assert sum(view._widths[c] for c in shown) <= view.viewport().width()
    header = view.horizontalHeader()
    for c in shown[:-1]:  # nothing cut, neither figures nor headers
        assert view.columnWidth(c) >= max(view.sizeHintForColumn(c),
                                          header.sectionSizeHint(c)), c
    if view.isColumnHidden(TypeSummaryModel.PARAMS_COLUMN):  # only when it would not fit
        assert sum(view._widths[c] for c in shown) + \
            view._widths[TypeSummaryModel.PARAMS_COLUMN] > view.viewport().width()
    tab.shutdown()
