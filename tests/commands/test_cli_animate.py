"""The `animate` command: exact frame counts read back with imageio, clean refusals."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest

from visualizer.app import main
from visualizer.conv.layer import LayerSpec

ROOT = Path(__file__).resolve().parents[2]


def gif_frames(path: Path) -> int:
    return iio.improps(path, plugin="pillow").shape[0]


def test_seed_standard_gif_has_exactly_144_step_frames(qapp, tmp_path, capsys):
    out = tmp_path / "anim.gif"
    assert main(["animate", "--out", str(out), "--size", "320x200", "--hold", "0"]) == 0
    spec = LayerSpec()
    ho, wo, n = spec.output_shape
    assert gif_frames(out) == n * ho * wo == 144
    assert iio.improps(out, plugin="pillow").shape[1:] == (200, 320, 3)
    assert "144 frames" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["anim.gif"]  # no temporary file left


def test_seed_separable_gif_has_27_plus_144_frames(qapp, tmp_path):
    out = tmp_path / "sep.gif"
    assert main(["animate", "--out", str(out), "--path", "separable", "--size", "320x200",
                 "--fps", "12", "--hold", "0"]) == 0
    assert gif_frames(out) == 3 * 9 + 16 * 9 == 171
    duration = iio.immeta(out, plugin="pillow", index=0)["duration"]
    assert abs(duration - 1000 / 12) <= 10  # GIF delays are in hundredths of a second
    frames = iio.imread(out, plugin="pillow")
    assert not np.array_equal(frames[0], frames[-1])  # the animation moves


def test_mp4_frame_count_and_size(qapp, tmp_path):
    out = tmp_path / "small.mp4"
    assert main(["animate", "--out", str(out), "--height", "4", "--width", "4",
                 "--channels", "2", "--filters", "3", "--size", "320x200", "--fps", "5",
                 "--hold", "0"]) == 0
    reader = iio2.get_reader(out, format="FFMPEG")
    try:
        assert reader.count_frames() == 3 * 2 * 2
        assert reader.get_data(0).shape == (200, 320, 3)
        assert reader.get_meta_data()["fps"] == pytest.approx(5)
    finally:
        reader.close()


@pytest.mark.parametrize("args, says", [
    (["--out", "{d}/a.png"], "must end in .gif or .mp4"),
    (["--out", "{d}/missing/a.gif"], "folder does not exist"),
    (["--out", "{d}/a.gif", "--kernel", "9"], "kernel 9 is larger"),
    (["--out", "{d}/a.gif", "--groups", "2"], "groups 2 must divide"),
    (["--out", "{d}/a.gif", "--size", "big"], "not WIDTHxHEIGHT"),
    (["--out", "{d}/a.gif", "--size", "100x100"], "outside 320x200"),
    (["--out", "{d}/a.mp4", "--size", "641x400"], "must be even"),
    (["--out", "{d}/a.gif", "--fps", "0"], "fps 0 is outside"),
    (["--out", "{d}/a.gif", "--fps", "x"], "not a number"),
    (["--out", "{d}/a.gif", "--height", "64", "--width", "64", "--channels", "64",
      "--filters", "64"], "too many frames"),
    (["--out", "{d}/a.gif", "--path", "sideways"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, says):
    args = [a.format(d=tmp_path) for a in args]
    with pytest.raises(SystemExit) as ended:  # argparse's own refusals end the parse
        raise SystemExit(main(["animate", *args]))
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_request_loads_no_window_toolkit(tmp_path):
    code = ("import sys; from visualizer.app import main; "
            f"rc = main(['animate', '--out', {str(tmp_path / 'a.png')!r}]); "
            "assert 'PySide6' not in sys.modules, 'Qt imported'; sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
