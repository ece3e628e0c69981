"""Precision "auto": the choice from fake comparisons (float, int8, float islands with and
without a confirming run), the island costs with the layout nodes each owns, the cache
(per threads), the loader that follows a cached choice without measuring, and the why
line written from a comparison's numbers."""
from __future__ import annotations

import pytest

from visualizer.net.analysis import precision_choice as pch
from visualizer.net.analysis import precision_compare as pcm
from visualizer.net.analysis import precision_load as pl
from visualizer.net.analysis.precision_why import why_line
from visualizer.net.model.mobilenet import NetSpec

FLOAT, INT8, ISL = pch.FLOAT, pch.INT8, pch.ISLANDS
QUANT = "mobilenet_v1_0.25_128_quant.tflite"


def _choose(whole, candidates):
    return pch.choose(whole, candidates, threads=2, model="m", runs=20)


def test_the_faster_whole_graph_wins():
    both = {FLOAT: (), INT8: ()}
    assert _choose({FLOAT: 2.0, INT8: 1.1}, both).precision == "int8"
    c = _choose({FLOAT: 1.0, INT8: 1.4}, both)
    assert c.precision == "float" and c.islands == () and c.chosen == FLOAT
    assert c.ratio == pytest.approx(1.4) and "int8 measured 1.40× float's time" in c.describe()
    assert "2 threads" in c.describe()


def test_islands_must_beat_the_plain_graphs_by_the_margin():
    cands = {FLOAT: (), INT8: (), ISL: ("conv1", "dw1")}
    c = _choose({FLOAT: 2.0, INT8: 1.0, ISL: 0.9}, cands)
    assert (c.precision, c.islands, c.chosen) == ("int8", ("conv1", "dw1"), ISL)
    assert c.ratio == pytest.approx(0.45)
    assert c.describe().startswith("int8 with conv1, dw1 as exact float islands: measured "
                                   "0.45×")
    near = _choose({FLOAT: 2.0, INT8: 1.0, ISL: 0.97}, cands)  # 3 %: not worth it
    assert (near.precision, near.islands) == ("int8", ())
    # islands that beat int8 but not float: float
    assert _choose({FLOAT: 1.0, INT8: 1.5, ISL: 1.2}, cands).precision == "float"
    with pytest.raises(ValueError):
        _choose({}, cands)


def _fake_result(layers_ms: dict, layout: dict, islands=("conv1", "dw1")) -> dict:
    rows = [{"name": n, "type": "depthwise" if n.startswith("dw") else "conv", "macs": 1,
             "ms": ms} for n, ms in layers_ms.items()]
    rows.append({"name": "layout", "type": "layout", "macs": 0,
                 "ms": {k: sum(v.values()) for k, v in layout.items()}})
    return {"layers": rows, "layout_nodes": layout,
            "islands": {INT8: [], ISL: list(islands)}, "whole_graph_ms": {}}


def test_island_costs_add_the_layout_nodes_each_layer_owns():
    r = _fake_result({"conv1": {INT8: 0.30, ISL: 0.10}, "dw1": {INT8: 0.20, ISL: 0.15}},
                     {INT8: {"Transpose": 0.05}, ISL: {"ReorderInput": 0.04,
                                                      "ReorderOutput": 0.03,
                                                      "Transpose_token_9": 0.10}})
    owners = {INT8: {"Transpose": "conv1"},
              ISL: {"ReorderInput": "conv1", "ReorderOutput": "conv1",
                    "Transpose_token_9": "dw1"}}
    costs = pch.island_costs(r, owners)
    assert costs["conv1"] == {"int8": pytest.approx(0.35), "island": pytest.approx(0.17)}
    assert costs["dw1"] == {"int8": pytest.approx(0.20), "island": pytest.approx(0.25)}
    assert pch.island_set(costs) == ("conv1",)


