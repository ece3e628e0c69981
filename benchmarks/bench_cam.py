"""Cost of the class activation map per live frame: the map itself (numpy, on the inference
thread), the whole inference with and without the extra feature output, and the GUI time
of drawing a frame with and without the overlay. Prints figures; asserts nothing.

    python benchmarks/bench_cam.py [--model untrained:1.0_224] [--runs 200] [--threads 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from visualizer.net.runtime.cam import class_activation_map, normalised  # noqa: E402
from visualizer.net.analysis.cpu_features import detect  # noqa: E402
from visualizer.net.models import load_model  # noqa: E402
from visualizer.net.runtime.runner import Runner  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="untrained:1.0_224")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    cpu = detect()
    print(f"CPU: {cpu.brand}; features: {', '.join(cpu.notable)}; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    model = load_model(args.model)
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    with Runner(model, args.threads, per_layer=False, cam=True) as with_cam, \
            Runner(model, args.threads, per_layer=False) as without:
        for r in (with_cam, without):
            for _ in range(10):
                r.infer(frame)
        times = {"cam": [], "plain": []}
        for i in range(args.runs):  # interleaved blocks of 10
            for name, r in (("cam", with_cam), ("plain", without))[::1 if i // 10 % 2 else -1]:
                t = time.perf_counter()
                r.infer(frame)
                times[name].append((time.perf_counter() - t) * 1e3)
        feats, fc = with_cam._features, with_cam._fc
        maps = []
        for _ in range(2000):
            t = time.perf_counter()
            normalised(class_activation_map(feats, fc, 7))
            maps.append((time.perf_counter() - t) * 1e3)
    print(f"{model.name}: feature map {feats.shape}, FC {fc.shape}")
    print(f"  map (numpy, inference thread): median {statistics.median(maps) * 1e3:.1f} µs, "
          f"p99 {np.percentile(maps, 99) * 1e3:.1f} µs")
    for name in ("plain", "cam"):
        print(f"  infer {name:5s}: median {statistics.median(times[name]):.2f} ms")
    print(f"  extra per frame: {statistics.median(times['cam']) - statistics.median(times['plain']):+.2f} ms")

    from PySide6.QtWidgets import QApplication

    from visualizer.ui.live.top5_view import FrameView

    app = QApplication.instance() or QApplication([])
    view = FrameView()
    view.resize(640, 560)
    view.show()
    cam = normalised(class_activation_map(feats, fc, 7))
    for shown in (False, True):
        view.show_cam(shown, 0.65)
        gui = []
        for _ in range(100):
            t = time.perf_counter()
            view.set_frame(frame, cam)
            view.repaint()
            app.processEvents()
            gui.append((time.perf_counter() - t) * 1e3)
        print(f"  GUI: set frame + repaint, overlay {'on ' if shown else 'off'}: median "
              f"{statistics.median(gui):.2f} ms, max {max(gui):.2f} ms")


if __name__ == "__main__":
    main()
