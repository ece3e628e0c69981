"""load_model: every kind of source, labels, and clean errors."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from PIL import Image

from _local_server import LocalServer, closed_port_url, make_tgz
from visualizer.net.model.mobilenet import NetSpec
from visualizer.net.models import LoadedModel, ModelError, load_model, model_choices
from visualizer.net.graph.onnx_float import build_onnx
from visualizer.net.checkpoints.untrained import untrained_weights


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No test here may reach the real download host; the cache is private per test."""
    monkeypatch.setenv("MOBILENET_VISUALIZER_BASE_URL", closed_port_url())
    monkeypatch.setenv("MOBILENET_VISUALIZER_LABELS_URL", closed_port_url() + "labels.txt")
    monkeypatch.setenv("MOBILENET_VISUALIZER_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MOBILENET_VISUALIZER_LABELS", raising=False)


def top1(model: LoadedModel, rgb: np.ndarray) -> tuple[int, np.ndarray]:
    sess = ort.InferenceSession(model.onnx_bytes, providers=["CPUExecutionProvider"])
    x = ((rgb.astype(np.float32) - model.input_mean) / model.input_std).transpose(2, 0, 1)
    probs = sess.run(None, {"input": x[None]})[0][0]
    return int(probs.argmax()), probs


def photo(coral, size: int, name: str = "parrot.jpg") -> np.ndarray:
    im = Image.open(coral / name).convert("RGB")
    s = min(im.size)
    left, top = (im.size[0] - s) // 2, (im.size[1] - s) // 2
    return np.asarray(im.crop((left, top, left + s, top + s)).resize((size, size),
                      Image.BILINEAR), dtype=np.uint8)


def test_local_tflite(coral, litert):
    path = coral / "mobilenet_v1_0.5_160_quant.tflite"
    m = load_model(str(path))
    assert m.name == "mobilenet_v1_0.5_160_quant" and m.trained
    assert (m.spec.alpha, m.spec.resolution, m.spec.classes) == (0.5, 160, 1001)
    assert (m.input_mean, m.input_std) == (128.0, 128.0)
    # labels: the shared label file, in the same order (background first)
    expected = tuple(l.strip() for l in
                     (coral / "imagenet_labels.txt").read_text(encoding="utf-8").splitlines())
    assert m.labels == expected and m.label(0) == "background"
    graph = onnx.load_from_string(m.onnx_bytes)
    assert [o.name for o in graph.graph.output] == ["probs"]
    rgb = photo(coral, 160)
    interp = litert(model_path=str(path))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], rgb[None])
    interp.invoke()
    ref = interp.get_tensor(interp.get_output_details()[0]["index"])[0]
    assert top1(m, rgb)[0] == int(ref.argmax())
    assert "macaw" in m.label(int(ref.argmax()))  # the shared parrot photo


