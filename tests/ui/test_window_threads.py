"""--threads: bounded to 1 … 4 × the cores, and it reaches every runner the window makes
(live demo, "Profile layers", sweep), not only the headless live run."""
from __future__ import annotations

import os

import pytest

from visualizer.app import build_parser, main

CORES = os.cpu_count() or 1


@pytest.mark.parametrize("command", [[], ["bench"]], ids=["window", "bench"])
def test_threads_beyond_four_times_the_cores_exit_2_with_one_line(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([*command, "--threads", str(4 * CORES + 1)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"at most {4 * CORES}" in err and str(4 * CORES + 1) in err


def test_threads_up_to_four_times_the_cores_are_accepted():
    parser = build_parser()
    assert parser.parse_args(["--threads", str(4 * CORES)]).threads == 4 * CORES
    assert parser.parse_args(["bench", "--threads", "1"]).threads == 1


def test_threads_reach_the_live_and_network_tabs_runners(qtbot, monkeypatch, tmp_path):
    from visualizer.ui import launch, main_window
    from visualizer.ui.network import sweep_view, tab as network_tab

    made = []

    class Recorded(main_window.MainWindow):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(main_window, "MainWindow", Recorded)
    args = build_parser().parse_args(["--threads", "3", "--screenshot",
                                      str(tmp_path / "w.png")])
    assert launch.run_gui(args) == 0
    window = made[0]
    live, network = window.page("live"), window.page("network")
    assert live.pipeline.threads == 3 and network.threads == 3 == network.sweep.threads
    assert network.roofline.threads == 3

    seen = {}

    def fake_sweep(alphas, resolutions, *, threads, **kwargs):
        seen["sweep"] = threads
        return []

    def fake_profile_job(spec, model, frame, threads):
        seen["profile"] = threads
        return lambda report, cancelled: None

    monkeypatch.setattr(sweep_view, "run_sweep", fake_sweep)
    monkeypatch.setattr(network_tab, "profile_job", fake_profile_job)
    with qtbot.waitSignal(network.sweep.sweep_finished, timeout=10_000):
        network.sweep.start()
    with qtbot.waitSignal(network.profile_finished, timeout=10_000):
        network.start_profile()
    assert seen == {"sweep": 3, "profile": 3}
    window.deleteLater()


def test_the_live_pipeline_builds_its_runner_with_the_threads(qtbot, closing):
    from live_fakes import FakeRunner, fake_loader
    from visualizer.ui.live.pipeline import LivePipeline

    asked = []

    def factory(model, threads, every=None):
        asked.append(threads)
        return FakeRunner(model)

    pipe = closing(LivePipeline(load_fn=fake_loader(), runner_factory=factory))
    from visualizer.ui.live.tab import LiveTab

    tab = closing(LiveTab(pipeline=pipe))
    tab.set_threads(2)
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        tab.load_model("untrained:0.25_128")
    assert asked == [2]
