"""Render the README's screenshots with the app's own widgets (offscreen).

    python resources/make_screenshots.py [convolution] [network]

The Convolution tab is caught mid-animation at three window sizes (1280×800, 1024×700 and
1920×1080) on four layers (one of them grouped); one frame of the race as `animate`
renders it (1280×720); the Network tab after 150 frames of the live demo on synthetic
images with untrained weights (its times are real, its predictions are not shown).
Without arguments, all of them.
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
    ("convolution-tab-groups-1280x800.png", (1280, 800),
     dict(height=7, width=7, channels=8, filters=8, groups=4), "standard", 60),
)
#: (file, frame size, title, frame) of the race's slide: the frame where separable finishes.
RACE_SHOT = ("convolution-race-1280x720.png", (1280, 720),
             "Depthwise-separable convolution: why MobileNet is cheap", 25)


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
        race_frame(folder)


def race_frame(folder: Path) -> None:
    """One frame of `animate --path race`, rendered as the command renders it."""
    from PIL import Image

    from visualizer.conv.animation import make_plan
    from visualizer.conv.layer import LayerSpec
    from visualizer.ui.convolution.frames import FrameRenderer
    from visualizer.ui.convolution.tab import presentation_view

    name, size, title, position = RACE_SHOT
    with tempfile.TemporaryDirectory() as tmp:
        plan = make_plan(Path(tmp) / "race.mp4", LayerSpec(), "race", 8, size, title=title)
        renderer = FrameRenderer(plan, presentation_view)
        try:
            Image.fromarray(renderer.frame(position)).save(folder / name)
        finally:
            renderer.close()


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
