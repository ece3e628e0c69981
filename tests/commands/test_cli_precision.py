"""`--precision auto|float|int8` on bench and export-onnx, and `bench --compare-precision`:
the int8 graph is what runs and is written; a float checkpoint asked for int8 ends with
exit code 2 and one line; auto runs what the cached comparison chose."""
from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from PIL import Image

from visualizer.app import main
from visualizer.net.analysis.precision_why import why_line
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.runtime.preprocess import preprocess

QUANT = "mobilenet_v1_0.25_128_quant.tflite"


def test_bench_int8_times_every_layer_and_classifies_like_the_int8_graph(coral, capsys):
    photo = str(coral / "grace_hopper.bmp")
    code = main(["bench", "--json", "--runs", "4", "--warmup", "1", "--threads", "1",
                 "--model", str(coral / QUANT), "--precision", "int8", "--image", photo])
    r = json.loads(capsys.readouterr().out)
    assert code == 0 and r["precision"] == "int8"
    names = [l["name"] for l in r["layers"]]
    assert names[:29] == [l.name for l in NetSpec(0.25, 128, 1001).layers]
    assert "other" not in names and all(l["ms"] > 0 for l in r["layers"][:29])
    # top-1 of bench equals a plain onnxruntime run of the exported int8 graph
    from visualizer.net.models import load_model

    model = load_model(str(coral / QUANT), precision="int8")
    session = ort.InferenceSession(model.onnx_bytes, providers=["CPUExecutionProvider"])
    x = preprocess(np.asarray(Image.open(photo).convert("RGB")), 128, 128.0, 128.0)
    probs = session.run(None, {"input": x})[0][0]
    assert r["images"][0]["top5"][0]["index"] == int(probs.argmax())


def test_export_int8_writes_the_integer_graph(coral, tmp_path, capsys):
    out = tmp_path / "q.onnx"
    assert main(["export-onnx", "--model", str(coral / QUANT), "--precision", "int8",
                 "--out", str(out)]) == 0
    assert "int8" in capsys.readouterr().out
    proto = onnx.load(str(out))
    ops = {n.name: n.op_type for n in proto.graph.node}
    assert ops["dw1"] == ops["pw13"] == ops["fc"] == "QLinearConv"
    assert {p.key: p.value for p in proto.metadata_props}["precision"] == "int8"


@pytest.mark.parametrize("args", [
    ["bench", "--model", "untrained:0.25_96", "--precision", "int8"],
    ["bench", "--alpha", "0.25", "--resolution", "96", "--compare-precision"],
    ["export-onnx", "--model", "untrained", "--precision", "int8", "--out", "OUT"],
])
def test_int8_of_a_float_model_exits_2_with_one_line(args, tmp_path, capsys):
    args = [str(tmp_path / "m.onnx") if a == "OUT" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "quantized checkpoint" in err
    assert not (tmp_path / "m.onnx").exists()


def test_compare_precision_json(coral, capsys):
    code = main(["bench", "--json", "--runs", "4", "--warmup", "1", "--threads", "1",
                 "--model", str(coral / QUANT), "--compare-precision"])
    r = json.loads(capsys.readouterr().out)
    assert code == 0 and r["runs"] == 4
    # float, int8 and int8 with every exact conv/depthwise layer as a float island
    assert set(r["whole_graph_ms"]) == {"float", "int8", "int8 islands"}
    spec = NetSpec(0.25, 128, 1001)
    tried = [l.name for l in spec.layers if l.type in ("conv", "depthwise")]
    assert r["islands"]["int8 islands"] == tried and r["islands"]["int8"] == []
    assert set(r["island_costs"]) == set(tried)
    by = {l["name"]: l["ms"] for l in r["layers"]}
    for layer in spec.layers:
        assert {"float", "int8"} <= set(by[layer.name]), layer.name
        assert by[layer.name]["float"] > 0 and by[layer.name]["int8"] > 0
    assert r["note"] == why_line(r)  # written from the printed numbers
    assert r["formats"]["int8"].startswith("uint8 activations")
    choice = r["choice"]
    assert choice["precision"] in ("float", "int8") and choice["threads"] == 1
    assert choice["chosen"] in r["whole_graph_ms"] and r["remembered"] is False  # 4 runs


def test_compare_precision_table(coral, capsys):
    assert main(["bench", "--runs", "2", "--warmup", "1", "--threads", "1",
                 "--model", str(coral / QUANT), "--compare-precision"]) == 0
    out = capsys.readouterr().out
    assert "float ms" in out and "int8 ms" in out and "int8/float" in out
    assert "CPU features:" in out and "\nwhy: " in out and "\nauto here: " in out
    assert "float island / int8" in out and "int8 formats: uint8 activations" in out
    assert sum(line.startswith(("dw", "pw")) for line in out.splitlines()) == 26


def test_bench_auto_runs_what_the_cached_comparison_chose(coral, capsys, command_cache):
    """A cached choice (here a made-up one) is what --precision auto runs, islands and
    all, and the run says so; nothing is measured again."""
    from visualizer.net.analysis.precision_choice import PrecisionChoice, save_choice
    from visualizer.net.analysis.precision_load import load_precision

    q = load_precision(str(coral / QUANT), "int8")
    fake = PrecisionChoice("int8", ("conv1", "dw1"), {"float": 2.0, "int8": 1.5,
                                                      "int8 islands": 1.0}, 1, q.name,
                           chosen="int8 islands")
    save_choice(fake, q)
    code = main(["bench", "--json", "--runs", "2", "--warmup", "1", "--threads", "1",
                 "--no-roofs", "--model", str(coral / QUANT), "--precision", "auto"])
    r = json.loads(capsys.readouterr().out)
    assert code == 0 and r["precision"] == "int8"
    assert r["float_islands"] == ["conv1", "dw1"] and r["auto"] == fake.describe()
    assert "0.50× float" in r["auto"]
    # other threads: no cached choice for them; an untrained model is float, unmeasured
    code = main(["bench", "--json", "--runs", "2", "--warmup", "1", "--threads", "1",
                 "--no-roofs", "--model", "untrained:0.25_96", "--precision", "auto"])
    r = json.loads(capsys.readouterr().out)
    assert code == 0 and r["precision"] == "float" and "no int8" in r["auto"]
