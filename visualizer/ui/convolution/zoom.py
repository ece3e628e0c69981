"""Presenter scale of the Convolution tab: the window's size times a zoom the user sets.

Cells and fonts follow the window (a 1920×1080 window gets larger cells than 1280×800)
and Ctrl+= / Ctrl+− / Ctrl+0 multiply that by a zoom kept across sessions (QSettings).
"""
from __future__ import annotations

from PySide6.QtCore import QSettings

#: The layout the normal size (scale 1) was drawn for.
REFERENCE = (1280, 800)
AUTO_RANGE = (0.85, 1.6)
ZOOM_RANGE = (0.5, 3.0)
ZOOM_STEP = 1.15
SETTINGS_KEY = "convolution/zoom"


def settings() -> QSettings:
    """The app's settings (an INI file in the user's config folder)."""
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "mobilenet-visualizer",
                     "mobilenet-visualizer")


def auto_scale(width: int, height: int) -> float:
    """How much larger than normal the cells may be in a window of this size."""
    f = min(width / REFERENCE[0], height / REFERENCE[1])
    return round(max(AUTO_RANGE[0], min(AUTO_RANGE[1], f)), 2)


def load_zoom() -> float:
    try:
        z = float(settings().value(SETTINGS_KEY, 1.0))
    except (TypeError, ValueError):
        return 1.0
    return clamp_zoom(z)


def save_zoom(zoom: float) -> None:
    s = settings()
    s.setValue(SETTINGS_KEY, zoom)
    s.sync()


def clamp_zoom(zoom: float) -> float:
    if zoom != zoom:  # NaN from a hand-edited file
        return 1.0
    return round(max(ZOOM_RANGE[0], min(ZOOM_RANGE[1], zoom)), 3)


def zoomed(zoom: float, direction: int) -> float:
    """The next zoom in (+1) or out (−1); 0 resets to 1."""
    if direction == 0:
        return 1.0
    return clamp_zoom(zoom * ZOOM_STEP ** direction)
