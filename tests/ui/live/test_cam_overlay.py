"""The class activation map over the live frame: colours, placement on the central square
the network sees, the toggle and opacity, and the live runner computing it."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF

from live_fakes import fake_factory, fake_loader
from visualizer.net.models import load_model
from visualizer.net.runtime.results import InferenceResult, Prediction
from visualizer.ui.live.cam_overlay import cam_rect, cam_rgba
from visualizer.ui.live.inference_worker import default_runner
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.ui.live.tab import LiveTab
from visualizer.ui.live.top5_view import FrameView
from visualizer.video.live_frame import LiveFrame


def test_colours_run_from_transparent_to_opaque_red():
    rgba = cam_rgba(np.array([[0.0, 0.1], [0.5, 1.0]]))
    assert rgba.shape == (2, 2, 4) and rgba.dtype == np.uint8
    assert rgba[0, 0, 3] == 0 and rgba[0, 1, 3] == 0  # no evidence: the frame shows
    assert 0 < rgba[1, 0, 3] < 255 and rgba[1, 1, 3] == 255
    assert rgba[1, 1, 0] > 200 and rgba[1, 1, 1] < 60  # strongest: red


@pytest.mark.parametrize("h,w", [(100, 200), (300, 100), (64, 64)])
def test_the_map_covers_the_central_square(h, w):
    target = QRectF(0, 0, 2 * w, 2 * h)  # drawn at twice the size
    r = cam_rect(target, h, w)
    side = 2 * min(h, w)
    assert r.width() == pytest.approx(side) and r.height() == pytest.approx(side)
    assert r.center().x() == pytest.approx(w) and r.center().y() == pytest.approx(h)


def _pixel(view: FrameView, x: int, y: int):
    img = view.grab().toImage()
    c = img.pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def test_frame_view_overlays_the_map_only_when_shown(qtbot):
    view = FrameView()
    qtbot.addWidget(view)
    view.resize(400, 200)  # a 100×200 frame fills it exactly at twice the size
    frame = np.full((100, 200, 3), 128, np.uint8)
    cam = np.zeros((4, 4), np.float32)
    cam[1, 1] = 1.0  # hot cell: central square 100..300 × 0..200, cell 1 = 50..100
    view.set_frame(frame, cam)
    plain = _pixel(view, 175, 75)
    assert plain == (128, 128, 128)  # hidden by default
    view.show_cam(True, 1.0)
    view.set_frame(frame, cam)
    hot = _pixel(view, 175, 75)
    assert hot[0] > 180 and hot[2] < 100  # red over grey
    assert _pixel(view, 20, 100) == (128, 128, 128)  # outside the square: untouched
    assert _pixel(view, 280, 180) == (128, 128, 128)  # a cold cell: transparent
    view.show_cam(True, 0.3)
    half = _pixel(view, 175, 75)
    assert 128 < half[0] < hot[0]
    view.show_cam(False, 0.3)
    assert _pixel(view, 175, 75) == (128, 128, 128)


def test_live_tab_toggle_shows_each_result_s_map(qtbot):
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory(0.01))
    tab = LiveTab(pipeline=pipe)
    qtbot.addWidget(tab)
    tab.resize(1024, 700)
    tab.show()
    cam = np.ones((4, 4), np.float32)
    result = InferenceResult((Prediction("x", 1, 0.9),), 1.0, 0.1, (), True, 0, cam)
    frame = LiveFrame(np.full((120, 160, 3), 90, np.uint8), None, (120, 160))
    tab._on_result(result, frame)
    assert tab.frame_view._cam is None and not tab.cam_controls.opacity.isEnabled()
    tab.cam_controls.toggle.setChecked(True)
    assert tab.frame_view.cam_shown and tab.cam_controls.opacity.isEnabled()
    tab.cam_controls.opacity.setValue(40)
    assert tab.frame_view.cam_opacity == pytest.approx(0.4)
    tab._on_result(result, frame)
    assert tab.frame_view._cam is not None
    tab.shutdown()


def test_the_live_runner_computes_the_map_of_each_frame():
    model = load_model("untrained:0.25_128")
    runner = default_runner(model, 1, 1000)
    try:
        result = runner.infer(np.random.default_rng(0).integers(0, 256, (90, 120, 3),
                                                                  dtype=np.uint8))
    finally:
        runner.close()
    assert result.cam.shape == (4, 4) and 0 <= result.cam.min() and result.cam.max() <= 1
