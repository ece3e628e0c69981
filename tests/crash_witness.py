"""Names the test a crashed run died in.

A segfault or an abort ends pytest at once: faulthandler prints the Python stack, but a
crash inside a hook (pytest-qt's event processing after a test, say) shows no test name,
and `-q` prints only dots. A small witness process, started with the run, is told which
test and phase is running (one short line per phase on a pipe); if the pipe closes
without the run saying it ended, the witness prints that test to stderr.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

_WITNESS = r"""
import sys
last = "before the first test"
for line in sys.stdin:
    last = line.rstrip("\n")
if last != "<end>":
    sys.stderr.write(f"\n*** The test run ended abruptly (a crash or a kill) in: {last}\n")
    sys.stderr.flush()
"""


class CrashWitness:
    def __init__(self, config: pytest.Config) -> None:
        capture = config.pluginmanager.getplugin("capturemanager")
        # the witness writes to the real stderr, not to pytest's capture of it
        if capture is not None:
            with capture.global_and_fixture_disabled():
                self.proc = self._spawn()
        else:
            self.proc = self._spawn()

    @staticmethod
    def _spawn() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", _WITNESS], stdin=subprocess.PIPE,
                                text=True, bufsize=1)

    def tell(self, what: str) -> None:
        try:
            self.proc.stdin.write(what + "\n")
        except (OSError, ValueError):
            pass

    def end(self) -> None:
        self.tell("<end>")
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.tell(f"{item.nodeid} (setup)")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        self.tell(f"{item.nodeid} (call, or the event processing after it)")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        self.tell(f"{item.nodeid} (teardown)")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.tell(f"after {nodeid}")


def start(config: pytest.Config) -> None:
    witness = CrashWitness(config)
    config.pluginmanager.register(witness, "crash_witness")
    config.add_cleanup(witness.end)
