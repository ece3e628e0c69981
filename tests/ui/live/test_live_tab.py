"""The Live tab: real sources, a fake runner (fast, deterministic) and, end to end, the
real runner through the headless command line."""
from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtMultimedia import QMediaDevices

from live_fakes import (fake_factory, fake_loader, running_threads, square_frame,
                        write_video)
from visualizer.net.model.mobilenet import NetSpec
from visualizer.ui.live.tab import LiveTab
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.video.frames import rgb_to_qimage
from visualizer.ui.live.pickers import PROMPT
from visualizer.video.camera import NO_CAMERA

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def tab(qtbot):
    factory = fake_factory(0.05, slow_calls=(2,))  # the second frame is interrupted (10×)
    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=factory)
    t = LiveTab(pipeline=pipe)
    t.factory = factory
    qtbot.addWidget(t)
    t.resize(1280, 760)
    yield t
    t.shutdown()


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("live") / "squares.mp4", frames=40)


def load(qtbot, tab, spec="untrained:0.25_128"):
    with qtbot.waitSignal(tab.pipeline.modelLoaded, timeout=10_000):
        tab.load_model(spec)


def test_video_runs_through_the_tab_and_shows_results(qtbot, tab, video):
    load(qtbot, tab)
    tab.set_source(str(video))
    with qtbot.waitSignal(tab.pipeline.sourceEnded, timeout=20_000):
        tab.start()
        qtbot.waitUntil(lambda: tab.start_button.text() == "Stop", timeout=5_000)
    qtbot.waitUntil(lambda: not tab.pipeline.busy, timeout=5_000)
    p = tab.pipeline
    assert p.frames_received == 40 == p.frames_inferred + p.frames_dropped
    assert p.frames_dropped > 0  # 50 ms inference vs 33 ms frames
    assert tab.start_button.text() == "Start" and "video ended" in tab.message.text()
    # the top-5 shown belongs to the frame shown (the fake predicts from its red mean)
    last = p.last_result
    assert tab.top5.predictions == last.top5
    # chart bars: mean ms per layer of the recent frames, in network order, then other
    # (no kernel outside the paper layers here) and the overhead: the fake's 50 ms run
    # minus its kernels, so that the bars add up to the frame named in the title
    layers = NetSpec(0.25, 128, 1001).layers
    kernels = [0.1 + l.macs / 1e8 for l in layers]
    expected = kernels + [0.0, 50.0 - sum(kernels)]
    np.testing.assert_allclose(tab.chart.ms_values(), expected)
    assert tab.chart.names[:3] == ["conv1", "dw1", "pw1"]
    assert tab.chart.names[-2:] == ["other", "overhead"]
    assert "sum 50.00 ms" in tab.chart.ms_plot.getPlotItem().titleLabel.text
    assert "camera-paced" in tab.chart.conditions.text()
    tab._show_stats()
    assert f"Dropped</b> {p.frames_dropped} of 40" in tab.stats_label.text()


@pytest.mark.parametrize("logical,physical,shown", [
    (8, 4, "4 threads (auto: ≤1 per physical core (4), 1 of 8 cores kept free)"),
    (8, 8, "7 threads (auto: ≤1 per physical core (8), 1 of 8 cores kept free)"),
    (1, 1, "1 thread (auto: the only usable core)"),
])
def test_auto_threads_are_explained_with_the_counts_they_come_from(tab, monkeypatch, logical,
                                                                   physical, shown):
    """The stats line says how many threads auto gives and why, from the same core counts
    (affinity, physical cores) as sessions.live_threads, which chooses them."""
    from visualizer.net.runtime import sessions

    monkeypatch.setattr(sessions, "core_counts", lambda: (logical, physical))
    tab._show_stats()
    assert f"<b>onnxruntime</b> {shown}" in tab.stats_label.text()
    tab.pipeline.threads = 3  # --threads: nothing to explain
    tab._show_stats()
    assert tab.stats_label.text().endswith("<b>onnxruntime</b> 3 threads")