def test_local_tgz_and_onnx_round_trip(coral, tmp_path):
    data = (coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes()
    tgz = tmp_path / "mobilenet_v1_0.25_128_quant.tgz"
    tgz.write_bytes(make_tgz({"./mobilenet_v1_0.25_128_quant.tflite": data}))
    from_tgz = load_model(str(tgz), labels_path=coral / "imagenet_labels.txt")
    from_tflite = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"))
    weights = lambda m: {t.name: t.raw_data for t in  # noqa: E731
                         onnx.load_from_string(m.onnx_bytes).graph.initializer}
    assert weights(from_tgz) == weights(from_tflite)  # same file inside, same graph
    assert from_tgz.name == "mobilenet_v1_0.25_128_quant" and len(from_tgz.labels) == 1001
    saved = tmp_path / "exported.onnx"
    saved.write_bytes(from_tgz.onnx_bytes)
    again = load_model(str(saved), labels_path=coral / "imagenet_labels.txt")
    assert again.spec == from_tgz.spec and again.trained
    assert (again.input_mean, again.input_std) == (128.0, 128.0)
    rgb = photo(coral, 128, "cat.bmp")
    i1, p1 = top1(from_tgz, rgb)
    i2, p2 = top1(again, rgb)
    assert i1 == i2 and np.allclose(p1, p2, atol=1e-6)


def test_exported_onnx_keeps_its_labels_offline(coral, tmp_path):
    """Labels embedded in the .tflite travel into the exported .onnx: no download needed."""
    from visualizer.net.checkpoints.official import read_labels

    source = load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"))
    saved = tmp_path / "exported.onnx"  # nothing beside it, downloads fail (offline)
    saved.write_bytes(source.onnx_bytes)
    again = load_model(str(saved))
    reference = read_labels(coral / "imagenet_labels.txt")
    assert again.labels == source.labels and again.labels == tuple(reference)


def test_labels_fall_back_to_none_offline(coral, tmp_path):
    lone = tmp_path / "model.tflite"  # no label file beside it, no embedded labels
    data = (coral / "mobilenet_v1_0.25_128_quant.tflite").read_bytes()
    cut = data.rfind(b"PK\x03\x04")  # drop the appended label zip of the shared file
    lone.write_bytes(data[:cut] if cut > 0 else data)
    m = load_model(str(lone))
    assert m.labels is None and m.label(5) == "class 5"
    (tmp_path / "labels.txt").write_text("\n".join(f"thing {i}" for i in range(1001)))
    assert load_model(str(lone)).labels[3] == "thing 3"


def test_untrained():
    m = load_model("untrained", alpha=0.5, resolution=128)
    assert (m.spec.alpha, m.spec.resolution, m.spec.classes) == (0.5, 128, 1001)
    assert not m.trained and m.labels is None and m.name == "untrained 0.5-128"
    m2 = load_model("untrained:0.75_192")
    assert (m2.spec.alpha, m2.spec.resolution) == (0.75, 192)
    assert m2.name == "untrained 0.75-192"
    rng = np.random.default_rng(0)
    idx, probs = top1(m, rng.integers(0, 256, (128, 128, 3), dtype=np.uint8))
    assert probs.shape == (1001,) and abs(float(probs.sum()) - 1) < 1e-4


def test_official_name_downloads_once(coral, tmp_path):
    server = LocalServer()
    try:
        name = "mobilenet_v1_0.75_192_quant"
        server.serve(f"{name}.tgz",
                     make_tgz({f"{name}.tflite": (coral / f"{name}.tflite").read_bytes()}))
        server.serve("ImageNetLabels.txt", (coral / "imagenet_labels.txt").read_bytes())
        progress = []
        kw = dict(cache=tmp_path / "c", base_url=server.url,
                  labels_url=server.url + "ImageNetLabels.txt")
        m = load_model(name, progress=lambda d, t: progress.append((d, t)), **kw)
        assert m.name == name and m.spec.resolution == 192 and progress
        assert m.labels is not None and m.labels[0] == "background"
        n = len(server.requests)
        again = load_model(name, **kw)
        assert len(server.requests) == n and again.onnx_bytes == m.onnx_bytes
        with pytest.raises(ModelError, match="download cancelled"):
            load_model("mobilenet_v1_0.5_160_quant", cancel=lambda: True, **kw)
    finally:
        server.close()


def test_bad_sources(tmp_path):
    photo = tmp_path / "cat.bmp"
    Image.new("RGB", (8, 8)).save(photo)
    readme = tmp_path / "README.md"
    readme.write_text("# Test data\n\nPhotos and checkpoints.\n")
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(np.random.default_rng(3).integers(0, 256, 4096, np.uint8).tobytes())
    notgz = tmp_path / "empty.tgz"
    notgz.write_bytes(make_tgz({"readme.txt": b"hello"}))
    badonnx = tmp_path / "bad.onnx"
    badonnx.write_bytes(b"not a protobuf at all")
    cases = {
        "": "no model given",
        "nonsense": "unknown model",
        str(tmp_path / "missing.tflite"): "not found",
        str(junk): "not a TFLite file",
        str(notgz): "holds no",
        str(badonnx): "bad.onnx",
        str(photo): "unknown model",
        "untrained:0.5_100": "multiple of 32",
        "mobilenet_v1_1.0_224": "cannot reach",
    }
    for source, match in cases.items():
        with pytest.raises(ModelError, match=match) as info:
            load_model(source)
        assert "\n" not in str(info.value), source
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    with pytest.raises(ModelError, match="file error"):  # cache folder cannot be made
        load_model("mobilenet_v1_0.5_160", cache=blocked)
    with pytest.raises(ModelError, match="not a label file"):
        load_model("untrained:0.25_128", labels_path=readme)


def test_model_choices():
    choices = model_choices()
    assert choices[0] == "untrained" and "mobilenet_v1_1.0_224" in choices
    assert len(choices) == 33


#: An ImageNet-style label file: "background" first, then one line per class (made up).
LABELS_1001 = ["background"] + [f"class name {i}" for i in range(1000)]


def trained_onnx(path, classes: int):
    """A small MobileNet saved as .onnx, marked trained (so labels are looked up)."""
    weights = untrained_weights(NetSpec(0.25, 32, classes), classes=classes)
    path.write_bytes(build_onnx(replace(weights, trained=True, source=path.stem))
                     .SerializeToString())
    return path


@pytest.mark.parametrize("how", ["argument", "environment", "beside the model", "download"])
@pytest.mark.parametrize("classes", [1000, 1001])
def test_labels_line_up_with_the_outputs(tmp_path, monkeypatch, how, classes):
    """The same 1001-line file labels both kinds of model: a 1001-class output 0 is
    "background"; a 1000-class model has no background output, so its output i is line
    i + 1 of the file, not line i."""
    model = trained_onnx(tmp_path / "m.onnx", classes)
    text = "\n".join(LABELS_1001) + "\n"
    kw = {}
    server = LocalServer()
    try:
        if how == "argument":
            (tmp_path / "elsewhere").mkdir()
            kw["labels_path"] = tmp_path / "elsewhere" / "names.txt"
            kw["labels_path"].write_text(text)
        elif how == "environment":
            (tmp_path / "names.txt").write_text(text)
            monkeypatch.setenv("MOBILENET_VISUALIZER_LABELS", str(tmp_path / "names.txt"))
        elif how == "beside the model":
            (tmp_path / "labels.txt").write_text(text)
        else:
            server.serve("ImageNetLabels.txt", text.encode())
            kw["labels_url"] = server.url + "ImageNetLabels.txt"
        m = load_model(str(model), **kw)
    finally:
        server.close()
    assert m.spec.classes == classes and len(m.labels) == classes
    expected = LABELS_1001[1001 - classes:]
    assert [m.label(i) for i in range(classes)] == expected
    assert m.label(0) == ("background" if classes == 1001 else "class name 0")
    assert m.label(classes - 1) == "class name 999"


def test_int8_models_record_whether_their_weights_are_signed(coral, tmp_path):
    """LoadedModel.signed_weights (which int8 compute roof applies) is decided when the
    model is built or loaded, by the weights that carry the mult-adds (the pointwise
    layers), not by the first layer: float, uint8 (the checkpoint's own), int8 (x86
    VNNI formats), and .onnx graphs whose first layer differs from the rest."""
    from visualizer.net.checkpoints.tflite_quant import import_quantized
    from visualizer.net.graph import int8_kernels as k8
    from visualizer.net.graph.onnx_int8 import build_int8_onnx

    path = coral / "mobilenet_v1_0.25_128_quant.tflite"
    assert not load_model("untrained:0.25_128").signed_weights
    assert not load_model(str(path)).signed_weights  # float, dequantized
    own = load_model(str(path), precision="int8")
    assert "weights uint8" in own.kernels and not own.signed_weights
    vnni = load_model(str(path), precision="int8", int8_target=k8.X86_VNNI)
    assert "weights int8" in vnni.kernels and vnni.signed_weights
    net = import_quantized(path.read_bytes())
    for signed, name in ((lambda l: l.name == "conv1", "conv1_signed"),
                         (lambda l: l.name.startswith("pw"), "pointwise_signed")):
        mixed = replace(net, layers=tuple(k8.with_weights(l, k8.INT8) if signed(l) else l
                                          for l in net.layers))
        saved = tmp_path / f"{name}.onnx"
        saved.write_bytes(build_int8_onnx(mixed).SerializeToString())
        loaded = load_model(str(saved), precision="int8")
        assert loaded.signed_weights == (name == "pointwise_signed"), name
