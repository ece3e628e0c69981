"""Render the README's screenshots with the app's own widgets (offscreen, 1280×800).

    python resources/make_screenshots.py

The Convolution tab is caught mid-animation; the Network tab after 150 frames of the
live demo on synthetic images with untrained weights (its times are real, its
predictions are not shown).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def convolution_tab(path: Path, step: int = 40) -> None:
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(first_tab="convolution")
    window.resize(1280, 800)
    window.show()
    window.page("convolution").seek(step)
    for _ in range(3):
        app.processEvents()
    window.grab().save(str(path))
    window.close()


def network_tab(path: Path) -> None:
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        y, x = np.mgrid[0:240, 0:320]
        for i in range(4):
            a = ((x + y * i) % 256).astype(np.uint8)
            rgb = np.stack([a, 255 - a, (x % 64 * 4).astype(np.uint8)], -1)
            Image.fromarray(rgb).save(Path(folder) / f"frame{i}.png")
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--source", folder,
                        "--model", "untrained", "--autostart", "--exit-after-frames", "150",
                        "--tab", "network", "--screenshot", str(path)], check=True)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    convolution_tab(HERE / "convolution-tab.png")
    network_tab(HERE / "network-tab.png")
