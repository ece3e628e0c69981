"""Network tab speed figures (printed, never asserted).

    python benchmarks/bench_network_tab.py [--runs N] [--repeat N]

1. GUI-thread time to rebuild the table, charts and summary after an α/resolution change
   (goal ≤ 50 ms: "updates at once").
2. GUI-thread time of one `show_timing` refresh, painting included (goal ≤ 20 ms; the tab
   refreshes at most twice a second however fast frames arrive), and of one live result
   while the tab is hidden behind the Live tab (it only collects; goal well under 1 ms).
3. The latency sweep over the 16 official settings (untrained weights, onnxruntime):
   latency, µs per million mult-adds and the published top-1; and the share of time of
   each layer type from a per-layer profile of 1.0-224.
Other processes on the machine make these noisy; medians are shown.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def median_ms(fn, repeat: int) -> float:
    out = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=30, help="timed runs per sweep setting")
    p.add_argument("--repeat", type=int, default=20, help="repeats of the GUI measurements")
    args = p.parse_args()

    from PySide6.QtWidgets import QApplication

    from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS, NetSpec
    from visualizer.net.models import load_model
    from visualizer.net.runtime.results import InferenceResult, LayerTiming
    from visualizer.net.runtime.runner import Runner
    from visualizer.net.analysis.sweep import run_sweep
    from visualizer.ui.network.tab import NetworkTab
    from visualizer.net.runtime.profile_job import synthetic_image
    from visualizer.net.analysis.shares import type_shares
    from visualizer.net.analysis.timing_stats import LayerStats

    app = QApplication.instance() or QApplication([])
    tab = NetworkTab()
    tab.resize(1280, 760)
    tab.show()
    app.processEvents()
    settings = [(0.5, 160), (1.0, 224), (0.25, 128), (0.75, 192)]

    def change(i: int) -> None:
        tab.set_spec(*settings[i % len(settings)])
        app.processEvents()

    print(f"spec change -> table, charts, summary: {median_ms(change, args.repeat):.1f} ms "
          "(goal <= 50)")
    spec = tab.spec

    def result(i: int) -> InferenceResult:  # times that move a little, as live ones do
        return InferenceResult((), 10.0, 1.0, tuple(
            LayerTiming(l.name, l.type, l.macs, l.params, (0.1 + 0.01 * j) * (1 + (i % 5) / 50))
            for j, l in enumerate(spec.layers)), False, i)

    def timing(i: int) -> None:
        tab._throttle.stop()  # measure the refresh itself, not the throttle
        tab.show_timing(result(i), "live")
        app.processEvents()

    print(f"show_timing refresh: {median_ms(timing, args.repeat):.1f} ms (goal <= 20)")
    frame = synthetic_image(224)
    tab.hide()
    app.processEvents()

    def hidden(i: int) -> None:
        tab.on_live_result(result(i), frame)
        app.processEvents()

    print(f"live result while hidden: {median_ms(hidden, args.repeat * 5):.3f} ms")
    tab.shutdown()

    print(f"\nlatency sweep ({args.runs} runs per setting, median of 3 batch means)")
    t0 = time.perf_counter()
    points = run_sweep(OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS, runs=args.runs, warmup=2)
    print(f"{'setting':>9} {'M mult-adds':>11} {'ms':>7} {'µs/M':>6} {'top-1':>6}")
    for pt in points:
        print(f"{pt.label:>9} {pt.macs / 1e6:11.1f} {pt.latency_ms:7.2f} "
              f"{1e3 * pt.latency_ms / (pt.macs / 1e6):6.1f} {pt.top1:6.1f}")
    print(f"sweep wall time: {time.perf_counter() - t0:.1f} s")

    model = load_model("untrained", alpha=1.0, resolution=224)
    avg = LayerStats()
    with Runner(model, per_layer=True, profile_every=4, dense=0) as runner:
        frame = synthetic_image(224)
        for i in range(80):
            r = runner.infer(frame, i)
            avg.add(r)
    mean = avg.ms()
    print(f"\nper-layer profile of 1.0-224 ({avg.frames} profiled frames):")
    for s in type_shares(NetSpec(1.0, 224, 1001).layers, mean,
                         {n: avg.type_of(n) for n in mean}):
        print(f"{s.type:>10}: {s.macs_percent:5.1f}% of mult-adds, "
              f"{s.time_percent or 0:5.1f}% of time, {s.ms or 0:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
