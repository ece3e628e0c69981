"""`bench`: JSON keys and shapes against the network spec and a plain onnxruntime run;
exit code 2 with one line for bad input."""
from __future__ import annotations

import json
import re

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from visualizer.app import main
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.models import load_model
from visualizer.net.runtime.preprocess import preprocess


def _bench(capsys, *args: str) -> dict:
    code = main(["bench", "--json", "--runs", "6", "--warmup", "1", "--threads", "1", *args])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_json_report_for_an_untrained_model_with_images(tmp_path, capsys) -> None:
    rng = np.random.default_rng(2)
    paths = []
    for i, size in enumerate([(90, 140), (200, 120)]):
        p = tmp_path / f"img{i}.png"
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(p)
        paths.append(str(p))
    r = _bench(capsys, "--alpha", "0.25", "--resolution", "96", "--image", paths[0],
               "--image", paths[1])
    assert {"whole_graph_ms", "timed_ms", "per_frame_ms", "overhead_ratio", "coverage",
            "layers", "images", "profile_every", "frames", "plain_runs"} <= set(r)
    assert r["trained"] is False and r["runs"] == 6
    assert r["whole_graph_ms"] > 0 and r["timed_ms"] > 0
    assert r["overhead_ratio"] > 0 and r["scale"] > 0
    # one frame in N is profiled, as in the live demo: 6 timed frames took more frames
    assert r["profile_every"] >= 4 and r["frames"] >= 6 * 4 and r["plain_runs"] >= 6 * 4
    assert r["statistic"].startswith("trimmed mean")
    # one account of a frame: the rows (kernel times and the overhead outside them) add up
    # to the plain whole-graph time, each with its spread
    assert r["coverage"] == pytest.approx(1.0, rel=1e-9)
    assert sum(l["ms"] for l in r["layers"]) == pytest.approx(r["whole_graph_ms"], rel=1e-9)
    assert r["whole_graph_p25_ms"] <= r["whole_graph_ms"] <= r["whole_graph_p75_ms"] * 1.5
    spec = NetSpec(0.25, 96, 1001)
    by_name = {l["name"]: l for l in r["layers"]}
    for layer in spec.layers:
        row = by_name[layer.name]
        assert (row["type"], row["macs"], row["params"]) == (layer.type, layer.macs,
                                                             layer.params)
        assert row["ms"] >= 0 and row["n"] == 6
        assert row["percent"] == pytest.approx(100 * row["ms"] / r["whole_graph_ms"],
                                               rel=1e-12)
        assert row["p25_ms"] <= row["p75_ms"]
        assert row["ms"] == pytest.approx(row["raw_ms"] * r["scale"], rel=1e-9)
    assert {"softmax", "layout", "overhead"} <= set(by_name) and "other" not in by_name
    assert by_name["overhead"]["gmacs_per_s"] is None
    # coverage is the sum of the shares by definition (it was once a mean of per-frame
    # ratios next to a ratio of means, and the two drifted apart on a busy machine)
    assert sum(l["percent"] for l in r["layers"]) == pytest.approx(100 * r["coverage"],
                                                                   rel=1e-12)
    # top-5 per image equals a plain onnxruntime run of the same untrained graph
    model = load_model("untrained", alpha=0.25, resolution=96)
    session = ort.InferenceSession(model.onnx_bytes, providers=["CPUExecutionProvider"])
    assert [img["path"] for img in r["images"]] == paths
    for img, path in zip(r["images"], paths):
        frame = np.asarray(Image.open(path).convert("RGB"))
        probs = session.run(None, {"input": preprocess(frame, 96, 127.5, 127.5)})[0][0]
        assert [p["index"] for p in img["top5"]] == list(np.argsort(-probs)[:5])
        assert [p["label"] for p in img["top5"]] == [f"class {p['index']}" for p in img["top5"]]
        np.testing.assert_allclose([p["prob"] for p in img["top5"]], np.sort(probs)[::-1][:5],
                                   rtol=1e-4)


