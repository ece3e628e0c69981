"""Live demo figures while a video plays at full (normal) speed (printed, never asserted).

    python benchmarks/bench_live.py [--seconds 60 | --minutes 10] [--model M] [--threads T]
                                    [--size 640x480] [--fps 30] [--live-only]
                                    [--tab network] [--video FILE]

Runs the real window offscreen, the Live tab, the real runner and Qt's video decoder on
a generated, looping video (moving shapes over noise), and prints:
1. the longest GUI event-loop stall (a 5 ms QTimer heartbeat's worst lateness;
   goal ≤ 25 ms), after a short warm-up and including it, and the 99th percentile;
2. frame-to-displayed-result latency: from the frame's arrival on the GUI thread to the
   moment its top-5 and chart have been updated (goal ≤ one inference + one frame
   interval);
3. memory (RSS) growth over the run (goal ≤ 30 MB over 10 minutes);
4. CPU time per inferred frame after the warm-up, for the whole process and by thread
   (GUI, frame converter, inference and onnxruntime's pool, Qt's decoder, others), next to
   the CPU and wall time of plain back-to-back runs of the same model with the same
   threads measured afterwards in the same process: the plumbing's cost over the
   network's (goal: process CPU per inferred frame ≤ 1.5× the inference's; infer() in the
   run ≤ 1.15× a plain run).
Other processes on the machine make these noisy: the load average and the CPU's vector
features are printed with the figures. --video plays a given file instead (e.g. the same
one for two versions of the code).
"""
from __future__ import annotations

import argparse
from collections import deque
import os
import statistics
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WARMUP_S = 5.0
MEMORY_SETTLE_S = 60.0  # RSS grows for about a minute, then stays flat


