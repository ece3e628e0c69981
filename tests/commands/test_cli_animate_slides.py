"""`animate` as slides: 1280×720 by default, a held summary frame after the step frames,
an optional title, the race, any size up to 3840×2160, the file mode from the umask."""
from __future__ import annotations

import os
import stat

import imageio.v2 as iio2
import imageio.v3 as iio
import pytest

from visualizer.app import main
from visualizer.conv.layer import LayerSpec
from visualizer.conv.race import Race


def mp4(path):
    reader = iio2.get_reader(path, format="FFMPEG")
    try:
        return reader.count_frames(), reader.get_data(0).shape, reader.get_data(
            reader.count_frames() - 1)
    finally:
        reader.close()


def test_defaults_are_1280x720_step_frames_then_the_summary_held(qapp, tmp_path, capsys):
    out = tmp_path / "seed.gif"
    assert main(["animate", "--out", str(out)]) == 0
    props = iio.improps(out, plugin="pillow")
    # the 144 step frames, then the summary: one GIF frame of 3 s
    assert props.shape == (144 + 1, 720, 1280, 3)
    assert iio.immeta(out, plugin="pillow", index=144)["duration"] == pytest.approx(3000, abs=20)
    assert iio.immeta(out, plugin="pillow", index=0)["duration"] == pytest.approx(125, abs=10)
    said = capsys.readouterr().out
    assert "144 frames (one per step) + the summary held 3 s" in said and "1280x720" in said


def test_a_non_square_layer_mp4_counts_steps_and_hold_frames(qapp, tmp_path):
    spec = LayerSpec(height=4, width=6, channels=2, kernel=3, filters=3, padding=1)
    ho, wo, n = spec.output_shape
    assert (ho, wo) == (4, 6)
    out = tmp_path / "wide.mp4"
    assert main(["animate", "--out", str(out), "--height", "4", "--width", "6",
                 "--channels", "2", "--filters", "3", "--padding", "1", "--size", "640x360",
                 "--fps", "4", "--hold", "2.5", "--path", "separable"]) == 0
    frames, shape, _ = mp4(out)
    assert frames == (spec.channels + n) * ho * wo + round(2.5 * 4)
    assert shape == (360, 640, 3)


def test_the_race_has_a_frame_per_standard_step(qapp, tmp_path):
    out = tmp_path / "race.gif"
    assert main(["animate", "--out", str(out), "--path", "race", "--size", "640x360",
                 "--hold", "1"]) == 0
    race = Race(LayerSpec())
    assert race.length == 144 and race.separable_finish == 25
    assert iio.improps(out, plugin="pillow").shape[0] == 144 + 1


def test_title_and_the_largest_size(qapp, tmp_path):
    out = tmp_path / "4k.mp4"
    assert main(["animate", "--out", str(out), "--height", "2", "--width", "2", "--channels",
                 "1", "--kernel", "2", "--filters", "1", "--size", "3840x2160", "--fps", "2",
                 "--hold", "1", "--title", "One step"]) == 0
    frames, shape, _ = mp4(out)
    assert frames == 1 + 2 and shape == (2160, 3840, 3)


@pytest.mark.parametrize("args, says", [
    (["--size", "3842x2160"], "outside 320x200 … 3840x2160"),
    (["--hold", "-1"], "hold -1 is outside"),
    (["--hold", "nan"], "hold nan is outside"),
    (["--title", "x" * 200], "one line of at most"),
])
def test_bad_slide_options_exit_2_with_one_line(tmp_path, capsys, args, says):
    assert main(["animate", "--out", str(tmp_path / "a.gif"), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_file_mode_follows_the_umask(qapp, tmp_path):
    out = tmp_path / "small.gif"
    old = os.umask(0o022)
    try:
        assert main(["animate", "--out", str(out), "--height", "3", "--width", "3",
                     "--filters", "1", "--size", "320x200", "--hold", "0"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_help_says_what_the_frames_are(capsys):
    with pytest.raises(SystemExit):
        main(["animate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("144 standard", "27 depthwise + 144 pointwise = 171", "summary frame",
                  "--title", "--hold", "race", "1280x720", "3840x2160", "2 % of the frame"):
        assert words in text
