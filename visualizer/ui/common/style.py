"""Icon, style sheet and colours shared by the tabs (the icon file sits next to this module)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

HERE = Path(__file__).resolve().parent

#: Light, readable defaults; sizes stay in points so high-DPI screens scale them.
STYLE = """
QGroupBox { font-weight: bold; border: 1px solid #ccc; border-radius: 4px; margin-top: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 3px; }
QGroupBox QLabel { font-weight: normal; }
QToolButton { padding: 2px 6px; }
"""

#: One colour per layer type, the same in every table and chart.
TYPE_COLORS = {
    "conv": "#7b6fd6", "depthwise": "#f28e2b", "pointwise": "#4e79a7",
    "pool": "#9c9c9c", "fc": "#59a14f", "other": "#c9c9c9",
    "overhead": "#e0c8c8",  # the time outside every kernel (timing_stats.OVERHEAD)
}


def app_icon() -> QIcon:
    """The window icon (empty when the file is missing, e.g. in a stripped install)."""
    path = HERE / "icon.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
