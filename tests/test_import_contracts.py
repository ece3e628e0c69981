"""The import rules in pyproject.toml ([tool.importlinter]) hold, and they can fail.

CI runs `lint-imports` too; these tests also show that a violation hidden inside a function
(a lazy import) breaks the contract, so the rule is not one that passes whatever the code.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prerequisites import import_or_missing

ROOT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")

import_or_missing("importlinter", "install the test extra: pip install -e '.[test]'")


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT], cwd=tree, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(tree),
                                                       "PATH": "/usr/bin:/bin"})


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copytree(ROOT / "visualizer", tmp_path / "visualizer",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_project_keeps_its_contracts(tree):
    r = lint(tree)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("conv/layer.py", "from PySide6 import QtCore", "The numeric core"),
    ("net/runner.py", "import pyqtgraph", "The numeric core"),
    ("net/mobilenet.py", "from visualizer.ui.common import task", "The numeric core"),
    ("commands/cost.py", "from visualizer.ui import launch", "Headless commands"),
    ("video/images.py", "from visualizer.ui.common import plots", "Frame sources"),
    ("ui/network/tab.py", "from visualizer.ui.live import tab", "independent"),
    ("ui/common/task.py", "from visualizer.ui.convolution import tab", "ui.common"),
])
def test_a_lazy_forbidden_import_breaks_a_contract(tree, module, line, contract):
    path = tree / "visualizer" / module
    path.write_text(path.read_text() + f"\n\ndef _sneaky():\n    {line}\n")
    r = lint(tree)
    assert r.returncode != 0
    broken = [l for l in r.stdout.splitlines() if l.endswith("BROKEN")]
    assert any(contract in l for l in broken), r.stdout
