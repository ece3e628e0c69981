"""Shared test set-up: Qt runs offscreen; the shared test data and LiteRT are found, or
the tests that need them skip (fail under CI=true: see prerequisites.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import crash_witness
from prerequisites import import_or_missing, missing
from qt_lifetimes import (KeptWidgets, collect_garbage_in_every_paint, collect_garbage_now,
                          windows_left_on_screen, wrap_qtbot)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config):
    crash_witness.start(config)
    if os.environ.get("MOBILENET_VISUALIZER_TEST_GC_IN_PAINT") == "1":
        collect_garbage_in_every_paint()

#: Real checkpoints, labels and photos that must not be copied into this repository.
TESTDATA = Path(os.environ.get(
    "MOBILENET_VISUALIZER_TESTDATA",
    Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "coral",
))


@pytest.fixture(scope="session")
def coral() -> Path:
    """The folder with the official quantized checkpoints, labels and photos."""
    if not (TESTDATA / "mobilenet_v1_0.25_128_quant.tflite").is_file():
        missing(f"the shared test data is not at {TESTDATA} "
                "(set MOBILENET_VISUALIZER_TESTDATA to its folder)")
    return TESTDATA


@pytest.fixture(scope="session")
def litert():
    """LiteRT's Interpreter class (the reference that runs the .tflite files themselves)."""
    return import_or_missing("ai_edge_litert.interpreter",
                             "install the test extra: pip install -e '.[test]'").Interpreter


@pytest.fixture(scope="session")
def square_video(tmp_path_factory):
    """64 frames, 320×240, 30 fps, h264 in mp4: a yellow square moving 4 px per frame."""
    from live_fakes import write_video

    return write_video(tmp_path_factory.mktemp("video") / "squares.mp4")


@pytest.fixture(autouse=True, scope="session")
def _settings_in_a_temporary_folder(tmp_path_factory):
    """The app's QSettings (e.g. the Convolution tab's zoom) are read from and written to a
    temporary folder, never the user's own settings."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope,
                      str(tmp_path_factory.mktemp("settings")))


@pytest.fixture
def _kept_widgets():
    return KeptWidgets()


@pytest.fixture
def qtbot(qtbot, _kept_widgets):
    """pytest-qt's qtbot, which also keeps the widgets given to addWidget alive until it
    has closed them (see qt_lifetimes.py)."""
    return wrap_qtbot(qtbot, _kept_widgets)


@pytest.fixture(autouse=True)
def _nothing_left_running(_kept_widgets):
    """Fail a test that leaves a Python thread, a QThread or a QTimer running (after a
    short grace period), or a window on screen that qtbot does not close; Qt threads and
    timers it left are stopped first, so that one failing test never hangs or aborts the
    run. Then its garbage is collected, here, outside any Qt event (qt_lifetimes.py)."""
    from leak_guard import LeakGuard

    guard = LeakGuard()
    guard.before()
    yield
    windows = windows_left_on_screen(_kept_widgets)
    _kept_widgets.release()
    left = guard.after()
    collect_garbage_now()
    if windows:
        left.append("a window on screen that qtbot does not close: " + ", ".join(windows)
                    + " (give it to qtbot.addWidget)")
    if left:
        pytest.fail("the test left running: " + "; ".join(left) + " (stop it in a fixture "
                    "or finalizer, e.g. with the `closing` fixture)", pytrace=False)


@pytest.fixture
def closing():
    """closing(obj) -> obj: obj.shutdown() (or .stop()) runs when the test ends, passed or
    failed, so a failing test never leaves a pipeline, a source or a tab running."""
    objs = []

    def register(obj):
        objs.append(obj)
        return obj

    yield register
    for obj in reversed(objs):
        (getattr(obj, "shutdown", None) or obj.stop)()
