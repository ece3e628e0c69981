"""The "Float vs int8" page of the Network tab: its bars are the compare_precisions result it
receives, a float model leaves Compare disabled with the reason, the comparison runs off
the GUI thread, and shutdown stops it."""
from __future__ import annotations

import threading

import numpy as np
import pyqtgraph as pg
import pytest

from visualizer.net.analysis import precision_compare as pc
from visualizer.net.models import load_model
from visualizer.net.runtime.preprocess import preprocess
from visualizer.net.runtime.profile_job import synthetic_image
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.qtthreads.task import stop
from visualizer.ui.network.precision_page import PrecisionPage, not_comparable
from visualizer.ui.network.tab import NetworkTab

QUANT = "mobilenet_v1_0.25_128_quant.tflite"


@pytest.fixture(scope="module")
def quant_models(coral):
    path = str(coral / QUANT)
    return {p: load_model(path, precision=p) for p in ("float", "int8")}


@pytest.fixture(scope="module")
def comparison(quant_models):
    m = quant_models["float"]
    x = preprocess(synthetic_image(128), 128, m.input_mean, m.input_std)
    return {"model": m.name, **pc.compare_precisions(quant_models, x, runs=3, warmup=1,
                                                     threads=1)}


@pytest.fixture
def page(qtbot):
    w = PrecisionPage(threads=1, runs=3, warmup=1)
    qtbot.addWidget(w)
    w.resize(900, 700)
    w.show()
    yield w
    stop(w.shutdown())
    qtbot.waitUntil(lambda: not w.busy(), timeout=60_000)


def test_bars_are_the_comparison_result(page, comparison, quant_models):
    page.set_model(quant_models["int8"])
    assert page.button.isEnabled()
    assert not page.plot.isVisibleTo(page)  # no empty chart before a result
    page.show_result(comparison)
    assert page.plot.isVisibleTo(page) and page.summary.isVisibleTo(page)
    layers = comparison["layers"]
    assert page.names == [l["name"] for l in layers]
    assert page.float_ms.tolist() == [l["ms"]["float"] for l in layers]
    assert page.int8_ms.tolist() == [l["ms"]["int8"] for l in layers]
    # the drawn bars: one float and one int8 bar per layer, in network order, type colours
    f, q = page.float_bars.opts, page.int8_bars.opts
    assert np.array_equal(f["width"], page.float_ms) and np.array_equal(q["width"],
                                                                         page.int8_ms)
    assert np.all(np.asarray(q["y"]) - np.asarray(f["y"]) > 0)  # int8 below float
    assert [pg.mkBrush(b).color().name() for b in q["brushes"]] == [
        TYPE_COLORS.get(l["type"], TYPE_COLORS["other"]) for l in layers]
    # hovering a row names the layer and its two medians
    from PySide6.QtCore import QPointF

    vb = page.plot.getPlotItem().vb
    page._on_mouse(vb.mapViewToScene(QPointF(0.001, 1.2)))
    l1 = layers[1]
    assert page.hover.text().startswith(f"{l1['name']}: float {l1['ms']['float']:.3f} ms")
    assert f"int8 {l1['ms']['int8']:.3f} ms" in page.hover.text()
    # whole graph, per-type ratios, CPU features and the why, as the result says
    w = comparison["whole_graph_ms"]
    text = page.summary.text()
    assert f"{w['float']:.2f} ms" in text and f"{w['int8']:.2f} ms" in text
    ratios = pc.type_ratios(comparison)
    assert set(ratios) == {"conv", "depthwise", "pointwise", "fc"}
    for t, v in ratios.items():
        f_sum = sum(l["ms"]["float"] for l in layers if l["type"] == t)
        q_sum = sum(l["ms"]["int8"] for l in layers if l["type"] == t)
        assert v == pytest.approx(q_sum / f_sum)
        assert f"{t} <b>{v:.2f}</b>" in text
    assert comparison["note"] in page.why.text()
    for feature in comparison["cpu_features"]:
        assert feature in page.why.text()


def test_a_float_model_disables_compare_with_the_reason(page, coral):
    untrained = load_model("untrained:0.25_128")
    for model, words in ((None, "No live model"), (untrained, "not a quantized")):
        page.set_model(model)
        assert not page.button.isEnabled()
        assert words in page.status.text() and "_quant" in page.status.text()
    page.start()  # ignored
    assert not page.busy()
    # an official float name is refused by name, a quantized one accepted (no download:
    # only the name is looked at)
    from dataclasses import replace

    assert "float weights" in not_comparable(replace(untrained, source="mobilenet_v1_0.5_160"))
    assert not_comparable(replace(untrained, source="mobilenet_v1_0.5_160_quant")) is None


