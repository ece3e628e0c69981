"""The export buttons: a path that cannot be written is said on the message line, and
nothing (not even a partial file) is left behind."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QFileDialog, QLabel

from visualizer.ui.live.export_buttons import ExportButtons
from visualizer.ui.live.pipeline import LivePipeline

LAYERS = [{"name": "conv1", "type": "conv", "macs": 10, "ms": 0.5, "n": 7, "gmacs_per_s": 0.02}]


@pytest.fixture
def buttons(qtbot):
    chart = QLabel("chart")
    chart.resize(120, 60)
    messages: list[tuple[str, bool]] = []
    b = ExportButtons(chart, lambda text, error=False: messages.append((text, error)))
    b.pipeline = SimpleNamespace(model=None, threads=2, effective_threads=lambda: 2,
                                 layer_rows=lambda: LAYERS,
                                 timing=SimpleNamespace(frames=7, account=lambda: None),
                                 conditions=lambda: "camera-paced frames",
                                 stats=lambda: SimpleNamespace(frames_inferred=7, mean_ms=1.5),
                                 machine_load=lambda: None)
    b.pipeline.report_extras = lambda: LivePipeline.report_extras(b.pipeline)
    b.messages = messages
    qtbot.addWidget(b)
    qtbot.addWidget(chart)
    return b


def choose(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(path), ""))


@pytest.mark.parametrize("ask", ["_ask_csv", "_ask_json", "_ask_png"])
def test_each_export_saves_and_says_so(buttons, monkeypatch, tmp_path, ask):
    target = tmp_path / f"out.{ask[5:]}"
    choose(monkeypatch, target)
    getattr(buttons, ask)()
    assert buttons.messages == [(f"Saved {target}", False)]
    assert target.stat().st_size > 0 and [p.name for p in tmp_path.iterdir()] == [target.name]
    if ask == "_ask_json":
        assert json.loads(target.read_text())["frames_inferred"] == 7


@pytest.mark.parametrize("where,said", [("folder", "is a folder"),
                                        ("missing", "folder does not exist")])
def test_unwritable_choice_is_said_and_leaves_nothing(buttons, monkeypatch, tmp_path,
                                                      where, said):
    (tmp_path / "folder").mkdir()
    path = tmp_path / "folder" if where == "folder" else tmp_path / "gone" / "t.csv"
    choose(monkeypatch, path)
    buttons._ask_csv()
    (text, error), = buttons.messages
    assert error and text.startswith(f"Could not save {path}") and said in text
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_png_that_qt_cannot_write_is_said(buttons, monkeypatch, tmp_path):
    from PySide6.QtGui import QPixmap

    monkeypatch.setattr(QPixmap, "save", lambda *_: False)
    choose(monkeypatch, tmp_path / "c.png")
    buttons._ask_png()
    (text, error), = buttons.messages
    assert error and "could not be written" in text and list(tmp_path.iterdir()) == []
