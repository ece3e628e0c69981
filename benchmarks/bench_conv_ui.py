"""Convolution tab speed figures (printed, never asserted).

    python benchmarks/bench_conv_ui.py [--repeat N]

1. GUI-thread time of one animation step with the default example (goal ≤ 2 ms):
   the state and widget updates alone, and including the layout and paint Qt then does
   (processEvents after the step). Offscreen paints in software; to see a real window
   system, run under Xvfb: QT_QPA_PLATFORM=xcb DISPLAY=:99 python benchmarks/…
2. Hover highlight: hovering an output cell shows its step's operands (goal ≤ 5 ms,
   including Qt's paint of what changed).
3. Refresh of tallies and grids after a dimension change on a 64×64×64 input with 256
   filters (goal ≤ 50 ms).
4. GIF export of the seed example's 144 standard steps at 640×400 (goal ≤ 10 s), in
   process with the tab's own renderer, and the headless command's wall time.
5. Launch to window shown, warm (goal ≤ 2 s): wall time of `main.py --screenshot`.
Other processes on the machine make these noisy; the median of several runs is shown.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float], goal: float) -> None:
    med = statistics.median(ms)
    print(f"{name:58s} median {med:8.2f} ms  (min {min(ms):.2f}, max {max(ms):.2f}, "
          f"n={len(ms)})  goal ≤ {goal:g} ms  {'ok' if med <= goal else 'OVER'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    print(f"Qt platform: {app.platformName()}")
    window = MainWindow(first_tab="convolution")
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    tab = window.page("convolution")

    def step() -> None:
        if tab.explorer.at_end:
            tab.explorer.seek(0)
        tab._tick()

    def step_and_paint() -> None:
        step()
        app.processEvents()  # the layout and painting Qt does for this step

    for fn in (step, step_and_paint):  # warm up
        timed(fn, 5)
    report("animation step, default example (state + widgets)", timed(step, args.repeat), 2)
    report("animation step + Qt layout/paint of what changed",
           timed(step_and_paint, args.repeat), 2)

    tab.seek(tab.explorer.length)  # every output cell drawn: any cell can be hovered
    view = tab.output_view
    cells = [(b, y, x) for b in view.blocks for y in range(b.rows) for x in range(b.cols)]
    hovers = iter(cells * args.repeat)

    def hover() -> None:
        view.hovered.emit(next(hovers))  # what GridView emits when the mouse enters a cell
        app.processEvents()

    timed(hover, 5)
    report("hover an output cell: its operands shown + paint", timed(hover, args.repeat), 5)
    view.hovered.emit(None)

    tab.dims.set_values(height=64, width=64, channels=64, filters=256)
    heights = iter([63, 64] * args.repeat)

    def change() -> None:
        tab.dims.set_values(height=next(heights))

    def change_and_paint() -> None:
        change()
        app.processEvents()

    def to_end() -> None:  # every visible output cell computed
        tab.seek(tab.explorer.length)
        tab.seek(0)

    report("dimension change on 64×64×64, 256 filters", timed(change, max(10, args.repeat // 5)), 50)
    report("dimension change on 64×64×64, 256 filters + layout/paint",
           timed(change_and_paint, max(10, args.repeat // 5)), 50)
    report("skip to end and back on 64×64×64, 256 filters", timed(to_end, 10), 50)

    from visualizer.conv.animation import make_plan
    from visualizer.conv.layer import LayerSpec
    from visualizer.ui.convolution.frames import render_plan
    from visualizer.ui.convolution.tab import presentation_view

    with tempfile.TemporaryDirectory() as tmp:
        plan = make_plan(Path(tmp) / "seed.gif", LayerSpec(), "standard", 8, (640, 400))
        t0 = time.perf_counter()
        frames = render_plan(plan, presentation_view)
        report(f"GIF export, seed example, {frames} steps at 640×400 (in process)",
               [(time.perf_counter() - t0) * 1000], 10_000)
        cmd = [sys.executable, str(ROOT / "main.py"), "animate", "--out",
               str(Path(tmp) / "cli.gif"), "--size", "640x400"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        report("GIF export, seed example, `main.py animate` (whole process)",
               [(time.perf_counter() - t0) * 1000], 10_000)

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(ROOT / "main.py"), "--screenshot", str(Path(tmp) / "w.png")]
        runs = []
        for _ in range(4):  # the first run warms the file cache
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            runs.append((time.perf_counter() - t0) * 1000)
        report("launch → window rendered and saved (warm, whole process)", runs[1:], 2000)
    window.close()  # lets tabs with background work stop it
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