def test_compare_runs_off_the_gui_thread_and_draws(page, qtbot, quant_models, monkeypatch):
    threads = []
    real = pc.compare_precisions

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(pc, "compare_precisions", recording)
    page.set_model(quant_models["float"])  # the job loads int8 from the model's source
    assert quant_models["float"].source.endswith(QUANT)
    progress = []
    with qtbot.waitSignal(page.compared, timeout=100_000) as got:
        page.start()
        page._task.progressed.connect(progress.append)
        assert page.busy() and not page.button.isEnabled()
    qtbot.waitUntil(lambda: not page.busy(), timeout=10_000)
    assert threads and threads[0] is not threading.main_thread()
    r = got.args[0]
    assert r["model"] == quant_models["float"].name and r["runs"] == 3
    assert page.float_ms.tolist() == [l["ms"]["float"] for l in r["layers"]]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert page.button.isEnabled() and not page.progress.isVisible()


def test_cancel_button_stops_the_comparison_without_a_result(page, qtbot, quant_models):
    page.runs = 50  # ten blocks: cancelled after the first
    page.set_model(quant_models["int8"])
    drawn = []
    page.compared.connect(drawn.append)
    page.start()
    assert page.cancel_button.isVisibleTo(page)
    page.cancel_button.click()
    qtbot.waitUntil(lambda: not page.busy(), timeout=60_000)
    assert drawn == [] and page.result is None
    assert "cancelled" in page.status.text() and page.button.isEnabled()
    assert not page.cancel_button.isVisibleTo(page)


def test_shutdown_stops_a_running_comparison(page, qtbot, quant_models):
    page.runs = 50
    page.set_model(quant_models["int8"])
    page.start()
    task = page.shutdown()
    assert page.busy() and task is page._task
    stop(task)  # cancels, waits briefly, detaches it if it is still loading
    qtbot.waitUntil(lambda: not page.busy(), timeout=60_000)
    assert page.button.isEnabled() and page.result is None


def test_the_network_tab_hands_the_live_model_to_the_page(qtbot, quant_models):
    tab = NetworkTab(threads=1)
    qtbot.addWidget(tab)
    try:
        assert not tab.precision.button.isEnabled()
        tab.set_model(quant_models["int8"])
        assert tab.precision.model is quant_models["int8"]
        assert tab.precision.button.isEnabled()
        assert "Float vs int8" in [tab.tabs.tabText(i) for i in range(tab.tabs.count())]
        tab.precision.start()
        assert tab.busy()
    finally:
        tab.shutdown()
    qtbot.waitUntil(lambda: not tab.busy(), timeout=60_000)


def test_islands_and_the_auto_choice_are_shown_as_measured(page, qtbot, comparison,
                                                           quant_models):
    """A comparison that tried float islands: which paid, the plain re-timing that
    decided, what auto picks; the hover gives a layer's island cost; a short page labels
    every k-th layer and the axis fits the widest name."""
    from visualizer.net.analysis.precision_choice import PrecisionChoice

    costs = {"conv1": {"int8": 0.30, "island": 0.20}, "dw1": {"int8": 0.10, "island": 0.12}}
    choice = PrecisionChoice("int8", ("conv1",), {"float": 2.0, "int8": 1.2,
                                                  "int8 islands": 1.1}, 1, "m",
                             chosen="int8 islands")
    r = {**comparison, "island_costs": costs, "choice": choice, "remembered": True}
    page.set_model(quant_models["int8"])
    page.show_result(r)
    text = page.summary.text()
    assert "tried on 2 conv/depthwise layers; faster than int8 (with their layout " \
        "conversions): conv1 — timed again, plain: float 2.00 ms, int8 1.20 ms, with " \
        "islands 1.10 ms; kept: <b>conv1</b>" in text
    assert f"<b>auto</b> here: {choice.describe()}" in text
    assert "too few runs" not in text
    row = page.names.index("conv1")
    assert page.describe(row).endswith("as an exact float island 0.200 ms vs int8 0.300 ms "
                                       "(each with its layout conversions)")
    assert "island" not in page.describe(page.names.index("pw1"))
    axis = page.plot.getAxis("left")
    page.resize(900, 1400)
    qtbot.waitUntil(lambda: len(axis._tickLevels[0]) == len(page.names), timeout=5_000)
    page.resize(900, 420)
    qtbot.waitUntil(lambda: len(axis._tickLevels[0]) < len(page.names), timeout=5_000)
    assert axis._tickLevels[0][0] == (0, "conv1")
    assert page.text_area.height() <= 0.4 * page.height() + 1