def write_video(path: Path, w: int, h: int, fps: int, seconds: int) -> Path:
    import imageio_ffmpeg
    import numpy as np

    rng = np.random.default_rng(0)
    noise = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
    gen = imageio_ffmpeg.write_frames(str(path), (w, h), fps=fps, codec="libx264",
                                      macro_block_size=8, ffmpeg_log_level="error")  # 1080 = 135 × 8
    gen.send(None)
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(fps * seconds):
        f = noise.copy()
        cx, cy = (i * 7) % w, h // 2 + int(h / 4 * np.sin(i / 15))
        f[(xx - cx) ** 2 + (yy - cy) ** 2 < (h // 6) ** 2] = (230, 80, 40)
        f[h // 8: h // 8 + h // 6, (w - i * 5) % w:][:, : w // 6] = (40, 200, 90)
        gen.send(f.tobytes())
    gen.close()
    return path


def cpu_features() -> str:
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags"))
    except (OSError, StopIteration):
        return "unknown"
    wanted = [f for f in flags.split(":", 1)[1].split()
              if f in ("avx2", "avx_vnni") or f.startswith(("avx512", "amx"))]
    return " ".join(wanted) or "no avx2/avx512/amx"


def thread_cpu(process) -> dict[str, float]:
    """CPU seconds by thread group: the GUI (main) thread, the frame converter, the
    inference thread with onnxruntime's pool, Qt's decoder and the rest."""
    groups: dict[str, float] = {}
    pid = process.pid
    for t in process.threads():
        try:
            name = Path(f"/proc/{pid}/task/{t.id}/comm").read_text().strip()
        except OSError:
            name = "?"
        if t.id == pid:
            group = "GUI thread"
        elif name == "frame-convert":
            group = "frame converter"
        elif name in ("inference", "Task"):
            # onnxruntime's pool threads inherit the name of the thread that made the
            # session: the model-loading Task
            group = "inference + onnxruntime pool"
        elif name.startswith(("av:", "QThread", "Qt", "FFmpeg", "pulse", "QSG")) or \
                "dec" in name.lower():
            group = "Qt/FFmpeg decoding"
        else:
            group = f"other ({name})"
        groups[group] = groups.get(group, 0.0) + t.user_time + t.system_time
    groups["process"] = sum(process.cpu_times()[:2])
    return groups


def report_cpu(cpu: dict, run_ms: list[float], model, threads: int) -> None:
    """CPU per inferred frame of the run, by thread, against plain back-to-back runs."""
    if "start" not in cpu or "end" not in cpu:
        return
    (a, n0), (b, n1) = cpu["start"], cpu["end"]
    frames = max(1, n1 - n0)
    per = {k: (b.get(k, 0.0) - a.get(k, 0.0)) * 1000 / frames for k in b}
    import numpy as np
    import psutil

    from visualizer.net.runtime.runner import Runner

    process = psutil.Process()
    with Runner(model, threads, per_layer=False) as plain:
        x = np.zeros((1, 3, model.spec.resolution, model.spec.resolution), np.float32)
        for _ in range(20):
            plain.infer_tensor(x)
        c0, walls = sum(process.cpu_times()[:2]), []
        for _ in range(200):
            walls.append(plain.infer_tensor(x)[1])
        plain_cpu = (sum(process.cpu_times()[:2]) - c0) * 1000 / 200
    plain_ms = statistics.median(walls)
    print(f"CPU per inferred frame (ms, {frames} frames): " + ", ".join(
        f"{k} {v:.2f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])))
    print(f"plain back-to-back run, {threads} thread(s): {plain_ms:.2f} ms wall, "
          f"{plain_cpu:.2f} ms CPU; process CPU per inferred frame / plain run CPU = "
          f"{per['process'] / plain_cpu:.2f} (goal <= 1.5)")
    if run_ms:
        print(f"infer() in the run (plain frames, median of {len(run_ms)}): "
              f"{statistics.median(run_ms):.2f} ms = "
              f"{statistics.median(run_ms) / plain_ms:.2f}× a plain run (goal <= 1.15)")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--minutes", type=float, help="overrides --seconds (e.g. 10)")
    p.add_argument("--model", default="untrained:1.0_224")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--size", default="640x480")
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--video", type=Path, help="play this file (not generated)")
    p.add_argument("--live-only", action="store_true",
                   help="do not let the Network tab follow the live results (to attribute "
                   "GUI stalls)")
    p.add_argument("--tab", default="live", choices=["live", "network", "convolution"],
                   help="tab on screen during the run (the Live tab runs the demo either way)")
    args = p.parse_args()
    seconds = args.minutes * 60 if args.minutes else args.seconds
    w, h = (int(v) for v in args.size.lower().split("x"))

    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.headless import Heartbeat
    from visualizer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    video = args.video or write_video(tmp / "bench.mp4", w, h, args.fps, 10)
    window = MainWindow(first_tab=args.tab)
    tab = window.page("live")
    tab.pipeline.threads = args.threads
    tab.load_model(args.model)
    window.resize(1280, 800)
    window.show()
    pipe = tab.pipeline
    network = window.page("network")
    if args.live_only and hasattr(network, "on_live_result"):
        pipe.resultReady.disconnect(network.on_live_result)
    while pipe.loading:
        app.processEvents()
        time.sleep(0.01)
    if pipe.model is None:
        print(f"model failed to load: {tab.message.text()}")
        shutil.rmtree(tmp, ignore_errors=True)
        return 1
    process = psutil.Process()
    whole, steady = Heartbeat(), Heartbeat()
    stalls: deque = deque(maxlen=100_000)  # bounded: the harness must not grow itself
    steady_tick = steady._tick

    def tick() -> None:  # every lateness after the warm-up, for percentiles
        before = steady._last
        steady_tick()
        if before is not None:
            stalls.append((steady._last - before) * 1000 - steady.interval_ms)

    steady._timer.timeout.disconnect(steady._tick)
    steady._timer.timeout.connect(tick)
    latencies: deque = deque(maxlen=100_000)
    run_ms: deque = deque(maxlen=100_000)  # the run call of plain frames after warm-up
    memory: list[tuple[float, float]] = []
    cpu: dict = {}
    t0 = time.perf_counter()

    def on_result(result, _frame) -> None:  # connected after the tab: runs after display
        arrived = pipe.result_frame_arrived
        if arrived is not None and time.perf_counter() - t0 > WARMUP_S:
            latencies.append((time.perf_counter() - arrived) * 1000)
            if not result.layers:
                run_ms.append(result.total_ms)

    def cpu_snapshot(key: str) -> None:
        cpu[key] = (thread_cpu(process), pipe.frames_inferred)

    def sample() -> None:
        memory.append((time.perf_counter() - t0, process.memory_info().rss / 2**20))

    pipe.resultReady.connect(on_result)
    tab.loop_box.setChecked(True)
    tab.set_source(str(video))
    whole.start()
    tab.start()
    QTimer.singleShot(int(WARMUP_S * 1000), lambda: (steady.start(), sample(),
                                                     pipe.reset_timings(),
                                                     cpu_snapshot("start")))
    mem_timer = QTimer()
    mem_timer.timeout.connect(sample)
    mem_timer.start(10_000)
    end: dict = {}

    def finish() -> None:
        cpu_snapshot("end")
        sample()
        end["ran_to_end"] = pipe.running
        tab.stop()
        while pipe.busy:  # let the frame in flight come back: received == inferred + dropped
            app.processEvents()
            time.sleep(0.002)
        app.quit()

    QTimer.singleShot(int((seconds + WARMUP_S) * 1000), finish)
    app.exec()
    ran_to_end = end.get("ran_to_end", False)
    s = pipe.stats()
    received, inferred, dropped = s.frames_received, s.frames_inferred, s.frames_dropped
    window.close()

    frame_ms = 1000 / args.fps
    print(f"model {pipe.model.name}, threads {args.threads or 'default'}, video {w}x{h} "
          f"@ {args.fps} fps, {seconds:g} s after a {WARMUP_S:g} s warm-up "
          f"{', Network tab not following' if args.live_only else ''}, {args.tab} tab "
          "on screen "
          f"(other processes make these noisy)")
    print(f"frames: received {received}, inferred {inferred}, dropped {dropped}, failed "
          f"{pipe.frames_failed} (received == inferred + dropped: "
          f"{received == inferred + dropped}){' last message: ' + tab.message.text() if tab.message.text() else ''}")
    if not ran_to_end:
        print("the live run stopped before the end (see the message above)")
    print(f"source {received / (seconds + WARMUP_S):.1f} FPS, inference "
          f"{inferred / (seconds + WARMUP_S):.1f} FPS, mean inference {s.mean_ms:.1f} ms")
    print(f"max GUI stall: {steady.max_stall_ms:.1f} ms after warm-up "
          f"(p99 {pct(stalls, 0.99) if stalls else float('nan'):.1f} ms), "
          f"{whole.max_stall_ms:.1f} ms including start (goal <= 25 ms)")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs; CPU features: {cpu_features()}")
    if latencies:
        goal = s.mean_ms + frame_ms
        print(f"frame -> displayed result: mean {statistics.mean(latencies):.1f} ms, "
              f"p50 {pct(latencies, 0.5):.1f}, p95 {pct(latencies, 0.95):.1f}, "
              f"max {max(latencies):.1f} (goal <= inference + frame interval = {goal:.1f} ms)")
    settled = [(t, m) for t, m in memory if t >= MEMORY_SETTLE_S]
    if len(settled) >= 6:  # long runs: leave out the first minute's one-off growth
        memory = settled
    else:
        print(f"(runs shorter than ~{3 * MEMORY_SETTLE_S:.0f} s include the first minute's "
              "one-off growth - onnxruntime arenas, decoder and pixmap buffers - so the "
              "per-10-min figure overstates; use --minutes 10)")
    if len(memory) >= 2:
        # first and last thirds' medians: RSS moves by a few MB either way between samples
        k = max(1, len(memory) // 3)
        first = statistics.median(m for _, m in memory[:k])
        last = statistics.median(m for _, m in memory[-k:])
        span = statistics.median(t for t, _ in memory[-k:]) - statistics.median(
            t for t, _ in memory[:k])
        growth = last - first
        per10 = growth / max(span, 1e-9) * 600
        trend = ", ".join(f"{t:.0f}s {m:.0f}" for t, m in memory)
        print(f"RSS MB: {trend}")
        print(f"memory growth (median of first vs last third of samples): {growth:+.1f} MB "
              f"over {span:.0f} s "
              f"(≈ {per10:+.1f} MB per 10 min; goal <= 30 MB over 10 min)")
    report_cpu(cpu, run_ms, pipe.model,
               args.threads or getattr(pipe, "effective_threads", lambda: None)())
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
