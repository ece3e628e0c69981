"""Official names, downloads into the cache and labels, against a server on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from _local_server import LocalServer, closed_port_url, make_tgz
from visualizer.net.checkpoints import official as ck
from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS

NAME = "mobilenet_v1_0.25_128_quant"


@pytest.fixture
def server():
    s = LocalServer()
    yield s
    s.close()


@pytest.fixture
def tflite_bytes(coral) -> bytes:
    return (coral / f"{NAME}.tflite").read_bytes()


def leftovers(cache: Path) -> list[str]:
    """Everything in the cache folder tree (a failed download must leave nothing)."""
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


def test_official_names_cover_the_published_grid():
    names = ck.official_names()
    assert len(names) == 2 * len(OFFICIAL_ALPHAS) * len(OFFICIAL_RESOLUTIONS) == 32
    assert "mobilenet_v1_1.0_224" in names and "mobilenet_v1_0.25_128_quant" in names
    off = ck.parse_official("mobilenet_v1_0.75_192_quant")
    assert (off.alpha, off.resolution, off.quantized) == (0.75, 192, True)
    assert off.archive == "mobilenet_v1_0.75_192_quant.tgz"
    assert ck.parse_official("mobilenet_v1_1.0_224").quantized is False
    for bad in ("mobilenet_v1_1_224", "mobilenet_v1_0.3_224", "mobilenet_v1_1.0_225",
                "mobilenet_v2_1.0_224", "untrained", ""):
        assert ck.parse_official(bad) is None, bad


def test_download_reports_progress_then_hits_the_cache(server, tmp_path, tflite_bytes):
    archive = make_tgz({f"./{NAME}.tflite": tflite_bytes, "./readme.txt": b"x"})
    server.serve(f"models/{NAME}.tgz", archive)
    seen: list[tuple[int, int]] = []
    path = ck.fetch_checkpoint(NAME, cache=tmp_path, url=server.url + "models",
                               progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == tflite_bytes
    assert server.requests == [f"/models/{NAME}.tgz"]
    assert len(seen) >= 2 and seen[-1] == (len(archive), len(archive))
    assert all(t == len(archive) for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert leftovers(tmp_path) == [f"{NAME}.tflite"]  # the archive itself is not kept
    server.close()  # a second call must not need the server at all
    again = ck.fetch_checkpoint(NAME, cache=tmp_path, url=server.url + "models")
    assert again == path and ck.cached_checkpoint(NAME, tmp_path) == path


def test_environment_overrides(server, tmp_path, monkeypatch, tflite_bytes):
    server.serve(f"mirror/{NAME}.tgz", make_tgz({f"{NAME}.tflite": tflite_bytes}))
    monkeypatch.setenv(ck.ENV_BASE_URL, server.url + "mirror/")
    monkeypatch.setenv(ck.ENV_CACHE, str(tmp_path / "c"))
    path = ck.fetch_checkpoint(NAME)
    assert path == tmp_path / "c" / f"{NAME}.tflite" and path.is_file()


@pytest.mark.parametrize("mode,match", [("truncate", "broke off|damaged"),
                                        ("garbage", "damaged or truncated"),
                                        ("no-tflite", "holds no"),
                                        ("wrong-model", "not the expected checkpoint"),
                                        ("bad-tflite", "not the expected checkpoint")])
def test_bad_downloads_are_rejected_and_not_cached(server, tmp_path, coral, tflite_bytes,
                                                   mode, match):
    good = make_tgz({f"{NAME}.tflite": tflite_bytes})
    body = {
        "truncate": good,
        "garbage": bytes(reversed(good)),
        "no-tflite": make_tgz({"labels.txt": b"a\nb\n"}),
        "wrong-model": make_tgz({f"{NAME}.tflite":
                                 (coral / "mobilenet_v1_0.5_160_quant.tflite").read_bytes()}),
        "bad-tflite": make_tgz({f"{NAME}.tflite": tflite_bytes[:len(tflite_bytes) // 2]}),
    }[mode]
    server.serve(f"{NAME}.tgz", body, "truncate" if mode == "truncate" else "ok")
    with pytest.raises(ck.CheckpointError, match=match) as info:
        ck.fetch_checkpoint(NAME, cache=tmp_path, url=server.url)
    assert "\n" not in str(info.value)
    assert leftovers(tmp_path) == []
    assert ck.cached_checkpoint(NAME, tmp_path) is None


def test_server_down_and_missing_file_give_clear_errors(server, tmp_path):
    with pytest.raises(ck.CheckpointError, match="cannot reach 127.0.0.1"):
        ck.fetch_checkpoint(NAME, cache=tmp_path, url=closed_port_url(), timeout=5)
    with pytest.raises(ck.CheckpointError, match="HTTP 404"):
        ck.fetch_checkpoint(NAME, cache=tmp_path, url=server.url, timeout=5)
    with pytest.raises(ck.CheckpointError, match="not an official"):
        ck.fetch_checkpoint("mobilenet_v1_2.0_224", cache=tmp_path, url=server.url)
    assert leftovers(tmp_path) == []


def some_bytes(n: int) -> bytes:
    """Stand-in for a .tflite where nothing reads it (incompressible, so a .tgz of it
    is as large: several download chunks)."""
    return np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()


def test_cancel_aborts_and_leaves_nothing(server, tmp_path):
    archive = make_tgz({f"{NAME}.tflite": some_bytes(500_000)})
    server.serve(f"{NAME}.tgz", archive)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2  # let two chunks through, then stop

    with pytest.raises(ck.DownloadCancelled):
        ck.fetch_checkpoint(NAME, cache=tmp_path, url=server.url, cancel=cancel)
    assert leftovers(tmp_path) == []
    with pytest.raises(ck.DownloadCancelled):  # cancelled before it starts: no request
        ck.fetch_checkpoint(NAME, cache=tmp_path, url=server.url, cancel=lambda: True)
    assert len(server.requests) == 1


def test_labels_download_and_cache(server, tmp_path, coral):
    text = (coral / "imagenet_labels.txt").read_text(encoding="utf-8")
    server.serve("data/ImageNetLabels.txt", text.encode())
    labels = ck.fetch_labels(cache=tmp_path, url=server.url + "data/ImageNetLabels.txt")
    assert len(labels) == 1001 and labels[0] == "background"
    assert labels == tuple(l.strip() for l in text.strip().splitlines())
    server.close()
    assert ck.fetch_labels(cache=tmp_path, url=server.url + "data/ImageNetLabels.txt") == labels


def test_labels_unavailable(tmp_path):
    url = closed_port_url() + "ImageNetLabels.txt"
    with pytest.raises(ck.CheckpointError):
        ck.fetch_labels(cache=tmp_path, url=url, timeout=5)
    with pytest.raises(ck.CheckpointError, match="moments ago"):  # no second wait
        ck.fetch_labels(cache=tmp_path, url=url, timeout=5)
    bad = tmp_path / "empty.txt"
    bad.write_text("\n")
    with pytest.raises(ck.CheckpointError, match="not a label file"):
        ck.read_labels(bad)


def test_extract_tflite_from_local_archive(tmp_path):
    tflite_bytes = some_bytes(3000)
    p = tmp_path / "x.tgz"
    p.write_bytes(make_tgz({"sub/one.tflite": tflite_bytes}))
    assert ck.extract_tflite(p) == tflite_bytes  # the only .tflite, whatever its name
    two = make_tgz({"a.tflite": b"1", "b.tflite": b"2"})
    assert ck.extract_tflite(two, "b.tflite") == b"2"
    with pytest.raises(ck.CheckpointError, match="holds no"):
        ck.extract_tflite(two)
