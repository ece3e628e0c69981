"""The Live tab's counters line: source and inference FPS, latency and dropped frames."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

STATS_TIP = (
    "<b>Source FPS</b>: frames the source delivers per second (last 2 s).<br>"
    "<b>Inference FPS</b>: frames classified per second; then the time of the whole "
    "network on a frame, the same figure (trimmed mean of recent frames, with its spread) "
    "as the total the timing chart's rows add up to."
    "<br><b>Frame → result</b>: from the frame's arrival to its result back in the "
    "window.<br><b>Dropped</b>: frames never classified because a newer one came first: "
    "they arrived while the previous frame was still being classified or converted, or "
    "belonged to a model just replaced. They are skipped, never queued, so the picture "
    "stays current.")


class StatsLabel(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setToolTip(STATS_TIP)

    def show_stats(self, s, frame: tuple[float, float, float] | None = None,
                   threads: str = "") -> None:
        """Show `s`, the pipeline's stats() snapshot; `frame`: the whole frame the timing
        chart's rows add up to (ms, p25, p75), shown as the inference time so that the
        two agree on screen."""
        if frame is not None:
            ms = f"{frame[0]:.1f} ms a frame (p25–p75 {frame[1]:.1f}–{frame[2]:.1f})"
        elif s.mean_ms is not None:
            ms = f"{s.mean_ms:.1f} ms a frame (mean)"
        else:
            ms = "— ms"
        lat = f"{s.latency_ms:.0f} ms" if s.latency_ms is not None else "—"
        self.setText(
            f"<b>Source</b> {s.camera_fps:.1f} FPS &nbsp;&nbsp; <b>Inference</b> "
            f"{s.inference_fps:.1f} FPS, {ms}<br><b>Frame → result</b> {lat} &nbsp;&nbsp; "
            f"<b>Dropped</b> {s.frames_dropped} of {s.frames_received} frames "
            "(not inferred: newer frames came first)"
            + (f"<br><b>onnxruntime</b> {threads}" if threads else ""))
