"""The suite's own safety nets: widgets outlive the test's event processing, a window left
on screen is found, and a crash names the test it happened in."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

from qt_lifetimes import KeptWidgets, windows_left_on_screen


class _Cycle:
    def __init__(self, widget) -> None:
        self.widget, widget.owner = widget, self  # only a reference cycle keeps it


def test_a_widget_given_to_qtbot_survives_the_collector_until_teardown(qtbot):
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    qtbot.addWidget(w)
    _Cycle(w)
    ref = weakref.ref(w)
    del w
    gc.collect()
    assert ref() is not None  # pytest-qt alone keeps only a weak reference


def test_a_window_left_on_screen_is_found_and_closed(qapp):
    from PySide6.QtWidgets import QWidget

    kept, shown, known = KeptWidgets(), QWidget(), QWidget()
    kept.keep(known)
    shown.show()
    known.show()
    try:
        assert windows_left_on_screen(kept) == ["QWidget"]
        assert not shown.isVisible() and known.isVisible()
    finally:
        shown.close()
        known.close()


def test_a_crash_names_its_test(tmp_path: Path):
    tests = Path(__file__).parent
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tests)!r})
        import crash_witness
        def pytest_configure(config):
            crash_witness.start(config)
        """))
    (tmp_path / "test_dies.py").write_text(textwrap.dedent("""
        import os, signal
        def test_fine():
            pass
        def test_dies_here():
            os.kill(os.getpid(), signal.SIGSEGV)
        """))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:faulthandler", str(tmp_path)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode < 0 or run.returncode > 128
    assert ("ended abruptly (a crash or a kill) in: test_dies.py::test_dies_here (call"
            in run.stderr), run.stderr
