"""One entry point from "what the user typed" to a runnable MobileNet V1 ONNX graph.

`source` may be a local .tflite, .tgz or .onnx file, an official checkpoint name
(downloaded once into the cache), or "untrained" / "untrained:0.5_160" (random weights
of that shape, for timing). Every failure is a ModelError with a one-line message.

Labels come from, in order: the `labels_path` argument, the MOBILENET_VISUALIZER_LABELS
environment variable, a label list zipped into the .tflite itself (TFLite metadata, as in
the Coral files), a label file beside a local model (labels.txt,
imagenet_labels.txt, ImageNetLabels.txt or <model>_labels.txt), and, for trained
1000/1001-class models, the official ImageNet labels (downloaded once; None when
offline). Untrained models get labels only when given explicitly.

`precision` "int8" runs a quantized checkpoint on onnxruntime's integer kernels with the
checkpoint's own scales and zero points (onnx_int8.py): in the checkpoint's own integer
formats, or, given `int8_target`, in the exactly equivalent formats that CPU family's
fastest kernels want (graph/int8_kernels.py), with the layers in `islands` as exact
float islands (graph/float_island.py). "float" (the default) runs every checkpoint in
float32, a quantized one dequantized. "auto" (the faster of the two on this machine, as
measured) is resolved above this module, in analysis/precision_choice.py.
"""
from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from visualizer.net.checkpoints.official import (CheckpointError, DownloadCancelled, extract_tflite,
                                        fetch_checkpoint, fetch_labels, official_names,
                                        parse_official, read_labels)
from visualizer.io.file_kinds import not_regular
from visualizer.net.checkpoints.labels import embedded_labels, fit_labels
from visualizer.net.model.mobilenet import NetSpec, SpecError
from visualizer.net.checkpoints.tflite_import import TFLiteError, import_tflite
from visualizer.net.checkpoints.weights import NetworkWeights

ENV_LABELS = "MOBILENET_VISUALIZER_LABELS"
PRECISIONS = ("float", "int8")
#: ONNX metadata key under which exported models keep their class labels (one per line).
LABELS_KEY = "labels"
SIDECAR_LABELS = ("labels.txt", "imagenet_labels.txt", "ImageNetLabels.txt")
_UNTRAINED = re.compile(r"^untrained(?::(\d*\.?\d+)[_-](\d+))?$")


class ModelError(Exception):
    """The model could not be loaded; the message is meant for the user, one line."""


@dataclass(frozen=True)
class LoadedModel:
    onnx_bytes: bytes  # serialized ModelProto from build_onnx (or the .onnx file)
    spec: NetSpec  # alpha, resolution, classes (1001 for the official files)
    labels: tuple[str, ...] | None  # None when unknown (then show "class N")
    trained: bool
    name: str  # e.g. "mobilenet_v1_0.5_160_quant" or "untrained 0.75-192"
    input_mean: float
    input_std: float
    precision: str = "float"  # "float" or "int8" (integer kernels)
    source: str = ""  # what load_model was given: loads the other precision of a checkpoint
    kernels: str = ""  # int8: the integer formats it runs in (int8_kernels.formats_summary)
    islands: tuple[str, ...] = ()  # int8: layers run as exact float islands
    #: int8: its mult-adds run mostly on int8 weights (onnxruntime's uint8 × int8 kernels,
    #: their compute roof) rather than uint8 (uint8 × uint8); see int8_kernels.signed_int8
    signed_weights: bool = False
    auto: str = ""  # loaded as precision "auto": why this precision (precision_choice.py)

    def label(self, index: int) -> str:
        """The class name of an output index, or "class N" when labels are unknown."""
        if self.labels is not None and 0 <= index < len(self.labels):
            return self.labels[index]
        return f"class {index}"


def model_choices() -> tuple[str, ...]:
    """Names a model picker can offer: "untrained" and every official checkpoint."""
    return ("untrained",) + official_names()


def _alpha_text(alpha: float) -> str:
    return "1.0" if alpha == 1 else f"{alpha:g}"


