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

    def load(source, alpha, resolution, progress, cancel, precision="float", **_threads):
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
        assert calls[-1] == ("untrained:0.25_128", "auto")  # the default
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


def test_running_int8_model_names_its_integer_formats(qtbot, coral):
    """The Live tab with the real loader and runner: an int8 model is named as such and
    its tooltip names the integer formats it runs in."""
    tab = LiveTab()
    qtbot.addWidget(tab)
    try:
        tab.model_picker.set_precision("int8")
        with qtbot.waitSignal(tab.pipeline.modelLoaded, timeout=60_000):
            tab.load_model(str(coral / "mobilenet_v1_0.25_128_quant.tflite"))
        assert tab.pipeline.model.precision == "int8"
        assert "int8" in tab.model_label.text()
        assert f"int8 formats: {tab.pipeline.model.kernels}" in tab.model_label.toolTip()
        assert tab.pipeline.model.kernels.startswith("uint8 activations")
    finally:
        tab.shutdown()


def test_auto_is_the_default_and_shows_what_it_chose(qtbot):
    """The picker starts on auto; the loader gets it with the runner's threads, its
    measuring progress is shown as such, and the box and label say what auto chose."""
    from dataclasses import dataclass

    from live_fakes import FakeModel
    from visualizer.ui.live.inference_worker import MEASURING

    @dataclass(frozen=True)
    class AutoModel(FakeModel):
        precision: str = "int8"
        islands: tuple = ("conv1",)
        auto: str = "int8 with conv1 as exact float islands: measured 0.60× float's time"

    calls, labels = [], []

    def load(source, alpha, resolution, progress, cancel, **kw):
        calls.append(kw)
        progress(40, MEASURING)
        return AutoModel(NetSpec(0.25, 128, 1001), name="q", trained=True)

    tab = LiveTab(pipeline=LivePipeline(load_fn=load, runner_factory=fake_factory()))
    qtbot.addWidget(tab)
    try:
        picker = tab.model_picker
        assert picker.precision == "auto"
        tab.pipeline.threads = 2
        tab.pipeline.modelProgress.connect(
            lambda *_: labels.append(tab.model_controls.progress.labelText()))
        with qtbot.waitSignal(tab.pipeline.modelLoaded, timeout=10_000):
            tab.load_model("untrained:0.25_128")
        assert calls[-1] == {"precision": "auto", "threads": 2}
        assert labels and labels[-1].startswith("Measuring float vs int8")
        box = picker.precision_box
        assert box.itemText(box.findData("auto")) == "auto: int8"
        assert "auto chose int8 with conv1" in box.toolTip()
        assert "int8 + 1 float island (auto)" in tab.model_label.text()
        assert "auto: int8 with conv1" in tab.model_label.toolTip()
    finally:
        tab.shutdown()
