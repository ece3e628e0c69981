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
