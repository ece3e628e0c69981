"""Our graphs against LiteRT running the original .tflite files, on the shared photos.

Both sides get the same image: central square crop + bilinear resize with Pillow; LiteRT
takes it as uint8 (or int8 / float, as the file wants), onnxruntime as
(x − mean)/std NCHW float from our graph.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

from visualizer.net.checkpoints.tflite_import import import_tflite
from visualizer.net.graph.onnx_float import build_onnx

CHECKPOINTS = [("mobilenet_v1_0.25_128_quant", 0.25, 128, 19),
               ("mobilenet_v1_0.5_160_quant", 0.5, 160, 20),
               ("mobilenet_v1_0.75_192_quant", 0.75, 192, 20)]


def photos(coral: Path) -> list[Path]:
    found = sorted(coral.glob("*.bmp")) + sorted(coral.glob("*.jpg")) + \
        sorted((coral / "imprinting").glob("*.bmp"))
    assert len(found) == 21, f"expected the 21 shared photos, found {len(found)}"
    return found


def square_rgb(path: Path, size: int) -> np.ndarray:
    im = Image.open(path).convert("RGB")
    w, h = im.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    im = im.crop((left, top, left + s, top + s)).resize((size, size), Image.BILINEAR)
    return np.asarray(im, dtype=np.uint8)


def litert_probs(interp, rgb: np.ndarray, mean: float, std: float) -> np.ndarray:
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if inp["dtype"] == np.uint8:
        x = rgb
    elif inp["dtype"] == np.int8:
        x = (rgb.astype(np.int16) - 128).astype(np.int8)
    else:
        x = ((rgb.astype(np.float32) - mean) / std).astype(np.float32)
    interp.set_tensor(inp["index"], x[None])
    interp.invoke()
    y = interp.get_tensor(out["index"])[0]
    if out["dtype"] != np.float32:
        scale, zero = out["quantization"]
        y = (y.astype(np.float32) - zero) * scale
    return y


def compare(data: bytes, coral: Path, litert, build=None) -> tuple[int, float, int]:
    """(top-1 agreements, largest softmax difference, photos) of our graph vs LiteRT.

    build(data) -> (weights, onnx model); by default the float import."""
    if build is None:
        w = import_tflite(data)
        model = build_onnx(w)
    else:
        w, model = build(data)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    interp = litert(model_content=data)
    interp.allocate_tensors()
    agree, worst, pics = 0, 0.0, photos(coral)
    for p in pics:
        rgb = square_rgb(p, w.resolution)
        ref = litert_probs(interp, rgb, w.input_mean, w.input_std)
        x = ((rgb.astype(np.float32) - w.input_mean) / w.input_std).transpose(2, 0, 1)[None]
        got = sess.run(None, {"input": x})[0][0]
        agree += int(ref.argmax() == got.argmax())
        worst = max(worst, float(np.abs(ref - got).max()))
    return agree, worst, len(pics)
