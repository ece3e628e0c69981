"""Render the README's screenshots with the app's own widgets (offscreen).

    python resources/make_screenshots.py [convolution] [network]

The Convolution tab is caught mid-animation at three window sizes (1280×800, 1024×700 and
1920×1080) on three layers; the Network tab after 150 frames of the live demo on
synthetic images with untrained weights (its times are real, its predictions are not
shown). Without arguments, all of them.
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


#: (file, window size, layer, path, step) of each Convolution tab screenshot.
CONVOLUTION_SHOTS = (
    ("convolution-tab.png", (1280, 800), {}, "standard", 40),
    ("convolution-tab-pointwise-1024x700.png", (1024, 700),
     dict(height=9, width=9, channels=6, filters=4, stride=2, padding=1), "separable", 160),
    ("convolution-tab-large-1920x1080.png", (1920, 1080),
     dict(height=32, width=32, channels=16, filters=64), "standard", 40),
)


def convolution_tab(folder: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from visualizer.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as settings:  # the default zoom, not the user's
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, settings)
        app = QApplication.instance() or QApplication([])
        for name, size, dims, path, step in CONVOLUTION_SHOTS:
            window = MainWindow(first_tab="convolution")
            window.resize(*size)
            window.show()
            tab = window.page("convolution")
            if dims:
                tab.dims.set_values(**dims)
            tab.set_path(path)
            tab.seek(step)
            for _ in range(3):
                app.processEvents()
            window.grab().save(str(folder / name))
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
    wanted = set(sys.argv[1:]) or {"convolution", "network"}
    if "convolution" in wanted:
        convolution_tab(HERE)
    if "network" in wanted:
        network_tab(HERE / "network-tab.png")
