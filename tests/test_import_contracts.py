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
    # the layers, each way a lower layer could reach up
    ("conv/layer.py", "from visualizer.net.model import mobilenet", "Layers"),
    ("net/model/mobilenet.py", "from visualizer.conv import costs", "Layers"),
    ("net/model/mobilenet.py", "from visualizer.qtthreads import task", "Layers"),
    ("io/atomic.py", "from visualizer.net.model import rates", "Layers"),
    ("qtthreads/task.py", "from visualizer.video import frames", "Layers"),
    ("video/images.py", "from visualizer.commands import cost", "Layers"),
    ("video/images.py", "from visualizer.ui.common import plots", "Layers"),
    ("commands/cost.py", "from visualizer.ui import launch", "Layers"),
    ("ui/launch.py", "import visualizer.app", "Layers"),
    # net's rooms
    ("net/model/published.py", "from visualizer.net.runtime import results", "net's rooms"),
    ("net/graph/onnx_float.py", "from visualizer.net import models", "net's rooms"),
    ("net/runtime/runner.py", "from visualizer.net.analysis import timing_stats", "net's rooms"),
    # no Qt below
    ("conv/layer.py", "from PySide6 import QtCore", "The numeric core"),
    ("net/runtime/runner.py", "import pyqtgraph", "The numeric core"),
    ("io/report.py", "import shiboken6", "The numeric core"),
    ("commands/cost.py", "from PySide6 import QtCore", "Headless commands"),
    ("video/images.py", "import pyqtgraph", "Frame sources"),
    ("qtthreads/task.py", "import pyqtgraph", "Frame sources"),
    # the tabs
    ("ui/network/tab.py", "from visualizer.ui.live import tab", "independent"),
    ("ui/common/plots.py", "from visualizer.ui.convolution import tab", "ui.common"),
])
def test_a_lazy_forbidden_import_breaks_a_contract(tree, module, line, contract):
    path = tree / "visualizer" / module
    path.write_text(path.read_text() + f"\n\ndef _sneaky():\n    {line}\n")
    r = lint(tree)
    assert r.returncode != 0
    broken = [l for l in r.stdout.splitlines() if l.endswith("BROKEN")]
    assert any(contract in l for l in broken), r.stdout


def test_no_module_imports_itself_in_a_circle():
    """Not even lazily, nor through TYPE_CHECKING: every import cycle of the package."""
    grimp = import_or_missing("grimp", "install the test extra: pip install -e '.[test]'")
    graph = grimp.build_graph("visualizer")
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def _strongly_connected(graph) -> list[list[str]]:
    """Tarjan's strongly connected components of the import graph (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


def test_a_circle_is_found(tree, monkeypatch):
    """The cycle test sees a lazy circle (conv.layer -> conv.costs -> conv.layer)."""
    grimp = import_or_missing("grimp", "install the test extra: pip install -e '.[test]'")
    path = tree / "visualizer" / "conv" / "layer.py"
    path.write_text(path.read_text() + "\n\ndef _sneaky():\n    from visualizer.conv import costs\n")
    monkeypatch.syspath_prepend(str(tree))
    for name in [m for m in sys.modules if m == "visualizer" or m.startswith("visualizer.")]:
        monkeypatch.delitem(sys.modules, name)
    graph = grimp.build_graph("visualizer", cache_dir=None)
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert ["visualizer.conv.costs", "visualizer.conv.layer"] in cycles
