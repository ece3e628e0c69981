"""compare_precisions' progress and cancel (used by the Network tab's "Float vs int8" page)
and type_ratios, on the shared quant checkpoint; existing callers pass neither."""
from __future__ import annotations

import pytest

from visualizer.net.analysis import precision_compare as pc
from visualizer.net.models import load_model
from visualizer.net.runtime.preprocess import preprocess
from visualizer.net.runtime.profile_job import synthetic_image

QUANT = "mobilenet_v1_0.25_128_quant.tflite"


@pytest.fixture(scope="module")
def models_and_input(coral):
    models = {p: load_model(str(coral / QUANT), precision=p) for p in ("float", "int8")}
    m = models["float"]
    return models, preprocess(synthetic_image(128), 128, m.input_mean, m.input_std)


def test_progress_follows_the_blocks_and_types_are_summed(models_and_input):
    models, x = models_and_input
    seen = []
    r = pc.compare_precisions(models, x, runs=pc.BLOCK + 2, warmup=1, threads=1,
                              progress=seen.append, cancelled=lambda: False)
    assert seen == [pc.BLOCK / (pc.BLOCK + 2), 1.0]
    assert set(r["whole_graph_ms"]) == {"float", "int8"}
    ratios = pc.type_ratios(r)
    for t in ("conv", "depthwise", "pointwise", "fc"):
        rows = [l["ms"] for l in r["layers"] if l["type"] == t]
        assert len(rows) == {"conv": 1, "depthwise": 13, "pointwise": 13, "fc": 1}[t]
        assert ratios[t] == pytest.approx(sum(m["int8"] for m in rows)
                                          / sum(m["float"] for m in rows))


def test_cancelled_returns_none_after_the_first_block(models_and_input):
    models, x = models_and_input
    seen = []
    r = pc.compare_precisions(models, x, runs=3 * pc.BLOCK, warmup=1, threads=1,
                              progress=seen.append, cancelled=lambda: True)
    assert r is None and seen == [1 / 3]


class _FakeRunner:
    """Plain runs of `plain_ms`; profiled runs of `profiled_ms`, whose two layers take
    `kernels` ms: what a profiler costs, without one."""

    def __init__(self, model, threads=None, per_layer=True, *, keep_history=False,
                 profile_every=None, spin=None, **_):
        from visualizer.net.runtime.results import LayerTiming

        self.model, self.profiled = model, keep_history
        self.history = []
        self.rows = (LayerTiming("dw1", "depthwise", 1000, 10, 6.0),
                     LayerTiming("pw1", "pointwise", 8000, 20, 2.0))

    def infer_tensor(self, x):
        if not self.profiled:
            return None, self.model.plain_ms, ()
        self.history.append((self.model.profiled_ms, None, self.rows))
        return None, self.model.profiled_ms, self.rows

    def flush(self):
        return ()

    def close(self):
        pass


def test_whole_graph_times_are_plain_runs_and_the_rows_add_up_to_them(monkeypatch):
    """Profiled runs of 10 ms (8 in kernels), plain runs of 4 (float) and 3 (int8) ms: the
    whole graph is the plain runs', and each precision's rows, the time outside the
    kernels included, are scaled to add up to it."""
    from types import SimpleNamespace

    import visualizer.net.runtime.runner as runner_module

    monkeypatch.setattr(runner_module, "Runner", _FakeRunner)
    models = {"float": SimpleNamespace(plain_ms=4.0, profiled_ms=10.0, precision="float"),
              "int8": SimpleNamespace(plain_ms=3.0, profiled_ms=10.0, precision="int8")}
    monkeypatch.setattr(pc, "_weight_formats", lambda m: {})
    r = pc.compare_precisions(models, None, runs=pc.BLOCK, warmup=1)
    assert r["whole_graph_ms"] == {"float": pytest.approx(4.0), "int8": pytest.approx(3.0)}
    by = {l["name"]: l for l in r["layers"]}
    assert [l["name"] for l in r["layers"]] == ["dw1", "pw1", "overhead"]
    for p, whole in (("float", 4.0), ("int8", 3.0)):
        assert sum(l["ms"][p] for l in r["layers"]) == pytest.approx(whole)
        assert by["dw1"]["ms"][p] == pytest.approx(6.0 * whole / 10.0)
        assert by["overhead"]["ms"][p] == pytest.approx(2.0 * whole / 10.0)