def test_no_camera_offers_the_file_sources(qtbot, tab):
    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    box = tab.source_box
    # the first minute: a calm prompt, no red message, no file action preselected
    assert box.currentIndex() == 0 and box.itemText(0) == PROMPT and box.itemData(0) is None
    assert [box.itemText(i) for i in range(1, box.count())] == [
        "Video file…", "Image…", "Folder of images…"]
    assert tab.message.text() == "" and "No camera found" in tab.frame_view.placeholder
    assert not any(b.isEnabled() for b in tab.exports.buttons)  # nothing to export yet
    assert tab.current_source() is None
    tab.set_source("camera:0")
    tab.show_message("")
    # Start before any model is loaded: the start waits for the model, then the camera
    # that is not there gives the message and the run stops
    assert tab.pipeline.model is None
    with qtbot.waitSignal(tab.pipeline.error, timeout=10_000):
        tab.start()
        assert tab.start_button.text() == "Stop" and tab.pipeline.loading
    assert tab.pipeline.model is not None and tab.message.text() == NO_CAMERA
    assert not tab.pipeline.running and tab.start_button.text() == "Start"


def test_missing_camera_start_gives_message_and_stops(qtbot, tab):
    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    load(qtbot, tab)
    tab.set_source("camera:0")
    with qtbot.waitSignal(tab.pipeline.error, timeout=5_000):
        tab.start()
    assert tab.message.text() == NO_CAMERA and not tab.pipeline.running
    assert tab.start_button.text() == "Start"


def test_a_message_appearing_or_going_lays_the_tab_out_at_once(qtbot, tab):
    """Otherwise the next repaint draws the charts at their old size and then again at
    the new one (twice the GUI-thread time when a run starts and hides a message)."""
    from PySide6.QtCore import QPoint

    tab.show()
    qtbot.waitExposed(tab)

    def frame_top() -> int:
        return tab.frame_view.mapTo(tab, QPoint(0, 0)).y()

    tab.show_message("a message\nover two lines")
    with_message = frame_top()  # no event processed in between
    tab.show_message("")
    without = frame_top()
    assert without < with_message and not tab.message.isVisible()
    qtbot.wait(50)  # the layout Qt applies later changes nothing more
    assert frame_top() == without