def test_measure_confirms_a_subset_of_islands_with_plain_runs(monkeypatch):
    """Only conv1's island pays: float, int8 and int8 + conv1 are timed again, plain,
    and the choice is made from those times."""
    r = _fake_result({"conv1": {FLOAT: 0.1, INT8: 0.30, ISL: 0.10},
                      "dw1": {FLOAT: 0.1, INT8: 0.20, ISL: 0.30}}, {INT8: {}, ISL: {}})
    r["whole_graph_ms"] = {FLOAT: 2.0, INT8: 1.0, ISL: 1.05}
    calls = {}

    def compare(models, x, runs, warmup, threads, progress=None, cancelled=None):
        calls["compare"] = list(models)
        progress(1.0)
        return r

    def plain(models, x, runs, warmup, threads, cancelled=None):
        calls["plain"] = {k: getattr(m, "islands", ()) for k, m in models.items()}
        return {FLOAT: 2.0, INT8: 1.0, ISL: 0.8}

    class M:
        def __init__(self, islands=()):
            self.islands, self.name, self.spec = islands, "m", NetSpec(0.25, 128, 1001)

    monkeypatch.setattr(pcm, "compare_precisions", compare)
    monkeypatch.setattr(pcm, "plain_times", plain)
    monkeypatch.setattr(pch, "layout_owners", lambda model: {})
    models = {FLOAT: M(), INT8: M(), ISL: M(("conv1", "dw1"))}
    seen = []
    out = pch.measure(models, lambda keep: M(keep), None, 20, 1, 1, progress=seen.append)
    result, choice = out
    assert calls["compare"] == [FLOAT, INT8, ISL]
    assert calls["plain"] == {FLOAT: (), INT8: (), ISL: ("conv1",)}
    assert (choice.precision, choice.islands) == ("int8", ("conv1",))
    assert choice.whole_graph_ms == {FLOAT: 2.0, INT8: 1.0, ISL: 0.8}
    assert result["island_costs"]["dw1"]["island"] > result["island_costs"]["dw1"]["int8"]
    assert seen[-1] == 1.0
    # no island pays: no second run, int8
    r["layers"][0]["ms"][ISL] = 0.5
    calls.clear()
    _, choice = pch.measure(models, lambda keep: M(keep), None, 20, 1, 1)
    assert "plain" not in calls and (choice.precision, choice.islands) == ("int8", ())


def test_the_cache_is_per_thread_count_and_round_trips(tmp_path, coral):
    q = pl.load_precision(str(coral / QUANT), "int8")
    c = pch.PrecisionChoice("int8", ("dw1",), {FLOAT: 1.0, ISL: 0.5}, 2, q.name, 30,
                            "1.x", 123.0, ISL)
    pch.save_choice(c, q, tmp_path)
    assert pch.cached_choice(q, 2, tmp_path) == c
    assert pch.cached_choice(q, 1, tmp_path) is None
    pch.cache_file(q, 2, tmp_path).write_text("{not json")
    assert pch.cached_choice(q, 2, tmp_path) is None


def test_auto_loads_the_cached_choice_without_measuring(tmp_path, coral, monkeypatch):
    monkeypatch.setattr(pl, "compare_and_choose",
                        lambda *a, **k: pytest.fail("measured although a choice is cached"))
    src = str(coral / QUANT)
    q = pl.load_precision(src, "int8", cache=tmp_path)
    assert q.precision == "int8" and q.kernels.startswith("uint8 activations")
    for choice, want in (
            (pch.PrecisionChoice("float", (), {FLOAT: 1.0, INT8: 1.3}, 1, q.name,
                                 chosen=FLOAT), ("float", ())),
            (pch.PrecisionChoice("int8", ("conv1",), {FLOAT: 2.0, ISL: 1.0}, 1, q.name,
                                 chosen=ISL), ("int8", ("conv1",)))):
        pch.save_choice(choice, q, tmp_path)
        m = pl.load_precision(src, "auto", threads=1, cache=tmp_path)
        assert (m.precision, m.islands) == want and m.auto == choice.describe()
    f = pl.load_precision("untrained:0.25_128", "auto", threads=1, cache=tmp_path)
    assert f.precision == "float" and f.auto.startswith("float: no int8")
    with pytest.raises(pl.ModelError, match="unknown precision"):
        pl.load_precision(src, "half")


def test_auto_measures_once_then_remembers(tmp_path, coral, monkeypatch):
    calls = []
    real = pl.compare_and_choose

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pl, "compare_and_choose", counting)
    monkeypatch.setattr(pl, "AUTO_RUNS", pl.MIN_RUNS_TO_REMEMBER)
    monkeypatch.setattr(pl, "LoadWatch", _quiet_watch)  # shared machines
    seen = []
    src = str(coral / QUANT)
    m = pl.load_precision(src, "auto", threads=1, cache=tmp_path, measuring=seen.append)
    assert calls == [1] and seen[-1] == 1.0 and m.auto
    again = pl.load_precision(src, "auto", threads=1, cache=tmp_path)
    assert calls == [1] and (again.precision, again.islands, again.auto) == \
        (m.precision, m.islands, m.auto)
    with pytest.raises(pl.ModelError, match="measurement cancelled"):
        pl.load_precision(src, "auto", threads=2, cache=tmp_path, cancel=lambda: True)


