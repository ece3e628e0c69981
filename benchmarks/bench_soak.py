"""Memory of a live demo left running: RSS every minute, and where Python's own
allocations grew (printed, never asserted).

    python benchmarks/bench_soak.py [--minutes 30] [--model M] [--size 1280x720] [--fps 30]
                                    [--threads T] [--no-trace]

Plays a generated, looping video through the real window (offscreen, Live tab on screen,
the Network tab following the live results) and, once a minute, prints the process's RSS
and the Python heap (tracemalloc). The harness keeps no per-frame lists (a 5 ms heartbeat
appending to a list grows by ~0.4 MB a minute by itself); at the end it prints the
allocation sites whose size grew most between minute 2 and the end, so a steady leak
names its line (tracemalloc's own snapshots take memory: measure RSS with --no-trace). Goal: no steady growth after the first minute (≤ 0.1 MB/min).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_live import cpu_features, write_video  # noqa: E402

#: minutes after which RSS has settled (onnxruntime's arenas, FFmpeg's and Qt's buffers)
SETTLE_MIN = 7.0


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (MB per minute) of (minute, MB) points."""
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(m for _, m in points) / n
    sxx = sum((t - mx) ** 2 for t, _ in points) or 1.0
    return sum((t - mx) * (m - my) for t, m in points) / sxx


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--model", default="untrained:0.5_160")
    p.add_argument("--size", default="1280x720")
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--no-trace", action="store_true", help="RSS only (tracemalloc off)")
    args = p.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))

    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.main_window import MainWindow

    if not args.no_trace:
        tracemalloc.start(6)
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    video = write_video(tmp / "soak.mp4", w, h, args.fps, 10)
    window = MainWindow(first_tab="live")
    window.resize(1280, 800)
    window.show()
    tab = window.page("live")
    tab.pipeline.threads = args.threads
    tab.load_model(args.model)
    while tab.pipeline.loading:
        app.processEvents()
        time.sleep(0.01)
    pipe = tab.pipeline
    if pipe.model is None:
        print(f"model failed to load: {tab.message.text()}")
        shutil.rmtree(tmp, ignore_errors=True)
        return 1
    process = psutil.Process()
    t0 = time.perf_counter()
    rows: list[tuple[float, float, float]] = []  # minute, RSS MB, Python heap MB
    snaps: dict[int, tracemalloc.Snapshot] = {}

    def sample() -> None:
        minute = (time.perf_counter() - t0) / 60
        heap = tracemalloc.get_traced_memory()[0] / 2**20 if tracemalloc.is_tracing() else 0.0
        rss = process.memory_info().rss / 2**20
        rows.append((minute, rss, heap))
        print(f"minute {minute:5.1f}: RSS {rss:7.1f} MB, Python heap {heap:6.1f} MB, "
              f"frames inferred {pipe.frames_inferred}", flush=True)
        if tracemalloc.is_tracing() and round(minute) in (2,) and 2 not in snaps:
            snaps[2] = tracemalloc.take_snapshot()

    tab.loop_box.setChecked(True)
    tab.set_source(str(video))
    tab.start()
    sample()
    timer = QTimer()
    timer.timeout.connect(sample)
    timer.start(60_000)
    QTimer.singleShot(int(args.minutes * 60_000) + 500, app.quit)
    app.exec()
    if tracemalloc.is_tracing():
        snaps["end"] = tracemalloc.take_snapshot()
    tab.stop()
    window.close()
    print(f"model {pipe.model.name}, video {w}x{h} @ {args.fps} fps, {args.minutes:g} min; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs; CPU features: {cpu_features()}")
    settle = min(SETTLE_MIN, args.minutes / 3)
    steady = [(m, r) for m, r, _ in rows if m >= settle - 1e-6]
    if len(steady) >= 3:
        first = next(r for m, r, _ in rows if m >= 1.0 - 1e-6)
        print(f"RSS: {first:.1f} MB after 1 minute, {steady[0][1]:.1f} MB after "
              f"{settle:g} (buffers, arenas and caches filling once), then "
              f"{slope(steady):+.4f} MB/min to {steady[-1][1]:.1f} MB at the end; "
              "goal <= 0.1 MB/min once settled")
        heap = [(m, hp) for m, _, hp in rows if m >= 1.0]
        if tracemalloc.is_tracing() or any(hp for _, hp in heap):
            print(f"Python heap after the first minute: {slope(heap):+.3f} MB/min")
    if 2 in snaps:
        print("largest growth of Python allocations, minute 2 to the end:")
        grown = sorted((d for d in snaps["end"].compare_to(snaps[2], "traceback")
                        if d.size_diff > 0), key=lambda d: -d.size_diff)
        for stat in grown[:8]:
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}"
                                for f in stat.traceback[:4])
            print(f"  {stat.size_diff / 1024:+9.1f} KiB in {stat.count_diff:+d} blocks: {where}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
