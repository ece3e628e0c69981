"""Convolution tab speed figures (printed, never asserted).

    python benchmarks/bench_conv_ui.py [--repeat N] [--skip-exports]

1. GUI-thread time of one animation step including the layout and paint Qt then does
   (processEvents after the step): the seed example (goal ≤ 2 ms) and the 7×7×8 layer
   with 12 filters, every tensor drawn whole (goal ≤ 5 ms). Offscreen paints in
   software; to see a real window system, run under Xvfb:
   QT_QPA_PLATFORM=xcb DISPLAY=:99 python benchmarks/…
2. Hover preview: hovering an output cell shows its step everywhere, leaving restores
   the current one (goal ≤ 5 ms each, paint included).
3. Layout of MobileNet's dw3 (56×56×128, groups 128) after "Open in Convolution tab"
   (goal ≤ 50 ms, paint included); also a 64×64×64 layer with 256 filters.
4. GIF export of the seed example's 144 steps (and the held summary) at 1280×720
   (goal ≤ 10 s), in process with the tab's own renderer, and `main.py animate`.
5. The race (144 standard + 171 separable steps on 144 frames) as an MP4 at 1280×720
   (goal ≤ 15 s).
6. Launch to window shown, warm (goal ≤ 2 s): wall time of `main.py --screenshot`.
Other processes on the machine make these noisy: the load average and the CPU's vector
features are printed first; the median of several runs is shown.
"""
from __future__ import annotations

import argparse
import os
import re
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
    print(f"{name:62s} median {med:8.2f} ms  (min {min(ms):.2f}, max {max(ms):.2f}, "
          f"n={len(ms)})  goal ≤ {goal:g} ms  {'ok' if med <= goal else 'OVER'}")


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    try:
        flags = set(re.findall(r"avx[0-9a-z_]*|vnni", Path("/proc/cpuinfo").read_text()))
    except OSError:
        flags = set()
    return (f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} "
            f"cores; CPU features: {' '.join(sorted(flags)) or 'unknown'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--skip-exports", action="store_true",
                        help="only the GUI-thread figures (1-3)")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    print(f"Qt platform: {app.platformName()}; {machine()}")
    window = MainWindow(first_tab="convolution")
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    # the other tabs are built once, shortly after the window shows (a one-off ~0.3 s,
    # measured by bench_startup.py): built now, so that it lands in no figure below
    window.build_all()
    app.processEvents()
    tab = window.page("convolution")

    def step_and_paint() -> None:
        if tab.explorer.at_end:
            tab.explorer.seek(0)
        tab._tick()
        app.processEvents()  # the layout and painting Qt does for this step

    for name, dims, goal in (("seed example 5×5×3, 16 filters", {}, 2),
                             ("7×7×8, 12 filters, every tensor whole",
                              dict(height=7, width=7, channels=8, filters=12), 5)):
        if dims:
            tab.dims.set_values(**dims)
        tab.seek(0)
        app.processEvents()
        whole = all(p.minimap.model is None for p in tab.panels.panels)
        timed(step_and_paint, 5)  # warm up
        report(f"step + paint, {name}{'' if whole else ' (CROPPED)'}",
               timed(step_and_paint, args.repeat), goal)

    tab.dims.set_values(height=5, width=5, channels=3, filters=16)
    tab.seek(tab.explorer.length)  # every output cell drawn: any cell can be hovered
    app.processEvents()
    view = tab.output_view
    cells = [(b, y, x) for b in view.blocks for y in range(b.rows) for x in range(b.cols)]
    hovers = iter(cells * (args.repeat + 10))

    def hover() -> None:
        view.hovered.emit(next(hovers))  # what GridView emits when the mouse enters a cell
        app.processEvents()

    def leave() -> None:
        view.hovered.emit(None)
        app.processEvents()

    timed(hover, 5)
    entered, left = [], []
    for _ in range(args.repeat):  # alternate: each leave has a preview to undo
        entered += timed(hover, 1)
        left += timed(leave, 1)
    report("hover an output cell: its step previewed everywhere + paint", entered, 5)
    report("leave the grid: the current step restored + paint", left, 5)

    dw3 = dict(height=56, width=56, channels=128, kernel=3, filters=128, stride=1, padding=1,
               groups=128)
    other = dict(dw3, height=55)

    def load(dims) -> None:
        tab.load_layer(dims)
        app.processEvents()

    layouts = []
    for _ in range(max(5, args.repeat // 5)):  # alternate, so each load lays out anew
        layouts += timed(lambda: load(other), 1)
        layouts += timed(lambda: load(dw3), 1)
    report("layout of dw3 56×56×128 (groups 128) + paint", layouts, 50)
    big = dict(height=64, width=64, channels=64, kernel=3, filters=256, stride=1, padding=0,
               groups=1)
    heights = iter([63, 64] * args.repeat)
    tab.dims.set_values(**big)
    report("dimension change on 64×64×64, 256 filters + layout/paint",
           timed(lambda: (tab.dims.set_values(height=next(heights)), app.processEvents()),
                 max(10, args.repeat // 5)), 50)
    window.close()
    if args.skip_exports:
        return 0

    from visualizer.conv.animation import make_plan
    from visualizer.conv.layer import LayerSpec
    from visualizer.ui.convolution.frames import render_plan
    from visualizer.ui.convolution.tab import presentation_view

    with tempfile.TemporaryDirectory() as tmp:
        plan = make_plan(Path(tmp) / "seed.gif", LayerSpec(), "standard", 8, (1280, 720))
        t0 = time.perf_counter()
        render_plan(plan, presentation_view)
        report(f"GIF, seed, {len(plan.positions)} steps + summary at 1280×720 (in process)",
               [(time.perf_counter() - t0) * 1000], 10_000)
        plan = make_plan(Path(tmp) / "race.mp4", LayerSpec(), "race", 8, (1280, 720))
        t0 = time.perf_counter()
        render_plan(plan, presentation_view)
        report(f"MP4, race 144 + 171 steps on {len(plan.positions)} frames + summary, 1280×720",
               [(time.perf_counter() - t0) * 1000], 15_000)
        cmd = [sys.executable, str(ROOT / "main.py"), "animate", "--out",
               str(Path(tmp) / "cli.gif")]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        report("GIF, seed, `main.py animate` at 1280×720 (whole process)",
               [(time.perf_counter() - t0) * 1000], 10_000)

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(ROOT / "main.py"), "--screenshot", str(Path(tmp) / "w.png")]
        runs = []
        for _ in range(4):  # the first run warms the file cache
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            runs.append((time.perf_counter() - t0) * 1000)
        report("launch → window rendered and saved (warm, whole process)", runs[1:], 2000)
    print(machine())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