class _LayoutRunner(_FakeRunner):
    """Profiled runs of `profiled_ms` plus one layout node (Transpose_7) whose time
    varies from run to run (one run of five 10× the fastest), as a "layout" row and as
    a node of the run's profile; dw1 5 ms, pw1 2 ms, 3 ms outside the kernels."""

    LAYOUT_MS = (0.5, 1.0, 1.0, 2.5, 5.0)  # trimmed mean 1.5, median 1.0

    def __init__(self, model, threads=None, per_layer=True, **kwargs):
        super().__init__(model, threads, per_layer, **kwargs)
        self.k = 0

    def infer_tensor(self, x):
        from visualizer.net.runtime.profiling import NodeEvent, RunProfile
        from visualizer.net.runtime.results import LayerTiming

        if not self.profiled:
            return None, self.model.plain_ms, ()
        layout = self.LAYOUT_MS[self.k % len(self.LAYOUT_MS)]
        self.k += 1
        rows = (LayerTiming("dw1", "depthwise", 1000, 10, 5.0),
                LayerTiming("layout", "layout", 0, 0, layout),
                LayerTiming("pw1", "pointwise", 8000, 20, 2.0))
        wall = self.model.profiled_ms + layout
        run = RunProfile(int(wall * 1000), (NodeEvent("dw1_conv", "Conv", 5000),
                                            NodeEvent("Transpose_7", "Transpose",
                                                      int(layout * 1000)),
                                            NodeEvent("pw1_conv", "Conv", 2000)))
        self.history.append((wall, run, rows))
        return None, wall, rows


def test_layout_nodes_are_on_the_footing_of_the_rows_they_are_added_to(monkeypatch):
    """A layout node's figure is the account's statistic of its times, scaled by its
    graph's account scale like every row: so it equals the layout row it makes up, and
    an island's cost (its row plus the layout nodes it owns) is all scaled alike."""
    from types import SimpleNamespace

    import visualizer.net.runtime.runner as runner_module
    from visualizer.net.analysis import precision_choice as pch

    monkeypatch.setattr(runner_module, "Runner", _LayoutRunner)
    monkeypatch.setattr(pc, "_weight_formats", lambda m: {})
    int8, isl = pch.INT8, pch.ISLANDS
    models = {int8: SimpleNamespace(plain_ms=4.0, profiled_ms=10.0, precision="int8"),
              isl: SimpleNamespace(plain_ms=3.0, profiled_ms=10.0, precision="int8",
                                   islands=("dw1",))}
    r = pc.compare_precisions(models, None, runs=pc.BLOCK, warmup=1)
    by = {l["name"]: l for l in r["layers"]}
    decomposed = 5.0 + 1.5 + 2.0 + 3.0  # the rows' trimmed means, as profiled
    for p, plain in ((int8, 4.0), (isl, 3.0)):
        scale = plain / decomposed
        assert r["scale"][p] == pytest.approx(scale)
        assert by["layout"]["ms"][p] == pytest.approx(1.5 * scale)
        assert r["layout_nodes"][p] == {"Transpose_7": pytest.approx(1.5 * scale)}
    costs = pch.island_costs(r, {int8: {}, isl: {"Transpose_7": "dw1"}})
    assert costs["dw1"]["int8"] == pytest.approx(5.0 * 4.0 / decomposed)
    assert costs["dw1"]["island"] == pytest.approx((5.0 + 1.5) * 3.0 / decomposed)