def test_text_report_marks_untrained_and_lists_layers(capsys) -> None:
    code = main(["bench", "--alpha", "0.25", "--resolution", "64", "--runs", "2",
                 "--warmup", "0", "--threads", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "UNTRAINED" in out and "pw13" in out and "whole graph" in out and "GMAC/s" in out
    assert "(n = 2)" in out
    # % and cum % use the same shares as the JSON: the last cum % is 100, and the total
    # row is the plain whole-graph time
    rows = [line.split() for line in out.splitlines()
            if len(line.split()) == 9 and line.split()[0] in ("conv1", "pw13", "overhead")]
    cums = [float(r[7]) for r in rows]
    assert len(cums) == 3 and cums == sorted(cums) and abs(cums[-1] - 100) <= 0.1
    total = next(line.split() for line in out.splitlines() if line.startswith("total"))
    whole = float(re.search(r"whole graph \(plain\)\s+([\d.]+) ms", out).group(1))
    assert abs(float(total[1]) - whole) <= 0.0015


def test_official_checkpoint_with_labels(coral, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MOBILENET_VISUALIZER_LABELS", str(coral / "imagenet_labels.txt"))
    r = _bench(capsys, "--model", str(coral / "mobilenet_v1_0.25_128_quant.tflite"),
               "--image", str(coral / "bird.bmp"))
    assert r["trained"] is True and r["resolution"] == 128
    top = r["images"][0]["top5"][0]
    assert top["label"] == "chickadee"  # the photo shows a chickadee (LiteRT agrees)


@pytest.mark.parametrize("args, message", [
    (["--runs", "0"], "at least 1"),
    (["--alpha", "1.5"], "(0, 1]"),
    (["--resolution", "100"], "multiple of 32"),
    (["--model", "no_such_model.tflite"], "not found"),
    (["--model", "nonsense"], "unknown model"),
    (["--image", "missing.png"], "image not found"),
    (["--image", "TEXTFILE"], "cannot read image"),
    (["--image", "FOLDER"], "is a folder, not an image"),
    (["--image", ""], "--image: must not be empty"),
    (["--model", ""], "--model: must not be empty"),
    (["--provider", ""], "--provider: must not be empty"),
    (["--recalibrate", "--no-roofs"], "--no-roofs: not allowed with argument --recalibrate"),
    (["--model", "untrained:0.5_160", "--alpha", "0.5"], "--alpha shapes untrained weights only"),
    (["--model", "MODEL", "--resolution", "128"], "--resolution shapes untrained weights"),
    (["--model", "MODEL", "--compare-precision", "--precision", "int8"],
     "--compare-precision times both precisions"),
    (["--model", "MODEL", "--compare-precision", "--no-roofs"], "measures no roofs"),
    (["--compare-precision", "--image", "TEXTFILE", "--image", "TEXTFILE"],
     "times one image"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message) -> None:
    """Refused before any work (MODEL is a path that is never read)."""
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    subs = {"TEXTFILE": str(text), "FOLDER": str(tmp_path), "MODEL": str(tmp_path / "m.tflite")}
    args = [subs.get(a, a) for a in args]
    shape = [] if "--model" in args or "--alpha" in args or "--resolution" in args else \
        ["--alpha", "0.25", "--resolution", "64"]
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(["bench", *shape, "--runs", "1", "--warmup", "0", *args]))
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _top5(r: dict, i: int) -> list[tuple[int, float]]:
    return [(p["index"], p["prob"]) for p in r["images"][i]["top5"]]


def test_images_are_read_as_a_viewer_shows_them(tmp_path, capsys) -> None:
    """A phone photo stored sideways with an EXIF orientation tag is classified upright
    (as the Live tab shows it), and a 16-bit grayscale PNG like its 8-bit version."""
    rng = np.random.default_rng(5)
    upright = rng.integers(0, 256, (60, 100, 3), dtype=np.uint8)
    upright[:20] = 255  # a bright top band: rotation changes what the network sees
    Image.fromarray(upright).save(tmp_path / "upright.png")
    sideways = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)
    sideways.save(tmp_path / "sideways.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    sideways.save(tmp_path / "tagged.png", exif=exif)
    gray = upright[:, :, 1]
    Image.fromarray(gray).save(tmp_path / "gray8.png")
    Image.fromarray(gray.astype(np.uint16) * 257).save(tmp_path / "gray16.png")
    names = ["upright", "tagged", "sideways", "gray8", "gray16"]
    r = _bench(capsys, "--alpha", "0.25", "--resolution", "64",
               *[a for n in names for a in ("--image", str(tmp_path / f"{n}.png"))])
    up, tagged, side, gray8, gray16 = (_top5(r, i) for i in range(len(names)))
    assert [i for i, _ in tagged] == [i for i, _ in up]
    np.testing.assert_allclose([p for _, p in tagged], [p for _, p in up], rtol=1e-5)
    assert side != up  # the check above would notice a photo left sideways
    assert [i for i, _ in gray16] == [i for i, _ in gray8]
    np.testing.assert_allclose([p for _, p in gray16], [p for _, p in gray8], rtol=1e-5)


def test_very_large_photos_are_read_quietly_or_refused_in_one_line(tmp_path, capsys,
                                                                   monkeypatch) -> None:
    """Pillow warns (several lines on stderr) above MAX_IMAGE_PIXELS and raises above twice
    that; the limit is lowered here so that small files stand in for huge photos."""
    import PIL.Image

    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", 1000)
    Image.new("RGB", (40, 40), (200, 30, 30)).save(tmp_path / "large.png")  # 1600 px
    Image.new("RGB", (50, 50), (200, 30, 30)).save(tmp_path / "huge.png")  # 2500 px
    code = main(["bench", "--json", "--alpha", "0.25", "--resolution", "64", "--runs", "1",
                 "--image", str(tmp_path / "large.png")])
    captured = capsys.readouterr()
    assert code == 0 and len(json.loads(captured.out)["images"]) == 1
    assert captured.err == ""
    code = main(["bench", "--alpha", "0.25", "--resolution", "64", "--runs", "1",
                 "--image", str(tmp_path / "huge.png")])
    err = capsys.readouterr().err
    assert code == 2 and "too many pixels" in err and len(err.strip().splitlines()) == 1
