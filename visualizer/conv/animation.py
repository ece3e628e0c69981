"""Exporting the Convolution tab's animation: the plan (what to render), checked.

No Qt and no encoder here: the frames are rendered by the tab's own widgets
(ui/convolution) and encoded by visualizer/io/animation_files.py; the headless `animate`
command validates its plan here before any window toolkit loads.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from visualizer.conv.explorer import ANIMATION_LIMIT, PATH_NAMES
from visualizer.conv.layer import LayerSpec

FORMATS = (".gif", ".mp4")
MIN_SIZE, MAX_SIZE = (320, 200), (3840, 2160)
#: Frames (steps) per second: at least one frame every 10 s (slower only makes hour-long
#: files), at most 60; a GIF at most 50 (its delays are in hundredths of a second, and
#: players show a delay below 2 of them as 10).
MIN_FPS, MAX_FPS, GIF_MAX_FPS = 0.1, 60.0, 50.0
#: A GIF's frames stay in memory until it is written (a byte per pixel each).
GIF_FRAME_LIMIT = 1500


class AnimationError(ValueError):
    """A request that cannot be exported; the message is one line for the user."""


@dataclass(frozen=True)
class AnimationPlan:
    """Render `path`'s steps start+1 … length of `spec`, one frame per step."""

    out: Path
    spec: LayerSpec
    path: str = "standard"
    fps: float = 8.0
    size: tuple[int, int] = (640, 400)
    start: int = 0  # steps already done (the first frame shows step start + 1)
    length: int = 0  # steps of the path

    @property
    def format(self) -> str:
        return self.out.suffix.lower()

    @property
    def positions(self) -> range:
        """The step position each frame shows, in order."""
        return range(self.start + 1, self.length + 1)


def max_fps(out: str | Path) -> float:
    """The highest frame rate a file of `out`'s format plays at."""
    return GIF_MAX_FPS if Path(out).suffix.lower() == ".gif" else MAX_FPS


def parse_size(text: str) -> tuple[int, int]:
    """'640x400' → (640, 400); AnimationError for anything else or out of range."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise AnimationError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 640x400")
    size = (int(w), int(h))
    if not all(lo <= v <= hi for v, lo, hi in zip(size, MIN_SIZE, MAX_SIZE)):
        raise AnimationError(f"size {size[0]}x{size[1]} is outside "
                             f"{MIN_SIZE[0]}x{MIN_SIZE[1]} … {MAX_SIZE[0]}x{MAX_SIZE[1]}")
    return size


def make_plan(out: str | Path, spec: LayerSpec, path: str = "standard", fps: float = 8.0,
              size: tuple[int, int] = (640, 400), start: int = 0) -> AnimationPlan:
    """A checked plan; AnimationError says what is wrong in one line."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise AnimationError(f"{out.name}: the file name must end in .gif or .mp4")
    if not out.parent.is_dir():
        raise AnimationError(f"folder does not exist: {out.parent}")
    if out.is_dir():
        raise AnimationError(f"{out} is a folder")
    if path not in PATH_NAMES:
        raise AnimationError(f"unknown path {path!r}; choose standard or separable")
    top = max_fps(out)
    if not MIN_FPS <= fps <= top:  # NaN too
        raise AnimationError(f"fps {fps:g} is outside {MIN_FPS:g} … {top:g}"
                             + (" for a GIF" if top == GIF_MAX_FPS else ""))
    if out.suffix.lower() == ".mp4" and (size[0] % 2 or size[1] % 2):
        raise AnimationError(f"an MP4's width and height must be even, not {size[0]}x{size[1]}")
    ho, wo, n = spec.output_shape
    length = (n if path == "standard" else spec.channels + n) * ho * wo
    if not 0 <= start < length:
        raise AnimationError(f"start {start} is outside 0 … {length - 1}")
    limit = GIF_FRAME_LIMIT if out.suffix.lower() == ".gif" else ANIMATION_LIMIT
    if length - start > limit:
        raise AnimationError(f"{length - start:,} steps are too many frames for a "
                             f"{out.suffix.lower()[1:].upper()} (limit {limit:,}); use a "
                             "smaller layer" + (" or an MP4" if limit < ANIMATION_LIMIT else ""))
    return AnimationPlan(out, spec, path, float(fps), size, start, length)
