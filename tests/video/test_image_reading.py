"""Images are read by Python (the GIL is let go while the file is read) and decoded from
memory: a FIFO or a device is refused at once instead of blocking the program, and the
format comes from the content."""
from __future__ import annotations

import os
import shutil
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from visualizer.video.images import ImageSource, read_image
from visualizer.video.sources import SourceError, make_source

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs")


def within(seconds: float, fn, *args):
    """fn(*args) on a thread; fails (instead of hanging the suite) if it blocks."""
    result = []

    def call():
        try:
            result.append((fn(*args), None))
        except Exception as e:  # raised again on the test's thread
            result.append((None, e))

    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(seconds)
    assert result, f"{fn.__name__} blocked for {seconds} s"
    value, error = result[0]
    if error is not None:
        raise error
    return value


@posix_only
def test_a_fifo_is_not_waited_for(qapp, tmp_path):
    """QImageReader on a FIFO waited for a writer while holding the GIL: the whole
    program stopped, signals included."""
    os.mkfifo(tmp_path / "pipe.jpg")
    assert within(10, read_image, tmp_path / "pipe.jpg") == (None, "not a regular file")
    if os.path.exists("/dev/zero"):
        assert within(10, read_image, "/dev/zero") == (None, "not a regular file")


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_make_source_refuses_what_is_no_regular_file(qapp, tmp_path, kind):
    path = tmp_path / "clip.mp4"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = "/dev/zero"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    with pytest.raises(SourceError, match="is a named pipe|is a device"):
        within(10, make_source, str(path))


def test_the_content_decides_the_format(qapp, tmp_path, coral):
    shutil.copy(coral / "parrot.jpg", tmp_path / "parrot.png")  # a JPEG under a PNG name
    image, why = read_image(tmp_path / "parrot.png")
    assert why == "" and (image.width(), image.height()) == Image.open(coral / "parrot.jpg").size
    Image.new("RGB", (40, 30), (10, 200, 30)).save(tmp_path / "a.tga")  # no signature
    image, why = read_image(tmp_path / "a.tga")
    assert why == "" and (image.width(), image.height()) == (40, 30)
    (tmp_path / "bad.png").write_bytes(b"not a png")
    assert read_image(tmp_path / "bad.png")[0] is None


def test_a_folder_of_unreadable_images_says_so_once(qtbot, tmp_path):
    (tmp_path / "x.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "y.png").write_bytes(b"not a png")
    source = ImageSource(tmp_path, fps=100)
    errors = []
    source.error.connect(errors.append)
    source.start()
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    source.stop()
    assert errors[0].startswith(f"No image in {tmp_path.name} is readable (x.jpg: ")
    assert "Cannot read no image" not in errors[0]


def test_exif_and_scaling_still_apply_from_memory(qapp, coral):
    image, _ = read_image(coral / "cat_1080p.jpg")
    assert (image.width(), image.height()) == (1280, 720)
    expected = np.asarray(Image.open(coral / "cat.bmp").convert("RGB"))
    image, _ = read_image(coral / "cat.bmp")
    assert (image.height(), image.width()) == expected.shape[:2]
