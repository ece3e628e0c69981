"""Outputs never replace an input, another output or a file of another kind; inputs that
are no regular file are named for what they are."""
from __future__ import annotations

import os
import sys

import pytest

from visualizer.io.file_kinds import describe, kind_of, not_regular, sniff
from visualizer.io.output_paths import Input, Output, output_problem

JSON, PNG = (".json",), (".png",)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (tmp_path / "m.tflite").write_bytes(bytes(4) + b"TFL3" + bytes(100))
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    return tmp_path


def test_an_output_onto_the_source_or_the_model_is_refused(files):
    inputs = [Input("--source", str(files / "photo.jpg")), Input("--model", str(files / "m.tflite"))]
    said = output_problem([Output("--report", str(files / "photo.jpg"), (".jpg",))], inputs)
    assert said == (f"--report {files / 'photo.jpg'} is the --source file: it would be "
                    "replaced; choose another name")
    said = output_problem([Output("--out", str(files / "m.tflite"), (".tflite",))], inputs)
    assert "is the --model file" in said
    assert output_problem([Output("--report", str(files / "r.json"), JSON)], inputs) is None


@posix_only
@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_link_to_an_input_is_the_input(files, link):
    alias = files / "alias.json"
    (os.symlink if link == "symlink" else os.link)(files / "photo.jpg", alias)
    said = output_problem([Output("--report", str(alias), JSON)],
                          [Input("--source", str(files / "photo.jpg"))])
    assert "is the --source file" in said
    assert (files / "photo.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_a_file_of_the_source_folder_is_refused_a_new_name_there_is_not(files):
    inputs = [Input("--source", str(files / "photos"))]
    said = output_problem([Output("--screenshot", str(files / "photos" / "a.png"), PNG)], inputs)
    assert "is a file in the --source folder" in said
    assert output_problem([Output("--screenshot", str(files / "photos" / "new.png"), PNG)],
                          inputs) is None


@posix_only
def test_the_same_output_twice_is_refused(files):
    os.symlink(files / "r.json", files / "shot.json")  # not there yet: still the same file
    outputs = [Output("--report", str(files / "r.json"), JSON),
               Output("--csv", str(files / "shot.json"), JSON)]
    assert output_problem(outputs) == ("--report and --csv name the same file "
                                       f"({files / 'shot.json'}): each output needs its own")
    same = [Output("--a", str(files / "x.json"), JSON), Output("--b", str(files / "x.json"), JSON)]
    assert "name the same file" in output_problem(same)


@pytest.mark.parametrize("name, content, suffixes, said", [
    ("r.json", b"\xff\xd8\xff\xe1photo", JSON, "exists and is a JPEG image, not a JSON file"),
    ("m.onnx", b"my notes\n", (".onnx",), "exists and is a text file, not an ONNX model"),
    ("a.gif", b"\x89PNG\r\n\x1a\n....", (".gif",), "exists and is a PNG image, not a GIF"),
    ("a.mp4", b"GIF89a....", (".mp4",), "exists and is a GIF image, not an MP4 video"),
    ("s.png", b"{\"model\": 1}", PNG, "exists and is a JSON file, not a PNG image"),
])
def test_an_existing_file_of_another_kind_is_kept(tmp_path, name, content, suffixes, said):
    (tmp_path / name).write_bytes(content)
    problem = output_problem([Output("--out", str(tmp_path / name), suffixes)])
    assert said in problem and "not replacing it" in problem
    assert (tmp_path / name).read_bytes() == content


@pytest.mark.parametrize("name, content, suffixes", [
    ("r.json", b'{"old": "report"}\n', JSON), ("r.json", b"", JSON),
    ("s.png", b"\x89PNG\r\n\x1a\n" + bytes(20), PNG),
    ("a.mp4", bytes(3) + b"\x18ftypisom", (".mp4",)),
    ("m.onnx", b"\x08\x07\x12\x0cmobilenet", (".onnx",)),
])
def test_an_earlier_output_of_the_same_kind_may_be_replaced(tmp_path, name, content, suffixes):
    (tmp_path / name).write_bytes(content)
    assert output_problem([Output("--out", str(tmp_path / name), suffixes)]) is None


def test_suffix_and_empty_names(tmp_path):
    assert output_problem([Output("--report", str(tmp_path / "r.txt"), JSON)]) == \
        "--report must end in .json, not 'r.txt'"
    assert output_problem([Output("--report", "", JSON)]) == "--report: no file name given"
    assert output_problem([Output("--out", str(tmp_path / "a.png"), (".gif", ".mp4"))]) == \
        "--out must end in .gif or .mp4, not 'a.png'"


@posix_only
def test_a_dangling_symlink_names_its_missing_folder(tmp_path):
    os.symlink("/nonexistent-folder/r.json", tmp_path / "r.json")
    said = output_problem([Output("--report", str(tmp_path / "r.json"), JSON)])
    assert said == (f"--report: {tmp_path / 'r.json'} is a symbolic link to "
                    "/nonexistent-folder/r.json, whose folder does not exist")


@pytest.mark.parametrize("head, kind", [
    (b"", "empty"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff\xdb", "jpeg"),
    (b"GIF87a", "gif"), (b"\x00\x00\x00\x20ftypmp42", "mp4"), (b"\x1c\x00\x00\x00TFL3", "tflite"),
    (b"\x1f\x8b\x08", "gzip"), (b"PK\x03\x04", "zip"), (b"RIFF\x00\x00\x00\x00WEBPVP8", "webp"),
    (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"), (b"\x1a\x45\xdf\xa3", "matroska"),
    (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00", "bmp"), (b"%PDF-1.7", "pdf"),
    (b"\x08\x07\x12\x0bpytorch", "onnx"), (b'  [{"a": 1}]', "json"), (b"name,ms\nconv1,2\n", "text"),
    (b"\x00\x01\x02\x03\xfe", "data"),
])
def test_file_kinds_by_their_first_bytes(head, kind):
    assert sniff(head) == kind and describe(kind).startswith(("a ", "an "))


@posix_only
def test_inputs_that_are_no_regular_file_are_named(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    assert not_regular(tmp_path / "pipe.jpg", "image") == \
        f"{tmp_path / 'pipe.jpg'} is a named pipe (FIFO), not an image"
    assert kind_of(tmp_path / "pipe.jpg") is None  # never opened: that would block
    assert not_regular(tmp_path, "model file") == f"{tmp_path} is a folder, not a model file"
    assert not_regular(tmp_path / "none.png", "image") == f"image not found: {tmp_path / 'none.png'}"
    os.symlink(tmp_path / "gone.png", tmp_path / "link.png")
    assert "is a symbolic link to" in not_regular(tmp_path / "link.png", "image")
    if os.path.exists("/dev/zero"):
        assert not_regular("/dev/zero", "image") == "/dev/zero is a device, not an image"
    (tmp_path / "ok.png").write_bytes(b"\x89PNG")
    assert not_regular(tmp_path / "ok.png", "image") is None