def load_model(source: str, *, alpha: float = 1.0, resolution: int = 224,
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None,
               labels_path: str | os.PathLike | None = None,
               cache: str | os.PathLike | None = None,
               base_url: str | None = None, labels_url: str | None = None,
               precision: str = "float", int8_target: str | None = None,
               islands: Collection[str] = ()) -> LoadedModel:
    """Load or download `source` and convert it to ONNX. Raises ModelError.

    `precision` "int8" needs a quantized checkpoint (or an int8 .onnx); otherwise it is
    a ModelError. `int8_target` (int8_kernels.TARGETS; None: the checkpoint's own
    formats) and `islands` shape the int8 graph built from a checkpoint.

    `progress(done_bytes, total_bytes)` reports a download; `cancel()` returning True
    aborts it (ModelError "download cancelled"). `cache`, `base_url` and `labels_url`
    override the cache folder and the download addresses (see checkpoints.py).
    """
    text = str(source).strip()
    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision {precision!r}: use float or int8")
    if not text:
        raise ModelError("no model given: use an official name, a .tflite/.tgz/.onnx file "
                         "or 'untrained'")
    try:
        m = _UNTRAINED.match(text)
        if m:
            if m.group(1):
                alpha, resolution = float(m.group(1)), int(m.group(2))
            if precision == "int8":
                raise ModelError("int8 needs a quantized checkpoint (e.g. "
                                 "mobilenet_v1_0.5_160_quant); untrained weights are float")
            return _untrained(alpha, resolution, labels_path)
        off = parse_official(text)
        path = Path(text).expanduser()  # as the shell would, also when quoted or in the GUI
        if off is not None and not path.exists():
            path = fetch_checkpoint(off.name, cache=cache, url=base_url, progress=progress,
                                    cancel=cancel)
            data = path.read_bytes()
            try:
                weights = import_tflite(data, off.name)
            except (TFLiteError, OSError) as e:
                path.unlink(missing_ok=True)
                raise ModelError(f"the cached copy of {off.name} was damaged and has been "
                                 f"removed; try again ({e})") from None
            return replace(_from_weights(weights, off.name, None, labels_path, cache,
                                         labels_url, data, precision, embedded=False,
                                         int8=(int8_target, tuple(islands))), source=text)
        return replace(_from_file(path, labels_path, cache, labels_url, precision,
                                  (int8_target, tuple(islands))), source=text)
    except DownloadCancelled:
        raise ModelError("download cancelled") from None
    except (CheckpointError, TFLiteError, SpecError) as e:
        raise ModelError(str(e)) from None
    except OSError as e:  # cache folder not writable, disk full, …
        where = f" ({e.filename})" if getattr(e, "filename", None) else ""
        raise ModelError(f"file error: {e.strerror or e}{where}") from None


def _untrained(alpha: float, resolution: int,
               labels_path: str | os.PathLike | None) -> LoadedModel:
    from visualizer.net.checkpoints.untrained import untrained_weights

    try:
        spec = NetSpec(alpha=alpha, resolution=resolution, classes=1001)
    except SpecError as e:
        raise ModelError(f"untrained model: {e}") from None
    weights = untrained_weights(spec, classes=1001)
    labels = _explicit_labels(labels_path, weights.classes)
    name = f"untrained {_alpha_text(alpha)}-{resolution}"
    return _build(weights, name, labels)


def _from_file(path: Path, labels_path, cache, labels_url, precision: str,
               int8: tuple[str | None, tuple[str, ...]]) -> LoadedModel:
    name = path.name
    suffix = "".join(path.suffixes[-2:]).lower() if name.lower().endswith(".tar.gz") \
        else path.suffix.lower()
    if suffix not in (".tflite", ".tgz", ".tar.gz", ".onnx"):
        raise ModelError(f"unknown model {str(path)!r}: give a .tflite, .tgz or .onnx file, "
                         "an official name such as mobilenet_v1_1.0_224 or "
                         "mobilenet_v1_0.5_160_quant, or 'untrained'")
    problem = not_regular(path, "model file")  # a FIFO would block the read forever
    if problem:
        raise ModelError(problem)
    stem = name[: -len(suffix)]
    if suffix == ".onnx":
        return _from_onnx(path, stem, labels_path, cache, labels_url, precision)
    try:
        data = path.read_bytes() if suffix == ".tflite" else \
            extract_tflite(path, f"{stem}.tflite")
    except OSError as e:
        raise ModelError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        weights = import_tflite(data, name)
    except TFLiteError as e:
        raise ModelError(f"{name}: {e}") from None
    return _from_weights(weights, stem, path.parent, labels_path, cache, labels_url, data,
                         precision, int8=int8)


