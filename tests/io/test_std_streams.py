"""Standard streams: a closed one is reopened on the null device (no file takes its
number), and without --verbose only Python's sys.stderr reaches the real stderr."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors")


def python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, **kw)


def test_native_writes_to_descriptor_2_are_hidden_python_s_are_not():
    r = python("import os, sys\n"
               "from visualizer.io.std_streams import native_stderr_hidden\n"
               "with native_stderr_hidden():\n"
               "    os.write(2, b'libpng error: Write Error\\n')\n"
               "    print('error: the one line', file=sys.stderr)\n"
               "os.write(2, b'after\\n')\n")
    assert r.returncode == 0 and r.stderr == "error: the one line\nafter\n"


def test_a_closed_stderr_is_never_taken_by_a_file(tmp_path):
    """With descriptor 2 closed, the first file opened would become stderr, and a C
    library's message would land in it."""
    r = python("import os, sys\n"
               "from visualizer.io.std_streams import reopen_closed\n"
               "closed = reopen_closed()\n"
               f"f = open({str(tmp_path / 'out.txt')!r}, 'w')\n"
               "os.write(2, b'libpng error\\n')\n"
               "f.write('data'); f.close()\n"
               "print(sorted(closed))\n",
               preexec_fn=lambda: os.close(2))
    assert r.returncode == 0 and r.stdout.strip() == "['stderr']"
    assert (tmp_path / "out.txt").read_text() == "data"


@pytest.mark.parametrize("closed, code, err", [(1, 2, "error: cannot write the output: "
                                                        "standard output is closed\n"),
                                               (2, 0, None)])
def test_a_command_with_a_closed_stream(closed, code, err):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "net"], cwd=ROOT, text=True,
                       capture_output=False, stdout=None if closed == 1 else subprocess.PIPE,
                       stderr=subprocess.PIPE if closed == 1 else None, timeout=60,
                       preexec_fn=lambda: os.close(closed))
    assert r.returncode == code
    if err is not None:
        assert r.stderr == err
    else:
        assert "MobileNet V1" in r.stdout
