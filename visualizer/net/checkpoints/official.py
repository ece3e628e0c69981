"""Google's official MobileNet V1 checkpoints: names, download, cache and labels.

Archives (`<name>.tgz`, each holding `<name>.tflite`) are fetched with pooch into the
user cache directory on first use. Their hashes were never published, so the download
is verified by what it holds: the archive must unpack and its .tflite must import as a
MobileNet V1 of the α and resolution the name promises. Only then is the .tflite
written to the cache (atomically); a cancelled, truncated or corrupt download leaves
nothing behind.

Environment overrides (used by tests and by offline mirrors):
MOBILENET_VISUALIZER_BASE_URL (folder of the archives), MOBILENET_VISUALIZER_LABELS_URL,
MOBILENET_VISUALIZER_CACHE (cache folder).
"""
from __future__ import annotations

import io
import logging
import os
import re
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from visualizer.io.atomic import write_atomic
from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS
from visualizer.net.checkpoints.tflite_import import TFLiteError, import_tflite

DEFAULT_BASE_URL = ("https://storage.googleapis.com/download.tensorflow.org/models/"
                    "mobilenet_v1_2018_08_02/")
DEFAULT_LABELS_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                      "ImageNetLabels.txt")
ENV_BASE_URL = "MOBILENET_VISUALIZER_BASE_URL"
ENV_LABELS_URL = "MOBILENET_VISUALIZER_LABELS_URL"
ENV_CACHE = "MOBILENET_VISUALIZER_CACHE"
APP_NAME = "mobilenet-visualizer"
LABELS_FILE = "ImageNetLabels.txt"
_NAME = re.compile(r"^mobilenet_v1_(0\.25|0\.5|0\.75|1\.0)_(128|160|192|224)(_quant)?$")

Progress = Callable[[int, int], None]  # (bytes done, bytes total or 0 when unknown)
Cancel = Callable[[], bool]


class CheckpointError(Exception):
    """A checkpoint or label file could not be had; the message says why, in one line."""


class DownloadCancelled(CheckpointError):
    def __init__(self) -> None:
        super().__init__("download cancelled")


@dataclass(frozen=True)
class Official:
    name: str  # e.g. mobilenet_v1_0.5_160_quant
    alpha: float
    resolution: int
    quantized: bool

    @property
    def archive(self) -> str:
        return f"{self.name}.tgz"

    @property
    def tflite(self) -> str:
        return f"{self.name}.tflite"


def _alpha_text(alpha: float) -> str:
    return "1.0" if alpha == 1 else f"{alpha:g}"


def official_names(quantized: bool | None = None) -> tuple[str, ...]:
    """All 32 published names (float and _quant), or only one kind."""
    kinds = (False, True) if quantized is None else (quantized,)
    return tuple(f"mobilenet_v1_{_alpha_text(a)}_{r}{'_quant' if q else ''}"
                 for q in kinds for a in OFFICIAL_ALPHAS for r in OFFICIAL_RESOLUTIONS)


def parse_official(name: str) -> Official | None:
    """The checkpoint a name stands for, or None when it is not an official name."""
    m = _NAME.match(name.strip())
    if not m:
        return None
    return Official(m.group(0), float(m.group(1)), int(m.group(2)), bool(m.group(3)))


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    if override is not None:
        return Path(override)
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def base_url(override: str | None = None) -> str:
    url = override or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    return url if url.endswith("/") else url + "/"


def labels_url(override: str | None = None) -> str:
    return override or os.environ.get(ENV_LABELS_URL) or DEFAULT_LABELS_URL


def cached_checkpoint(name: str, cache: str | os.PathLike | None = None) -> Path | None:
    """The cached .tflite of an official name, or None when it is not downloaded yet."""
    off = parse_official(name)
    if off is None:
        return None
    path = cache_dir(cache) / off.tflite
    return path if path.is_file() else None


class _PoochProgress:
    """The progress-bar object pooch drives; forwards bytes and honours cancel."""

    def __init__(self, progress: Progress | None, cancel: Cancel | None) -> None:
        self.progress, self.cancel = progress, cancel
        self.total = 0
        self.done = 0

    def update(self, n: int) -> None:
        if self.cancel is not None and self.cancel():
            raise DownloadCancelled()
        self.done = min(self.done + int(n), self.total) if self.total else self.done + int(n)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        pass