def test_unreadable_image_shows_a_message(qtbot, tab, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    load(qtbot, tab)
    tab.set_source(str(bad))
    with qtbot.waitSignal(tab.pipeline.error, timeout=5_000):
        tab.start()
    assert "broken.png" in tab.message.text() and not tab.pipeline.running


def test_missing_file_shows_a_message(qtbot, tab, tmp_path):
    load(qtbot, tab)
    tab.set_source(str(tmp_path / "gone.mp4"))
    tab.start()
    assert "no such file" in tab.message.text() and not tab.pipeline.running


def test_failed_model_keeps_the_previous_one(qtbot, tab):
    load(qtbot, tab, "untrained:0.5_160")
    before = tab.model_label.text()
    assert "untrained:0.5_160" in before and "meaningless predictions" in before
    assert before.startswith("Loaded:") and "b00020" not in tab.model_label.styleSheet()
    with qtbot.waitSignal(tab.pipeline.modelFailed, timeout=10_000):
        tab.load_model("/nowhere/broken.tflite")
    assert "previous model stays" in tab.message.text()
    assert tab.pipeline.model.spec.alpha == 0.5 and tab.model_label.text() == before
    # the picker shows the model that runs again, not the file that failed
    assert tab.current_model() == "untrained:0.5_160"


def test_exports_hold_the_per_layer_means_and_context(qtbot, tab, tmp_path):
    rgb_to_qimage(square_frame(5)).save(str(tmp_path / "a.png"))
    load(qtbot, tab)
    tab.set_source(str(tmp_path / "a.png"))
    tab.start()
    qtbot.waitUntil(lambda: tab.pipeline.frames_inferred >= 3, timeout=10_000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.pipeline.busy, timeout=5_000)
    n = tab.pipeline.timing.frames
    assert n == tab.pipeline.frames_inferred >= 3
    # the chart shows n and the same figures as the exports (the 10× frame left out)
    assert f"n = {n})" in tab.chart.ms_plot.getPlotItem().titleLabel.text
    names = tab.chart.names
    bars = dict(zip(names, tab.chart.ms_values()))
    tab.export_csv(str(tmp_path / "t.csv"))
    tab.export_json(str(tmp_path / "t.json"))
    tab.export_png(str(tmp_path / "t.png"))
    rows = list(csv.DictReader(open(tmp_path / "t.csv")))
    layers = NetSpec(0.25, 128, 1001).layers
    assert [r["name"] for r in rows] == [l.name for l in layers] + ["overhead"]
    assert sum(float(r["ms"]) for r in rows) == pytest.approx(sum(tab.chart.ms_values()))
    for row, layer in zip(rows, layers):
        assert int(row["macs"]) == layer.macs
        assert float(row["ms"]) == pytest.approx(0.1 + layer.macs / 1e8)
        assert int(row["n"]) == n and bars[layer.name] == pytest.approx(float(row["ms"]))
        assert row["resolution"] == "128" and row["onnxruntime"]
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["resolution"] == 128 and data["cpu_model"] and data["cpu_count"] >= 1
    assert data["timed_frames"] == n and all(row["n"] == n for row in data["layers"])
    assert data["statistic"].startswith("trimmed mean")
    assert data["layers"][2]["gmacs_per_s"] == pytest.approx(
        layers[2].macs / ((0.1 + layers[2].macs / 1e8) * 1e6))
    from PySide6.QtGui import QImage

    assert not QImage(str(tmp_path / "t.png")).isNull()


def test_closing_the_window_releases_everything(qtbot, video):
    from visualizer.ui.main_window import MainWindow

    before = running_threads()
    window = MainWindow(first_tab="live")
    qtbot.addWidget(window)
    tab = window.page("live")
    tab.pipeline._load_fn = fake_loader()
    tab.pipeline._runner_factory = fake_factory(0.01)
    tab.pipeline.cancel_load()
    load(qtbot, tab)
    tab.set_source(str(video))
    tab.start()
    qtbot.waitUntil(lambda: tab.pipeline.frames_inferred >= 2, timeout=10_000)
    source = tab.pipeline.source
    window.close()
    assert not source.running and not tab.pipeline.thread_running
    qtbot.waitUntil(lambda: running_threads() <= before, timeout=3_000)


#: the headless runs' cache folder (precision auto's measurements, …): one for the test
#: session, never the user's
_RUN_CACHE = tempfile.TemporaryDirectory(prefix="mobilenet-visualizer-test-cache-")


def run_main(*args, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
                               "MOBILENET_VISUALIZER_CACHE": _RUN_CACHE.name})


def test_headless_run_with_images_and_untrained_model(tmp_path):
    for i in range(3):
        rgb_to_qimage(square_frame(i * 20)).save(str(tmp_path / f"{i}.png"))
    report, shot = tmp_path / "r.json", tmp_path / "s.png"
    r = run_main("--source", tmp_path, "--model", "untrained:0.25_128", "--autostart",
                 "--exit-after-frames", 12, "--report", report, "--screenshot", shot)
    assert r.returncode == 0, r.stderr
    data = json.loads(report.read_text())
    assert data["frames_inferred"] >= 12 and data["ended_by"] == "12 frames"
    assert data["frames_received"] == data["frames_inferred"] + data["frames_dropped"]
    assert data["model"] == "untrained 0.25-128" and data["trained"] is False
    names = [l.name for l in NetSpec(0.25, 128, 1001).layers]
    timed = [row for row in data["layers"] if row["name"] in names]
    assert [row["name"] for row in timed] == names  # every paper layer timed, in order
    assert all(row["ms"] > 0 for row in timed)  # each ran: measured time, not a 0
    for row in data["layers"]:
        assert row["gmacs_per_s"] == (pytest.approx(row["macs"] / (row["ms"] * 1e6))
                                      if row["ms"] > 0 and row["macs"] else None)
    assert all(row["n"] == data["timed_frames"] >= 10 for row in data["layers"])
    assert data["layer_statistic"].startswith("trimmed mean")
    assert 0 < data["mean_inference_ms"] < 10_000
    # the GUI heartbeat's figure (its meaning: test_heartbeat_measures_the_worst_stall)
    assert isinstance(data["max_stall_ms"], float) and math.isfinite(data["max_stall_ms"])
    assert 0 <= data["last_top1"]["prob"] <= 1 and data["last_top1"]["label"]
    from PySide6.QtGui import QImage

    assert QImage(str(shot)).size().width() == 1280


