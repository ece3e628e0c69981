"""The Live tab's export buttons: per-layer timing as CSV or JSON, the chart as PNG.

Each button asks for a file name; the outcome (saved, or why not) goes to the tab's
message line. The files are written by net/report.py (CSV, JSON) and
ui/common/image_files.py (PNG), each through a temporary file and a rename, so a failed
write leaves no partial file.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget

from visualizer.io import report
from visualizer.io.atomic import unwritable_reason
from visualizer.ui.common.image_files import save_png
from visualizer.net.analysis.timing_stats import statistic


class ExportButtons(QWidget):
    """`chart`: the widget saved as PNG; `show_message(text, error=True)`: the tab's
    message line; `pipeline`: the LivePipeline measured (set by the tab once it exists)."""

    def __init__(self, chart: QWidget, show_message: Callable[..., None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline = None
        self.chart = chart
        self.show_message = show_message
        exports = QHBoxLayout(self)
        exports.setContentsMargins(0, 0, 0, 0)
        self.buttons: list[QPushButton] = []
        for text, slot, tip in (
                ("Export CSV…", self._ask_csv, "Time per layer as the chart shows it "
                 "(trimmed mean of the last timed frames, n of them), with mult-adds and "
                 "GMAC/s, as a CSV table"),
                ("Export JSON…", self._ask_json, "The same per-layer times with the model, "
                 "threads, CPU and onnxruntime version, as JSON"),
                ("Save chart PNG…", self._ask_png, "The chart as shown, as a PNG image")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            exports.addWidget(b)
            self.buttons.append(b)
        exports.addStretch(1)
        self.set_available(False)

    def set_available(self, available: bool) -> None:
        """Enabled once there are per-layer times to export (a timed frame)."""
        for b in self.buttons:
            b.setEnabled(available)
            b.setToolTip(b.toolTip().split("\n")[0] + ("" if available else
                         "\n(Nothing to export yet: run the live demo first.)"))

    def export_meta(self) -> dict:
        return report.run_metadata(self.pipeline.model, self.pipeline.effective_threads())

    def export_csv(self, path: str) -> None:
        report.write_csv(path, self.export_meta(), self.pipeline.layer_rows())

    def export_json(self, path: str) -> None:
        s, timing = self.pipeline.stats(), self.pipeline.timing
        report.write_json(path, self.export_meta(), self.pipeline.layer_rows(),
                          frames_inferred=s.frames_inferred, mean_inference_ms=s.mean_ms,
                          timed_frames=timing.frames, statistic=statistic(),
                          **self.pipeline.report_extras())

    def export_png(self, path: str) -> None:
        save_png(self.chart.grab(), path)

    def _ask(self, title: str, filt: str, write) -> None:
        if not self.pipeline.layer_rows():
            self.show_message("Nothing to export yet: run the live demo first.")
            return
        path, _ = QFileDialog.getSaveFileName(self, title, "", filt)
        if not path:
            return
        problem = unwritable_reason(path)
        if problem is None:
            try:
                write(path)
            except OSError as e:
                problem = e.strerror or str(e)
        self.show_message(f"Saved {path}" if problem is None else
                          f"Could not save {path}: {problem}", error=problem is not None)

    def _ask_csv(self) -> None:
        self._ask("Export per-layer timing", "CSV (*.csv)", self.export_csv)

    def _ask_json(self) -> None:
        self._ask("Export per-layer timing", "JSON (*.json)", self.export_json)

    def _ask_png(self) -> None:
        self._ask("Save the chart", "PNG (*.png)", self.export_png)

