"""A camera's formats: the default a live demo starts with, and the picker offering them."""
from __future__ import annotations

import pytest

from visualizer.video.camera_formats import CameraFormat, default_format


def fmt(w, h, fps, pixel="YUYV", low=None):
    return CameraFormat(w, h, float(fps if low is None else low), float(fps), pixel)


# a typical USB 2 webcam: raw YUV only at small sizes for 30 fps, MJPEG up to 1080p
WEBCAM = [fmt(1920, 1080, 5), fmt(1280, 720, 10), fmt(640, 480, 30), fmt(320, 240, 30),
          fmt(1920, 1080, 30, "Jpeg"), fmt(1280, 720, 30, "Jpeg"), fmt(640, 480, 30, "Jpeg")]


@pytest.mark.parametrize("formats, expected", [
    (WEBCAM, fmt(1280, 720, 30, "Jpeg")),  # 720p at 30: only as MJPEG
    (WEBCAM + [fmt(1280, 720, 30, "NV12")], fmt(1280, 720, 30, "NV12")),  # raw wins a tie
    ([fmt(1920, 1080, 30, "NV12"), fmt(3840, 2160, 30, "NV12")],
     fmt(1920, 1080, 30, "NV12")),  # nothing up to 720p: the smallest
    ([fmt(1280, 720, 15), fmt(640, 480, 15, low=5)], fmt(1280, 720, 15)),  # none fast
    ([fmt(640, 480, 60), fmt(640, 480, 30)], fmt(640, 480, 60)),  # the faster of equals
])
def test_the_default_is_the_largest_up_to_720p_at_25_fps(formats, expected):
    assert formats[default_format(formats)] == expected


def test_no_formats_no_default():
    assert default_format([]) is None


def test_labels_say_size_rate_and_kind():
    assert fmt(1280, 720, 30, "Jpeg").label() == "1280×720, 30 fps, MJPEG"
    assert fmt(640, 480, 30, "NV12", low=5).label() == "640×480, 5–30 fps, NV12"


def test_the_picker_offers_a_camera_s_formats_with_the_default_chosen(qtbot):
    from visualizer.ui.live.pickers import SourcePicker

    picker = SourcePicker()
    qtbot.addWidget(picker)
    picker.show()
    assert not picker.format_box.isVisible() and picker.camera_format() is None
    picker.set_formats(WEBCAM)
    assert picker.format_box.isVisible() and picker.format_box.count() == len(WEBCAM)
    assert picker.camera_format() == fmt(1280, 720, 30, "Jpeg")
    assert picker.format_box.currentText().endswith("(default)")
    picker.format_box.setCurrentIndex(2)
    assert picker.camera_format() == fmt(640, 480, 30)
    picker.set_formats([])
    assert not picker.format_box.isVisible() and picker.camera_format() is None
