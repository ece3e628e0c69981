"""Fitting a label list to a network's outputs, and the label list a .tflite may carry."""
from __future__ import annotations

import io
import zipfile


def fit_labels(labels: tuple[str, ...], classes: int) -> tuple[str, ...] | None:
    """Labels for `classes` outputs: as they are, or without "background" for 1000."""
    if len(labels) == classes:
        return labels
    if len(labels) == classes + 1 and labels[0].lower() == "background":
        return labels[1:]
    return None


def embedded_labels(data: bytes, classes: int) -> tuple[str, ...] | None:
    """A label list in a zip appended to a .tflite (TFLite metadata), if one fits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".txt") or info.file_size > 10_000_000:
                    continue
                text = zf.read(info).decode("utf-8", "replace")
                labels = tuple(line.strip() for line in text.rstrip("\n").splitlines())
                fitted = fit_labels(labels, classes) if all(labels) else None
                if fitted is not None:
                    return fitted
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    return None