def _dark_share(path) -> float:
    """Share of the picture in the Live tab's empty-frame grey (#202020)."""
    from PySide6.QtGui import QImage

    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = rows[:, : 3 * img.width()].reshape(img.height(), img.width(), 3)
    return float((np.abs(rgb.astype(int) - 0x20).sum(axis=2) < 6).mean())


def test_headless_run_shows_the_tab_asked_for(tmp_path):
    rgb_to_qimage(square_frame(3)).save(str(tmp_path / "a.png"))
    shots = {}
    for tab in ("network", None):
        shot = tmp_path / f"{tab}.png"
        extra = ("--tab", tab) if tab else ()
        r = run_main("--source", tmp_path / "a.png", "--model", "untrained:0.25_128",
                     "--autostart", "--exit-after-frames", 6, "--screenshot", shot, *extra)
        assert r.returncode == 0, r.stderr
        shots[tab] = _dark_share(shot)
    # the Live tab's frame (dark margins around the picture) fills a good part of the
    # window (how much depends on the rows above it: 4-6 %); the Network tab (tables and
    # white charts) has no such area
    assert shots[None] > 0.02 and shots["network"] < 0.005


def test_headless_video_ending_early_still_reports(tmp_path):
    video = write_video(tmp_path / "short.mp4", frames=15)
    report = tmp_path / "r.json"
    r = run_main("--source", video, "--model", "untrained:0.25_128", "--autostart",
                 "--exit-after-frames", 1000, "--report", report)
    assert r.returncode == 0, r.stderr
    data = json.loads(report.read_text())
    assert data["ended_by"] == "source ended" and data["frames_received"] == 15
    assert data["frames_received"] == data["frames_inferred"] + data["frames_dropped"]


def test_headless_trained_model_recognises_the_photo(tmp_path, coral):
    report = tmp_path / "r.json"
    r = run_main("--source", coral / "parrot.jpg", "--model",
                 coral / "mobilenet_v1_0.5_160_quant.tflite", "--autostart",
                 "--exit-after-frames", 3, "--report", report)
    assert r.returncode == 0, r.stderr
    data = json.loads(report.read_text())
    assert data["trained"] is True
    assert data["last_top1"]["label"] == "macaw"  # the Coral examples' expected class


@pytest.mark.parametrize("args,needle", [
    (["--source", "/nonexistent/x.mp4", "--autostart", "--exit-after-frames", "3"],
     "no such file"),
    (["--source", "camera:x", "--autostart"], "camera number"),
    (["--exit-after-frames", "3"], "needs --autostart"),
])
def test_headless_bad_input_exits_2_with_one_line(args, needle):
    r = run_main(*args, timeout=60)
    assert r.returncode == 2
    lines = [l for l in r.stderr.splitlines() if l.startswith("error")]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_headless_model_failure_exits_2(tmp_path):
    rgb_to_qimage(square_frame(0)).save(str(tmp_path / "a.png"))
    r = run_main("--source", tmp_path / "a.png", "--model", tmp_path / "missing.tflite",
                 "--autostart", "--exit-after-frames", "3", "--report", tmp_path / "r.json")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "missing.tflite" in r.stderr
    assert json.loads((tmp_path / "r.json").read_text())["frames_inferred"] == 0


@pytest.mark.parametrize("value,ceiling", [(0.7, 1), (1.0, 1), (1.3, 2), (3, 5), (7.5, 10),
                                           (0.012, 0.02), (450, 500), (0, 1)])
