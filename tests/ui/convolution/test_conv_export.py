"""'Export animation…' from the tab: frames from the current step, progress, cancel."""
from __future__ import annotations

import threading

import imageio.v3 as iio
import pytest
from PySide6.QtWidgets import QPushButton




def test_export_from_the_current_step_writes_the_remaining_steps(tab, qtbot, tmp_path):
    tab.seek(100)
    out = tmp_path / "rest.gif"
    with qtbot.waitSignal(tab.exporter.finished, timeout=60_000) as done:
        assert tab.exporter.export(out, size=(320, 200))
        plan = tab.exporter.plan
        assert plan.size == (320, 200) and plan.summary_frames == round(plan.hold * plan.fps)
        assert tab.exporter.dialog.maximum() == 44 + plan.summary_frames
    assert done.args == [str(out), ""]
    # 44 step frames, then the summary, held: one GIF frame of hold seconds
    assert iio.improps(out, plugin="pillow").shape == (45, 200, 320, 3)
    assert iio.immeta(out, plugin="pillow", index=44)["duration"] == pytest.approx(
        1000 * plan.hold, abs=20)
    assert "Exported 44 step frames and the summary" in tab.message.text()
    assert tab.explorer.position == 100  # the user's tab was not stepped
    assert not any(t.name == "animation-encode" for t in threading.enumerate())


def test_cancel_leaves_no_file_and_no_thread(tab, qtbot, tmp_path):
    tab.set_path("separable")
    out = tmp_path / "sep.gif"
    with qtbot.waitSignal(tab.exporter.finished, timeout=60_000) as done:
        tab.exporter.export(out, size=(320, 200))
        qtbot.waitUntil(lambda: tab.exporter._rendered >= 2, timeout=30_000)
        tab.exporter.dialog.findChild(QPushButton).click()  # the dialog's Cancel
    assert done.args[1] == "cancelled"
    assert list(tmp_path.iterdir()) == []
    assert not tab.exporter.running
    assert not any(t.name == "animation-encode" for t in threading.enumerate())


def test_invalid_request_is_said_in_the_tab(tab, tmp_path):
    assert not tab.exporter.export(tmp_path / "a.bmp")
    assert "must end in .gif or .mp4" in tab.message.text()


def test_the_fastest_speed_exports_at_the_format_s_highest_rate(tab, qtbot, tmp_path):
    """120 steps/s: an MP4 plays at most 60 frames per second and a GIF 50 (its delays
    are in hundredths of a second); the export is capped, not refused."""
    from visualizer.ui.convolution.transport import SPEEDS

    tab.transport.speed.setValue(len(SPEEDS) - 1)
    assert tab.transport.steps_per_second == 120
    for name, fps in (("fast.gif", 50.0), ("fast.mp4", 60.0)):
        with qtbot.waitSignal(tab.exporter.finished, timeout=60_000) as done:
            assert tab.exporter.export(tmp_path / name, size=(320, 200))
            assert tab.exporter.plan.fps == fps
            tab.exporter.cancel()
        assert done.args[1] == "cancelled"
    assert list(tmp_path.iterdir()) == []


def test_the_window_exports_slides_at_1280x720_by_default(tab, qtbot, tmp_path):
    tab.seek(140)
    out = tmp_path / "end.gif"
    with qtbot.waitSignal(tab.exporter.finished, timeout=60_000) as done:
        assert tab.exporter.export(out)
    assert done.args == [str(out), ""]
    assert iio.improps(out, plugin="pillow").shape == (4 + 1, 720, 1280, 3)
