"""Per-machine JSON caches in the user cache folder (checkpoints.cache_dir): the file a
result measured on this machine is kept in, keyed by the machine (host, architecture,
processor, CPU count) and whatever else the result depends on, and reading and writing
it (atomically; a cache that cannot be read or written is skipped)."""
from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path
from typing import Any

from visualizer.io.atomic import write_atomic
from visualizer.net.checkpoints.official import cache_dir


def machine_cache_file(folder: str, prefix: str, *extra: object,
                       cache: str | os.PathLike | None = None) -> Path:
    """`<cache>/<folder>/<prefix>-<digest>.json`, the digest of this machine and `extra`
    (each as str)."""
    key = "|".join([platform.node(), platform.machine(), platform.processor(),
                    str(os.cpu_count()), *map(str, extra)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir(cache) / folder / f"{prefix}-{digest}.json"


def read_json(path: Path) -> Any | None:
    """The JSON in `path`, or None when it cannot be read or parsed."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> bool:
    """Write `data` as JSON to `path` (atomically, creating its folder); False when the
    cache cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, indent=1))
    except OSError:
        return False
    return True