def _download(url: str, folder: Path, fname: str, progress: Progress | None,
              cancel: Cancel | None, timeout: float) -> Path:
    """Fetch url to folder/fname through a temporary file; raises CheckpointError."""
    import pooch
    import requests

    if cancel is not None and cancel():
        raise DownloadCancelled()
    pooch.get_logger().setLevel(logging.WARNING)
    folder.mkdir(parents=True, exist_ok=True)
    bar = _PoochProgress(progress, cancel)
    downloader = pooch.HTTPDownloader(progressbar=bar, timeout=timeout, chunk_size=65536)
    host = url.split("/")[2] if "://" in url else url
    try:
        return Path(pooch.retrieve(url, known_hash=None, fname=fname, path=folder,
                                   downloader=downloader))
    except DownloadCancelled:
        raise
    except requests.exceptions.HTTPError as e:
        code = e.response.status_code if e.response is not None else "?"
        raise CheckpointError(f"{host} answered HTTP {code} for {url.rsplit('/', 1)[-1]}") \
            from None
    except (requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError):
        raise CheckpointError(f"download from {host} broke off before the end") from None
    except requests.exceptions.Timeout:
        raise CheckpointError(f"download from {host} timed out after {timeout:g} s") from None
    except requests.exceptions.ConnectionError as e:
        if "IncompleteRead" in str(e) or "ProtocolError" in str(e):
            raise CheckpointError(f"download from {host} broke off before the end") from None
        raise CheckpointError(f"cannot reach {host} (offline?); download "
                              f"{url.rsplit('/', 1)[-1]} by hand and pass its path") from None
    except requests.exceptions.RequestException as e:
        raise CheckpointError(f"download from {host} failed: {type(e).__name__}") from None
    except OSError as e:
        raise CheckpointError(f"cannot write to the cache folder {folder}: "
                              f"{e.strerror or e}") from None


def extract_tflite(archive: bytes | str | os.PathLike, member: str | None = None) -> bytes:
    """The .tflite inside a .tgz: the member named `member` (basename) or the only one."""
    try:
        src = io.BytesIO(archive) if isinstance(archive, bytes) else None
        with tarfile.open(fileobj=src, name=None if src else str(archive), mode="r:gz") as tar:
            files = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".tflite")]
            chosen = [m for m in files if member and Path(m.name).name == member] or \
                (files if len(files) == 1 else [])
            if not chosen:
                have = ", ".join(Path(m.name).name for m in files) or "none"
                raise CheckpointError(f"the archive holds no {member or 'single .tflite'} "
                                      f"(.tflite files: {have})")
            f = tar.extractfile(chosen[0])
            return f.read() if f is not None else b""
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise CheckpointError(f"archive not found: {archive}") from None
    except Exception as e:  # TarError, EOFError, zlib.error, OSError …
        raise CheckpointError(f"the archive is damaged or truncated "
                              f"({type(e).__name__})") from None


def fetch_checkpoint(name: str, *, cache: str | os.PathLike | None = None,
                     url: str | None = None, progress: Progress | None = None,
                     cancel: Cancel | None = None, timeout: float = 30.0) -> Path:
    """Path of the cached, verified .tflite of an official name; downloads on first use.

    Raises CheckpointError (DownloadCancelled when `cancel()` turned true).
    """
    off = parse_official(name)
    if off is None:
        raise CheckpointError(f"{name!r} is not an official MobileNet V1 name "
                              "(e.g. mobilenet_v1_1.0_224 or mobilenet_v1_0.5_160_quant)")
    folder = cache_dir(cache)
    dest = folder / off.tflite
    if dest.is_file():
        return dest
    part = f"{off.archive}.{os.getpid()}"
    (folder / "downloads" / part).unlink(missing_ok=True)  # never reuse a leftover
    archive = _download(base_url(url) + off.archive, folder / "downloads", part,
                        progress, cancel, timeout)
    try:
        data = extract_tflite(archive, off.tflite)
        try:
            import_tflite(data, off.name, expect=(off.alpha, off.resolution))
        except TFLiteError as e:
            raise CheckpointError(f"downloaded {off.archive} is not the expected "
                                  f"checkpoint: {e}") from None
        write_atomic(dest, data)
    except CheckpointError as e:
        raise CheckpointError(f"{off.name}: {e}") from None
    finally:
        archive.unlink(missing_ok=True)
    return dest


_labels_failed: dict[str, float] = {}
_RETRY_AFTER = 300.0  # seconds before a failed label download is tried again


def read_labels(path: str | os.PathLike) -> tuple[str, ...]:
    """Class names, one per line (blank lines at the end ignored). Raises CheckpointError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CheckpointError(f"cannot read labels {path}: {e}") from None
    labels = tuple(line.strip() for line in text.rstrip("\n").splitlines())
    if len(labels) < 2 or not all(labels):
        raise CheckpointError(f"{path} is not a label file (one class name per line)")
    return labels


def fetch_labels(*, cache: str | os.PathLike | None = None, url: str | None = None,
                 cancel: Cancel | None = None, timeout: float = 10.0) -> tuple[str, ...]:
    """The official ImageNet labels (1001, "background" first), cached after first use.

    A failed download is not retried for a few minutes, so that offline use stays fast.
    Raises CheckpointError.
    """
    folder = cache_dir(cache)
    dest = folder / LABELS_FILE
    if dest.is_file():
        return read_labels(dest)
    source = labels_url(url)
    failed = _labels_failed.get(source)
    if failed is not None and time.monotonic() - failed < _RETRY_AFTER:
        raise CheckpointError("labels unavailable (the last download failed moments ago)")
    try:
        tmp = _download(source, folder / "downloads", f"{LABELS_FILE}.{os.getpid()}",
                        None, cancel, timeout)
        try:
            labels = read_labels(tmp)
            write_atomic(dest, "\n".join(labels).encode() + b"\n")
        finally:
            tmp.unlink(missing_ok=True)
    except DownloadCancelled:
        raise
    except CheckpointError:
        _labels_failed[source] = time.monotonic()
        raise
    return labels
