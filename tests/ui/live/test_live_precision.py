"""Precision in the Live tab and the headless live run: the picker's choice reaches the
loader, a refused int8 load leaves the running model and its precision shown, and the
headless run classifies on the int8 graph (end to end, real runner)."""
from __future__ import annotations

import json

from live_fakes import fake_factory, fake_loader, square_frame
from test_live_tab import run_main
from visualizer.net.model.mobilenet import NetSpec
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.ui.live.tab import LiveTab
from visualizer.video.frames import rgb_to_qimage


def _tab(qtbot, calls):
    base = fake_loader()

    def load(source, alpha, resolution, progress, cancel, precision="float"):
        calls.append((source, precision))
        if precision == "int8" and source.startswith("untrained"):
            raise ValueError("int8 needs a quantized checkpoint")
        return base(source, alpha, resolution, progress, cancel)  # a float model

    tab = LiveTab(pipeline=LivePipeline(load_fn=load, runner_factory=fake_factory()))
    qtbot.addWidget(tab)
    return tab


def test_precision_choice_reaches_the_loader_and_a_refusal_reverts_it(qtbot):
    calls: list = []
    tab = _tab(qtbot, calls)
    try:
        with qtbot.waitSignal(tab.pipeline.modelLoaded, timeout=10_000):
            tab.load_model("untrained:0.25_128")
        assert calls[-1] == ("untrained:0.25_128", "float")
        picker = tab.model_picker
        picker.precision_box.setCurrentIndex(picker.precision_box.findData("int8"))
        with qtbot.waitSignal(tab.pipeline.modelFailed, timeout=10_000):
            picker.precision_box.activated.emit(picker.precision_box.currentIndex())
        assert calls[-1][1] == "int8"
        assert "quantized checkpoint" in tab.message.text()
        assert picker.precision == "float"  # the picker shows what runs
        assert getattr(tab.pipeline.model, "precision", "float") == "float"
    finally:
        tab.shutdown()


def test_headless_int8_run_recognises_the_photo(tmp_path, coral):
    report = tmp_path / "r.json"
    r = run_main("--source", coral / "parrot.jpg", "--model",
                 coral / "mobilenet_v1_0.5_160_quant.tflite", "--precision", "int8",
                 "--autostart", "--exit-after-frames", 8, "--report", report)
    assert r.returncode == 0, r.stderr
    data = json.loads(report.read_text())
    assert data["precision"] == "int8" and data["last_top1"]["label"] == "macaw"
    names = [l.name for l in NetSpec(0.5, 160, 1001).layers]
    assert [row["name"] for row in data["layers"] if row["name"] in names] == names
    assert "other" not in [row["name"] for row in data["layers"]]


def test_headless_int8_of_a_float_model_exits_2_with_one_line(tmp_path):
    rgb_to_qimage(square_frame(0)).save(str(tmp_path / "a.png"))
    r = run_main("--source", tmp_path / "a.png", "--model", "untrained:0.25_128",
                 "--precision", "int8", "--autostart", "--exit-after-frames", 3)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("error")]
    assert len(lines) == 1 and "quantized checkpoint" in lines[0]


def test_running_int8_model_says_why_int8_may_be_slower(qtbot, coral):
    """The Live tab with the real loader and runner: an int8 model is named as such and
    its tooltip carries the CPU-feature note."""
    from visualizer.net.analysis.cpu_features import cpu_features, int8_note

    tab = LiveTab()
    qtbot.addWidget(tab)
    try:
        tab.model_picker.set_precision("int8")
        with qtbot.waitSignal(tab.pipeline.modelLoaded, timeout=60_000):
            tab.load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"))
        assert tab.pipeline.model.precision == "int8"
        assert "int8" in tab.model_label.text()
        assert int8_note(cpu_features()) in tab.model_label.toolTip()
    finally:
        tab.shutdown()