def test_chart_axis_ends_are_stable_round_numbers(value, ceiling):
    from visualizer.ui.common.plots import nice_ceiling

    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_model_picker_reads_untrained_shapes(qtbot):
    from visualizer.ui.live.pickers import ModelPicker

    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.set_model("untrained:0.75_192")
    assert picker.current() == "untrained:0.75_192"
    picker.set_model("mobilenet_v1_0.5_160_quant")
    assert picker.current() == "mobilenet_v1_0.5_160_quant"
    picker.set_model("/some/where/model.onnx")
    assert picker.current() == "/some/where/model.onnx"


def test_slow_download_shows_progress_and_cancel_keeps_the_model(qtbot, closing):
    import threading
    import time as _time

    base = fake_loader()
    loader = {}  # the slow download's thread, and whether it saw the cancel

    def slow(source, alpha, resolution, progress, cancel, **_precision):
        if "slow" not in source:
            return base(source, alpha, resolution, progress, cancel)
        loader["thread"] = threading.current_thread()
        for i in range(1000):
            if cancel():
                loader["cancelled"] = True
                raise RuntimeError("download cancelled")
            progress(i, 1000)
            _time.sleep(0.01)
        raise AssertionError("never cancelled")

    pipe = LivePipeline(load_fn=slow, runner_factory=fake_factory())
    t = closing(LiveTab(pipeline=pipe))
    qtbot.addWidget(t)
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        t.load_model("untrained:0.25_128")
    t.load_model("/models/slow.tflite")
    qtbot.waitUntil(lambda: t.progress.isVisible() and t.progress.value() > 0, timeout=5_000)
    assert "Downloading" in t.progress.labelText()
    from PySide6.QtWidgets import QPushButton

    t.progress.findChild(QPushButton).click()  # the dialog's Cancel button
    assert not pipe.loading and not t.progress.isVisible()
    assert "cancelled" in t.message.text() and pipe.model.spec.alpha == 0.25
    t.shutdown()  # does not wait for the cancelled download: it ends on its own
    assert not pipe.thread_running
    # the cancelled download notices, returns and its thread ends
    qtbot.waitUntil(lambda: loader.get("cancelled") and loader["thread"] not in
                    running_threads(), timeout=5_000)


def test_headless_without_camera_exits_2_with_report(tmp_path):
    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera")
    report = tmp_path / "r.json"
    r = run_main("--source", "camera:0", "--model", "untrained:0.25_128", "--autostart",
                 "--exit-after-frames", 5, "--report", report)
    assert r.returncode == 2 and NO_CAMERA in r.stderr and "Traceback" not in r.stderr
    assert json.loads(report.read_text())["error"] == NO_CAMERA


def test_camera_list_follows_devices_and_keeps_chosen_files(qtbot, tab, monkeypatch, tmp_path):
    from visualizer.ui.live import pickers as live_pickers

    picker = tab.source_picker
    image = tmp_path / "a.png"
    rgb_to_qimage(square_frame(1)).save(str(image))
    tab.set_source(str(image))
    changes = []
    picker.camerasChanged.connect(changes.append)
    monkeypatch.setattr(live_pickers, "camera_names", lambda: ["USB cam", "Built-in"])
    picker._devices_changed()  # what QMediaDevices.videoInputsChanged calls
    items = [picker.box.itemData(i) for i in range(picker.box.count())]
    assert items[:2] == ["camera:0", "camera:1"] and None not in items
    assert str(image) in items and tab.current_source() == str(image)  # file kept, selected
    assert "camera was connected" in tab.message.text()
    picker.box.setCurrentIndex(1)
    monkeypatch.setattr(live_pickers, "camera_names", lambda: [])
    picker._devices_changed()  # unplugged: the note is back, a file source is selected
    items = [picker.box.itemData(i) for i in range(picker.box.count())]
    assert items[0] is None and "camera:1" not in items and str(image) in items
    assert tab.current_source() == str(image)  # the chosen file, not a missing camera
    assert changes == [True, False] and "No camera found" in tab.frame_view.placeholder
