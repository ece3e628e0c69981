"""Start-up stays light: the window's modules load none of the heavy libraries (onnx and
its ml_dtypes, onnxruntime, py-cpuinfo); they load when first needed, on worker threads.
(The time itself is a benchmark's business: benchmarks/bench_startup.py.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("onnx", "ml_dtypes", "onnxruntime", "cpuinfo")

PROBE = f"""
import json, sys, time
heavy = {HEAVY!r}
import visualizer.ui.main_window as main_window
imported = [m for m in heavy if m in sys.modules]
from PySide6.QtWidgets import QApplication
app = QApplication([])
window = main_window.MainWindow()
window.show()
end = time.monotonic() + 1.0  # the other tabs are built meanwhile
while time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
built = sorted(window.pages)
shown = [m for m in heavy if m in sys.modules]
window.close()
print(json.dumps({{"imported": imported, "shown": shown, "built": built}}))
"""


def test_the_window_starts_without_the_heavy_libraries():
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr
    r = json.loads(run.stdout.strip().splitlines()[-1])
    assert r["imported"] == []  # importing the window's module
    assert r["built"] == ["convolution", "live", "network"]  # every tab, once shown
    assert r["shown"] == []  # nor building and showing the window with its tabs


def test_tabs_are_built_when_first_needed(qtbot):
    from visualizer.ui.main_window import MainWindow

    window = MainWindow(first_tab="network")
    qtbot.addWidget(window)
    assert sorted(window.pages) == ["live", "network"]  # built together: Network follows Live
    assert window.tabs.currentWidget() is window.pages["network"]
    conv = window.page("convolution")
    assert window.tabs.widget(0) is conv and window.tabs.currentWidget() is window.pages["network"]
    assert [window.tabs.tabText(i) for i in range(3)] == ["Convolution", "Network", "Live"]