def _why_result(**ms):
    layers = [{"name": n, "type": t, "macs": 1, "ms": {"float": f, "int8": q}}
              for n, (t, f, q) in ms.items()]
    return {"layers": layers, "whole_graph_ms": {"float": 2.0, "int8": 1.2},
            "cpu_features": ["avx2", "avx512_vnni"],
            "weight_formats": {"int8": {"dw2": "int8 symmetric"}}}


def test_the_why_line_is_written_from_the_numbers():
    r = _why_result(conv1=("conv", 0.1, 0.2), dw1=("depthwise", 0.2, 0.4),
                    dw2=("depthwise", 0.1, 0.08), pw1=("pointwise", 1.0, 0.4))
    line = why_line(r)
    assert line.startswith("int8 takes 0.60× float's time here")
    assert "pointwise 0.40× (71 % of float's time: avx512_vnni: 4 int8 multiply-adds" in line
    assert "depthwise 1.60× (21 %" in line and "symmetric: dw2 0.80×" in line
    assert "the first conv 2.00×" in line
    assert line.index("pointwise") < line.index("depthwise") < line.index("first conv")
    r["cpu_features"] = ["avx2"]
    r["layers"][3]["ms"]["int8"] = 1.5
    other = why_line(r)
    assert "pointwise 1.50×" in other and "no int8 dot-product instruction" in other
    assert why_line({"layers": [], "whole_graph_ms": {}}).startswith("not enough")


def test_auto_of_an_exported_graph_runs_the_precision_it_holds(tmp_path, coral):
    q = pl.load_precision(str(coral / QUANT), "int8")
    f = pl.load_precision(str(coral / QUANT), "float")
    for model, want in ((q, "int8"), (f, "float")):
        path = tmp_path / f"{want}.onnx"
        path.write_bytes(model.onnx_bytes)
        m = pl.load_precision(str(path), "auto", threads=1, cache=tmp_path)
        assert m.precision == want and m.auto.startswith(want)


def _watch(others_percent: float, cores: int = 2):
    """A LoadWatch reading made-up counters: over 2 s, other programs used
    `others_percent` % of one core."""
    from visualizer.net.analysis.machine_load import CpuSnapshot, LoadWatch

    def make(threads):
        readings = iter([CpuSnapshot(0.0, 10.0, 1.0, cores),
                         CpuSnapshot(2.0, 10.0 + 2.0 * others_percent / 100, 1.0, cores)])
        return LoadWatch(threads, read=lambda: next(readings))
    return make


_quiet_watch = _watch(0.0)


def test_a_measurement_on_a_busy_machine_is_not_remembered(monkeypatch):
    """Other programs' CPU use over the measurement (LoadWatch, made-up counters): a
    contended one is shown but not remembered, and says why; a quiet one is saved."""
    from types import SimpleNamespace

    import numpy as np

    saved = []
    choice = pch.PrecisionChoice("int8", (), {FLOAT: 2.0, INT8: 1.0}, 1, "m", chosen=INT8)
    monkeypatch.setattr(pl, "island_candidates", lambda q: ())
    monkeypatch.setattr(pl, "measure", lambda *a, **k: ({"runs": 20}, choice))
    monkeypatch.setattr(pl, "save_choice", lambda c, q, cache: saved.append(c))
    q = SimpleNamespace(name="m")
    x = np.zeros((1, 3, 8, 8), np.float32)
    for others, busy in ((20.0, False), (100.0, False), (140.0, True)):  # 2 cores, 1 thread
        saved.clear()
        monkeypatch.setattr(pl, "LoadWatch", _watch(others))
        r = pl.compare_and_choose(q, q, None, 1, 20, 1, x=x)
        assert r["remembered"] is not busy and saved == ([] if busy else [choice])
        assert r["machine_load"]["others_cpu_percent"] == pytest.approx(others)
        assert r["machine_load"]["contended"] is busy
        assert (r["not_remembered"] ==
                "other programs used 140 % CPU while timing (2 cores, 1 needed): "
                "figures inflated") if busy else r["not_remembered"] == ""
    # counters that cannot be read: remembered (as before, without a load average)
    saved.clear()
    monkeypatch.setattr(pl, "LoadWatch", lambda threads: SimpleNamespace(stop=lambda: None))
    r = pl.compare_and_choose(q, q, None, 1, 20, 1, x=x)
    assert r["remembered"] and r["machine_load"] is None and saved == [choice]
    # too few runs wins over the load
    monkeypatch.setattr(pl, "LoadWatch", _watch(140.0))
    r = pl.compare_and_choose(q, q, None, 1, pl.MIN_RUNS_TO_REMEMBER - 1, 1, x=x)
    assert r["not_remembered"] == f"fewer than {pl.MIN_RUNS_TO_REMEMBER} runs"
