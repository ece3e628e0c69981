"""Icon and style sheet of the window (files next to this module)."""
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


def app_icon() -> QIcon:
    """The window icon (empty when the file is missing, e.g. in a stripped install)."""
    path = HERE / "icon.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
