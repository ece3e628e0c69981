"""Progress on a terminal and the one-line errors that may follow it."""
from __future__ import annotations

import io

import pytest

from visualizer.commands import _common
from visualizer.commands._common import TerminalLine, download_progress, fail, first_line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_line_left():
    yield
    TerminalLine.shown = None


def stderr_as(monkeypatch, out: io.StringIO) -> io.StringIO:
    """Set in the test itself: pytest's capture sets sys.stderr again between phases."""
    monkeypatch.setattr(_common.sys, "stderr", out)
    return out


def test_an_error_after_progress_starts_a_line_of_its_own(monkeypatch):
    """It was glued to the progress line: "downloading… 50%error: …" on screen."""
    terminal = stderr_as(monkeypatch, Terminal())
    show = download_progress(TerminalLine())
    show(50, 100)
    assert fail("download failed") == 2
    text = terminal.getvalue()
    progress_end = text.index("50%") + len("50%\x1b[K")
    assert text[progress_end:] == "\r\x1b[Kerror: download failed\n"


def test_an_error_with_no_progress_shown_is_the_message_alone(monkeypatch):
    terminal = stderr_as(monkeypatch, Terminal())
    line = TerminalLine()
    line.show("working…")
    line.clear()
    terminal.seek(0)
    terminal.truncate()
    fail("bad input")
    assert terminal.getvalue() == "error: bad input\n"


def test_off_a_terminal_nothing_but_the_error(monkeypatch):
    out = stderr_as(monkeypatch, io.StringIO())
    line = TerminalLine()
    line.show("working…")
    fail("bad input")
    assert out.getvalue() == "error: bad input\n"


@pytest.mark.parametrize("error, expected", [
    (RuntimeError("first\nsecond"), "first"),
    (RuntimeError("  \n "), "RuntimeError"),  # an IndexError, and a traceback, before
    (MemoryError(), "MemoryError"),
])
def test_first_line_of_an_error(error, expected):
    assert first_line(error) == expected
