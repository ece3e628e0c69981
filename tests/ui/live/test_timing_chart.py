"""The timing chart's conditions line: red while other programs took the cores (the
caller says so, MachineLoad.contended), restyled only when that changes."""
from __future__ import annotations

from visualizer.net.analysis.timing_stats import Account, Row
from visualizer.net.model.mobilenet import NetSpec
from visualizer.ui.live.timing_chart import CONTENDED_STYLE, NORMAL_STYLE, TimingChart


def account() -> Account:
    rows = (Row("conv1", "conv", 100, 2.0, 1.5, 2.5, 3, 2.0),)
    return Account(rows, frame_ms=2.0, frame_p25=1.5, frame_p75=2.5, plain_n=3,
                   profiled_ms=2.2, scale=1.0, n=3)


def test_contended_figures_turn_the_conditions_line_red_once(qtbot, monkeypatch):
    chart = TimingChart()
    qtbot.addWidget(chart)
    chart.set_layers(NetSpec().layers)
    calls = []
    original = chart.conditions.setStyleSheet
    monkeypatch.setattr(chart.conditions, "setStyleSheet",
                        lambda s: (calls.append(s), original(s)))

    chart.update_times(account(), "camera-paced frames")
    assert chart.conditions.styleSheet() == NORMAL_STYLE and calls == []

    # the wording of the conditions no longer decides: only `contended`
    chart.update_times(account(), "camera-paced; figures inflated", contended=False)
    assert chart.conditions.styleSheet() == NORMAL_STYLE and calls == []

    chart.update_times(account(), "busy", contended=True)
    assert chart.conditions.styleSheet() == CONTENDED_STYLE
    assert "b00020" in CONTENDED_STYLE and calls == [CONTENDED_STYLE]
    chart.update_times(account(), "busy", contended=True)
    assert calls == [CONTENDED_STYLE]  # unchanged: not restyled

    chart.update_times(account(), "quiet")
    assert chart.conditions.styleSheet() == NORMAL_STYLE
    assert calls == [CONTENDED_STYLE, NORMAL_STYLE]


def test_the_tab_passes_the_pipelines_contention_to_the_chart(qtbot, monkeypatch):
    from live_fakes import fake_factory, fake_loader
    from visualizer.net.analysis.machine_load import MachineLoad
    from visualizer.ui.live.pipeline import LivePipeline
    from visualizer.ui.live.tab import LiveTab

    pipe = LivePipeline(load_fn=fake_loader(), runner_factory=fake_factory(0.01))
    tab = LiveTab(pipeline=pipe)
    qtbot.addWidget(tab)
    tab.chart.set_layers(NetSpec().layers)
    monkeypatch.setattr(pipe, "machine_load", lambda: MachineLoad(140.0, 2, 2, 1.0))
    tab._update_chart(account())
    assert tab.chart.conditions.styleSheet() == CONTENDED_STYLE
    monkeypatch.setattr(pipe, "machine_load", lambda: None)
    tab._update_chart(account())
    assert tab.chart.conditions.styleSheet() == NORMAL_STYLE
    tab.shutdown()
