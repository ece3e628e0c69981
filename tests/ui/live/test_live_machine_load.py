"""A busy machine is said, not hidden: the live figures carry other programs' CPU use
while the frames were timed (on the chart, in the exports)."""
from __future__ import annotations

import itertools

from live_fakes import fake_factory, fake_loader
from visualizer.net.analysis.machine_load import CpuSnapshot
from visualizer.ui.live import pipeline as pipeline_module
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.video.images import ImageSource
from visualizer.video.frames import rgb_to_qimage
from live_fakes import square_frame


def fake_counters(others_per_second: float):
    """Snapshots of a 2-core machine on which other programs use `others_per_second`
    CPU seconds a second (this process: half a core)."""
    clock = itertools.count()

    def read() -> CpuSnapshot:
        t = next(clock) * 0.1
        return CpuSnapshot(wall_s=t, busy_s=t * (others_per_second + 0.5), own_s=t * 0.5,
                           cores=2)

    return read


def run_frames(qtbot, closing, tmp_path, monkeypatch, others: float) -> LivePipeline:
    monkeypatch.setattr(pipeline_module, "snapshot", fake_counters(others))
    pipe = closing(LivePipeline(1, load_fn=fake_loader(), runner_factory=fake_factory(0.001)))
    with qtbot.waitSignal(pipe.modelLoaded, timeout=10_000):
        pipe.load_model("untrained:0.25_128")
    rgb_to_qimage(square_frame(3)).save(str(tmp_path / "a.png"))
    pipe.start(ImageSource(tmp_path / "a.png", fps=100))
    qtbot.waitUntil(lambda: pipe.timing.frames >= 4, timeout=10_000)
    pipe.stop()
    qtbot.waitUntil(lambda: not pipe.busy, timeout=5_000)
    return pipe


def test_other_programs_taking_the_cores_are_said(qtbot, closing, tmp_path, monkeypatch):
    pipe = run_frames(qtbot, closing, tmp_path, monkeypatch, others=1.4)
    load = pipe.machine_load()
    assert round(load.others_percent) == 140 and load.contended
    assert "other programs used 140 % CPU while timing" in pipe.conditions()
    assert "figures inflated" in pipe.conditions()


def test_a_quiet_machine_says_nothing(qtbot, closing, tmp_path, monkeypatch):
    pipe = run_frames(qtbot, closing, tmp_path, monkeypatch, others=0.05)
    assert not pipe.machine_load().contended
    assert "inflated" not in pipe.conditions()
