"""Motion-JPEG camera frames: what a frame costs the converter thread, and whether the GUI
thread waits for it (printed, never asserted).

    python benchmarks/bench_mjpeg.py [--frames 60] [--photo PATH]

For 720p and 1080p JPEG frames (a photo resized and encoded at quality 90, as webcams send
them), each prepared as the live demo does (`video_frame_to_live`: Pillow, at the JPEG's
reduced scale, on the converter thread), next to Qt's own `QVideoFrame.toImage()`:
- CPU of the converting thread per frame (`time.thread_time`);
- the GUI thread's longest wait while another thread converts: a heartbeat on the main
  thread ticks every millisecond; Pillow releases the GIL while it decodes, Qt's toImage()
  holds it, so the heartbeat's longest gap shows what the window would feel.
Other processes make these noisy: the load and the CPU's features are printed first.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

DATA = Path(os.environ.get("MOBILENET_VISUALIZER_TESTDATA", ROOT.parent / "shared/testdata/coral"))


def picture(path: Path | None, w: int, h: int) -> np.ndarray:
    """The photo at w×h, or (without one) a smooth synthetic scene with some texture."""
    if path is not None and path.is_file():
        return np.asarray(Image.open(path).convert("RGB").resize((w, h)))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rng = np.random.default_rng(0)
    rgb = np.stack([x / w * 255, y / h * 255, (x + y) / (w + h) * 255], -1)
    return np.clip(rgb + rng.normal(0, 12, rgb.shape), 0, 255).astype(np.uint8)


def jpeg_frames(rgb: np.ndarray, n: int) -> list:
    """`n` Format_Jpeg QVideoFrames holding `rgb` as a JPEG (distinct frames: Qt keeps the
    image a frame's toImage() made)."""
    data = io.BytesIO()
    Image.fromarray(rgb).save(data, "JPEG", quality=90)
    return [jpeg_frame(data.getvalue(), *rgb.shape[:2]) for _ in range(n)]


def jpeg_frame(encoded: bytes, h: int, w: int):
    from PySide6.QtCore import QSize
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    frame = QVideoFrame(QVideoFrameFormat(QSize(w, h), QVideoFrameFormat.PixelFormat.Format_Jpeg))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    memoryview(frame.bits(0))[: len(encoded)] = encoded
    frame.unmap()
    return frame


def on_a_thread(convert, frames) -> tuple[list[float], float]:
    """CPU ms of `convert` per frame on a worker thread, and the main thread's longest
    heartbeat gap (ms) meanwhile."""
    cpu: list[float] = []

    def work() -> None:
        for f in frames:
            t = time.thread_time()
            convert(f)
            cpu.append((time.thread_time() - t) * 1e3)

    worker = threading.Thread(target=work)
    last, gap = time.perf_counter(), 0.0
    worker.start()
    while worker.is_alive():
        time.sleep(0.001)
        now = time.perf_counter()
        gap, last = max(gap, now - last), now
    worker.join()
    return cpu, gap * 1e3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--photo", type=Path, default=DATA / "parrot.jpg")
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication

    from visualizer.net.analysis.cpu_features import detect
    from visualizer.video.frames import video_frame_to_live
    from visualizer.video.live_frame import Targets

    app = QApplication.instance() or QApplication([])  # noqa: F841  (Qt Multimedia needs one)
    cpu = detect()
    print(f"CPU: {cpu.brand}; features: {', '.join(cpu.notable) or 'none notable'}; load "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    targets = Targets(192, 480)  # the 0.75-192 network, a ~1024-px window's preview
    ours = lambda f: video_frame_to_live(f, targets)  # noqa: E731
    qt = lambda f: f.toImage()  # noqa: E731
    for w, h in ((1280, 720), (1920, 1080)):
        rgb = picture(args.photo, w, h)
        for convert in (ours, qt):  # warm both
            convert(jpeg_frames(rgb, 1)[0])
        rows = {}
        for _ in range(2):  # interleaved: two rounds of each
            for name, convert in (("live demo (Pillow, reduced scale)", ours),
                                  ("Qt toImage()", qt)):
                c, g = on_a_thread(convert, jpeg_frames(rgb, args.frames))
                rows.setdefault(name, ([], []))
                rows[name][0].extend(c)
                rows[name][1].append(g)
        print(f"\n{w}x{h} JPEG, {args.frames} frames ×2 per path:")
        for name, (c, g) in rows.items():
            print(f"  {name:34} converter-thread CPU {statistics.median(c):6.2f} ms a frame "
                  f"(p90 {np.percentile(c, 90):.2f}); GUI thread's longest wait "
                  f"{max(g):6.2f} ms")
    print("\nThe live demo never decodes on the GUI thread: its cost there is the drawing "
          "of the prepared preview only (bench_live.py).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
