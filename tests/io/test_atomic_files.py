"""Files written whole or not at all; output paths checked before the work."""
from __future__ import annotations

import csv
import errno
import json
import os
import stat
import sys

import pytest

from visualizer.io import atomic as atomic_files, report
from visualizer.io.atomic import replacing, unwritable_reason, write_atomic

LAYERS = [{"name": "conv1", "type": "conv", "macs": 10, "ms": 0.5, "n": 7, "gmacs_per_s": 0.02}]
META = {"model": "m", "resolution": 128, "threads": 1, "cpu_model": "cpu",
        "onnxruntime": "1"}


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(target, "old\n")
    write_atomic(target, b"new\n")
    assert target.read_text() == "new\n" and leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failing):
    """A full disk shows when the data is flushed (fsync) or, rarely, at the rename."""
    target = tmp_path / "out.json"
    target.write_text("old\n")

    def full(*_args, **_kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_files.os, failing, full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "x" * 100_000)
    assert target.read_text() == "old\n" and leftovers(tmp_path) == []


def test_failed_write_of_a_new_file_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic_files.os, "fsync",
                        lambda _fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(OSError):
        write_atomic(tmp_path / "new.csv", "a,b\n")
    assert list(tmp_path.iterdir()) == []


def test_an_exception_inside_replacing_leaves_nothing(tmp_path):
    target = tmp_path / "shot.png"
    with pytest.raises(RuntimeError):
        with replacing(target) as tmp:
            tmp.write_bytes(b"half a png")
            raise RuntimeError("the encoder gave up")
    assert list(tmp_path.iterdir()) == []


def test_reports_are_written_atomically(tmp_path, monkeypatch):
    """The CSV and JSON exports keep the previous file when the new one cannot be written."""
    csv_path, json_path = tmp_path / "t.csv", tmp_path / "t.json"
    report.write_csv(csv_path, META, LAYERS)
    report.write_json(json_path, META, LAYERS, frames_inferred=3)
    rows = list(csv.DictReader(open(csv_path, newline="")))
    assert rows[0]["name"] == "conv1" and rows[0]["model"] == "m"
    assert json.loads(json_path.read_text())["frames_inferred"] == 3
    before = csv_path.read_bytes(), json_path.read_bytes()
    monkeypatch.setattr(atomic_files.os, "replace",
                        lambda *_: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(OSError):
        report.write_csv(csv_path, META, LAYERS * 50)
    with pytest.raises(OSError):
        report.write_json(json_path, META, LAYERS * 50)
    assert (csv_path.read_bytes(), json_path.read_bytes()) == before
    assert leftovers(tmp_path) == []


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("{}")
    target.chmod(0o640)
    write_atomic(target, "[]")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_unwritable_targets_are_named(tmp_path):
    (tmp_path / "dir.png").mkdir()
    assert unwritable_reason(tmp_path / "ok.json") is None
    assert "is a folder" in unwritable_reason(tmp_path / "dir.png")
    assert "folder does not exist" in unwritable_reason(tmp_path / "no" / "r.json")
    (tmp_path / "file").write_text("")
    assert "is not a folder" in unwritable_reason(tmp_path / "file" / "r.json")
    assert "no file name" in unwritable_reason("")
    assert {p.name for p in tmp_path.iterdir()} == {"dir.png", "file"}  # no probe left


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_is_not_replaced():
    assert "not a regular file" in unwritable_reason("/dev/null")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_pseudo_folder_is_refused():
    assert "cannot create a file in /proc" in unwritable_reason("/proc/x.png")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write into a read-only folder")
def test_a_read_only_folder_is_refused_and_left_empty(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert "cannot create a file" in unwritable_reason(folder / "r.json")
        with pytest.raises(PermissionError):
            write_atomic(folder / "r.json", "{}")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
