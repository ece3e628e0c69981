"""The split: the numeric core, the headless commands and the argument parser never
import Qt or pyqtgraph."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = r"""
import importlib, json, pkgutil, sys
import visualizer.conv, visualizer.net, visualizer.commands, visualizer.app
imported, broken = [], {}
for package in (visualizer.conv, visualizer.net):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except ImportError as e:  # a module another part of the team is still writing
            broken[info.name] = repr(e)
imported += sorted(visualizer.commands.COMMANDS)
qt = sorted(m for m in sys.modules
            if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6"))
print(json.dumps({"imported": imported, "broken": broken, "qt": qt}))
"""


def test_core_modules_do_not_import_qt():
    r = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert "visualizer.conv.layer" in report["imported"]
    assert "visualizer.conv.steps" in report["imported"]
    assert "visualizer.net.mobilenet" in report["imported"]
    assert "cost" in report["imported"]
    assert report["qt"] == [], f"Qt loaded by the core: {report['qt']}"
    # an ImportError of Qt itself would hide a violation: none may mention it
    for name, error in report["broken"].items():
        assert not any(q in error for q in ("PySide6", "shiboken6", "pyqtgraph")), name
