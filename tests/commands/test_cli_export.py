"""`export-onnx`: writes a graph onnxruntime runs; bad input exits 2 with one line."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from visualizer.app import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    s.close()
    monkeypatch.setenv("MOBILENET_VISUALIZER_BASE_URL", dead)
    monkeypatch.setenv("MOBILENET_VISUALIZER_LABELS_URL", dead + "labels.txt")
    monkeypatch.setenv("MOBILENET_VISUALIZER_CACHE", str(tmp_path / "cache"))


def run_probs(path: Path, rgb: np.ndarray, mean: float, std: float) -> np.ndarray:
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = ((rgb.astype(np.float32) - mean) / std).transpose(2, 0, 1)[None]
    return sess.run(None, {"input": x})[0][0]


def test_export_official_file(coral, litert, tmp_path, capsys):
    out = tmp_path / "m.onnx"
    src = coral / "mobilenet_v1_0.75_192_quant.tflite"
    assert main(["export-onnx", "--model", str(src), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert str(out) in said and "0.75" in said and "192" in said
    model = onnx.load(str(out))
    onnx.checker.check_model(model)
    names = {n.name for n in model.graph.node}
    assert {"conv1", "dw1", "pw1", "dw13", "pw13", "pool", "fc", "softmax"} <= names
    meta = {p.key: p.value for p in model.metadata_props}
    assert float(meta["input_mean"]) == 128.0 and meta["resolution"] == "192"
    # against LiteRT on one of the shared photos (uint8 in, as the file expects)
    from PIL import Image

    im = Image.open(coral / "grace_hopper.bmp").convert("RGB")
    s = min(im.size)
    im = im.crop(((im.size[0] - s) // 2, (im.size[1] - s) // 2,
                  (im.size[0] - s) // 2 + s, (im.size[1] - s) // 2 + s)).resize((192, 192))
    rgb = np.asarray(im, np.uint8)
    interp = litert(model_path=str(src))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], rgb[None])
    interp.invoke()
    ref = interp.get_tensor(interp.get_output_details()[0]["index"])[0]
    assert int(run_probs(out, rgb, 128.0, 128.0).argmax()) == int(ref.argmax())


def test_export_untrained(tmp_path, capsys):
    out = tmp_path / "u.onnx"
    assert main(["export-onnx", "--model", "untrained", "--alpha", "0.25",
                 "--resolution", "96", "--out", str(out)]) == 0
    assert "untrained" in capsys.readouterr().out
    probs = run_probs(out, np.zeros((96, 96, 3), np.uint8), 127.5, 127.5)
    assert probs.shape == (1001,) and abs(float(probs.sum()) - 1) < 1e-4


@pytest.mark.parametrize("args,match", [
    (["--model", "nonsense"], "unknown model"),
    (["--model", "untrained:0.5_100"], "multiple of 32"),
    (["--model", "mobilenet_v1_1.0_224"], "cannot reach"),
    (["--model", "untrained", "--alpha", "2"], "alpha"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, match):
    out = tmp_path / "x.onnx"
    try:
        code = main(["export-onnx", "--out", str(out)] + args)
    except SystemExit as e:  # argparse rejects before run()
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and match in err and err.count("\n") == 1, err
    assert not out.exists()


def test_bad_paths(tmp_path, capsys):
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"\x00" * 100)
    for args, match in [(["--model", str(junk), "--out", str(tmp_path / "a.onnx")],
                         "not a TFLite file"),
                        (["--model", "untrained", "--out", str(tmp_path / "no" / "a.onnx")],
                         "does not exist"),
                        (["--model", "untrained", "--out", str(tmp_path / "a.txt")],
                         ".onnx")]:
        assert main(["export-onnx"] + args) == 2
        err = capsys.readouterr().err
        assert match in err and err.count("\n") == 1, err
    assert list(tmp_path.glob("*.onnx")) == []


def test_real_command_line(tmp_path):
    """Through main.py in a fresh process: exit codes and no traceback."""
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "export-onnx", "--model",
                          str(tmp_path / "none.tflite"), "--out", str(tmp_path / "o.onnx")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0 and "not found" in bad.stderr
