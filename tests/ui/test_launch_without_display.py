"""Opening the window where there is no display ends with one clear line, not a Qt abort."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MAIN = Path(__file__).resolve().parents[2] / "main.py"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check is Linux's")
def test_window_without_display_exits_2_with_one_line():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, str(MAIN)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    lines = [l for l in done.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "no display" in lines[0] and "Traceback" not in done.stderr
