"""`--precision float|int8` on bench and export-onnx, and `bench --compare-precision`:
the int8 graph is what runs and is written; a float checkpoint asked for int8 ends with
exit code 2 and one line."""
from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from PIL import Image

from visualizer.app import main
from visualizer.net.analysis.cpu_features import int8_note
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
    assert set(r["whole_graph_ms"]) == {"float", "int8"}
    by = {l["name"]: l["ms"] for l in r["layers"]}
    for layer in NetSpec(0.25, 128, 1001).layers:
        assert set(by[layer.name]) == {"float", "int8"}, layer.name
        assert by[layer.name]["float"] > 0 and by[layer.name]["int8"] > 0
    assert r["note"] == int8_note(tuple(r["cpu_features"]))


def test_compare_precision_table(coral, capsys):
    assert main(["bench", "--runs", "2", "--warmup", "1", "--threads", "1",
                 "--model", str(coral / QUANT), "--compare-precision"]) == 0
    out = capsys.readouterr().out
    assert "float ms" in out and "int8 ms" in out and "int8/float" in out
    assert "CPU features:" in out and "\nwhy: " in out
    assert sum(line.startswith(("dw", "pw")) for line in out.splitlines()) == 26


def test_int8_note_follows_the_features():
    assert "no AVX-VNNI" in int8_note(("avx", "fma", "avx2"))
    assert int8_note(("avx2", "avx_vnni")).startswith("avx_vnni:")
    assert "no int8 dot-product" in int8_note(())