def _from_onnx(path: Path, stem: str, labels_path, cache, labels_url,
               precision: str) -> LoadedModel:
    from visualizer.net.graph.int8_kernels import signed_int8, weight_formats
    from visualizer.net.graph.onnx_files import OnnxModelError, load_onnx, spec_of

    try:
        model, info = load_onnx(path)
        spec = spec_of(info)
    except (OnnxModelError, SpecError) as e:
        raise ModelError(f"{path.name}: {e}") from None
    if info["precision"] != precision:
        raise ModelError(f"{path.name} holds a graph in {info['precision']}: run it with "
                         f"precision {info['precision']}")
    meta = {p.key: p.value for p in model.metadata_props}
    inside = fit_labels(tuple(meta[LABELS_KEY].split("\n")), spec.classes) \
        if meta.get(LABELS_KEY) else None
    labels = _labels(spec.classes, info["trained"], path.parent, stem, labels_path, cache,
                     labels_url, None, inside)
    islands = tuple(n for n in meta.get("float_islands", "").split(",") if n)
    return LoadedModel(model.SerializeToString(), spec, labels, info["trained"], stem,
                       float(info["input_mean"]), float(info["input_std"]), precision,
                       kernels=meta.get("int8_formats", ""), islands=islands,
                       signed_weights=signed_int8(weight_formats(model), spec.layers))


def _from_weights(weights: NetworkWeights, name: str, folder: Path | None, labels_path,
                  cache, labels_url, data: bytes | None, precision: str = "float",
                  embedded: bool = True,
                  int8: tuple[str | None, tuple[str, ...]] = (None, ())) -> LoadedModel:
    quant = None
    if precision == "int8":
        from visualizer.net.checkpoints.tflite_quant import import_quantized
        from visualizer.net.graph.int8_kernels import for_kernels

        assert data is not None
        try:
            quant = import_quantized(data, weights.source)
            quant = quant if int8[0] is None else for_kernels(quant, int8[0])
        except (TFLiteError, ValueError) as e:
            raise ModelError(f"{name}: {e}") from None
    labels = _labels(weights.classes, weights.trained, folder, name, labels_path, cache,
                     labels_url, data if embedded else None)
    return _build(weights, name, labels, quant, int8[1])


def _build(weights: NetworkWeights, name: str, labels, quant=None,
           islands: tuple[str, ...] = ()) -> LoadedModel:
    from visualizer.net.graph.common import OnnxModelError
    from visualizer.net.graph.onnx_float import build_onnx

    try:
        if quant is not None:
            from visualizer.net.graph.onnx_int8 import build_int8_onnx

            proto = build_int8_onnx(quant, islands)
        else:
            proto = build_onnx(weights)
    except OnnxModelError as e:
        raise ModelError(f"{name}: {e}") from None
    if labels is not None:  # travels with an exported .onnx
        entry = proto.metadata_props.add()
        entry.key, entry.value = LABELS_KEY, "\n".join(labels)
    spec = NetSpec(alpha=weights.alpha, resolution=weights.resolution, classes=weights.classes)
    meta = {p.key: p.value for p in proto.metadata_props}
    signed = False
    if quant is not None:
        from visualizer.net.graph.int8_kernels import signed_int8, weight_format

        signed = signed_int8({l.name: weight_format(l) for l in quant.layers
                              if l.name not in islands}, spec.layers)
    return LoadedModel(proto.SerializeToString(), spec, labels, weights.trained, name,
                       float(weights.input_mean), float(weights.input_std),
                       "float" if quant is None else "int8", kernels=meta.get("int8_formats", ""),
                       islands=tuple(islands) if quant is not None else (),
                       signed_weights=signed)


def _explicit_labels(labels_path, classes: int) -> tuple[str, ...] | None:
    explicit = labels_path or os.environ.get(ENV_LABELS)
    if not explicit:
        return None
    try:
        labels = read_labels(explicit)
    except CheckpointError as e:
        raise ModelError(str(e)) from None
    fitted = fit_labels(labels, classes)
    if fitted is None:
        raise ModelError(f"{explicit} has {len(labels)} labels, the model {classes} classes")
    return fitted


def _labels(classes: int, trained: bool, folder: Path | None, stem: str, labels_path,
            cache, labels_url, data: bytes | None,
            inside: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    explicit = _explicit_labels(labels_path, classes)
    if explicit is not None or not trained:
        return explicit
    if inside is not None:  # labels stored in an exported .onnx
        return inside
    if data is not None:
        inside = embedded_labels(data, classes)
        if inside is not None:
            return inside
    if folder is not None:
        for candidate in (f"{stem}_labels.txt",) + SIDECAR_LABELS:
            p = folder / candidate
            if p.is_file():
                try:
                    fitted = fit_labels(read_labels(p), classes)
                except CheckpointError:
                    continue
                if fitted is not None:
                    return fitted
    if classes not in (1000, 1001):
        return None
    try:
        return fit_labels(fetch_labels(cache=cache, url=labels_url), classes)
    except CheckpointError:
        return None
