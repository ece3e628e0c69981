"""Exports of the live demo's per-layer timing (CSV, JSON) with what they were measured on.

Both are written through a temporary file and a rename (atomic_files.py): a failed
write leaves the previous file, or none, never a part.
"""
from __future__ import annotations

import csv
import io
import json
import os
import platform
from pathlib import Path

from visualizer.io.atomic import write_atomic


def cpu_model() -> str:
    """The CPU's marketing name where the OS tells it, else the platform's best guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def run_metadata(model, threads: int | None) -> dict:
    """Model, resolution, thread count, CPU and onnxruntime version of a measurement."""
    try:
        import onnxruntime

        ort_version = onnxruntime.__version__
    except ImportError:  # pragma: no cover - a dependency
        ort_version = "unknown"
    spec = getattr(model, "spec", None)
    return {
        "model": getattr(model, "name", None),
        "trained": getattr(model, "trained", None),
        "precision": getattr(model, "precision", None),
        "int8_formats": getattr(model, "kernels", "") or None,
        "float_islands": list(getattr(model, "islands", ())),
        "auto": getattr(model, "auto", "") or None,  # loaded as "auto": what and why
        "alpha": getattr(spec, "alpha", None),
        "resolution": getattr(spec, "resolution", None),
        "threads": threads,  # None: onnxruntime's default
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "onnxruntime": ort_version,
        "platform": platform.platform(),
    }


def write_json(path: str | Path, meta: dict, layers: list[dict], **extra) -> None:
    write_atomic(path, json.dumps({**meta, **extra, "layers": layers}, indent=2) + "\n")


#: ms: the app's one statistic (timing_stats.statistic()) of the n timed frames
CSV_FIELDS = ("name", "type", "macs", "ms", "p25_ms", "p75_ms", "n", "raw_ms", "gmacs_per_s")
CSV_META = ("model", "resolution", "threads", "cpu_model", "onnxruntime")


def write_csv(path: str | Path, meta: dict, layers: list[dict]) -> None:
    """One row per layer; the measurement's context repeated in its own columns."""
    text = io.StringIO(newline="")
    out = csv.writer(text)
    out.writerow(CSV_FIELDS + CSV_META)
    for row in layers:
        out.writerow([row.get(k) for k in CSV_FIELDS] + [meta.get(k) for k in CSV_META])
    write_atomic(path, text.getvalue())
