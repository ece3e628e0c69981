"""Exporting the Convolution tab's animation: the plan (what to render), checked.

No Qt and no encoder here: the frames are rendered by the tab's own widgets
(ui/convolution) and encoded by visualizer/io/animation_files.py; the headless `animate`
command validates its plan here before any window toolkit loads.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from visualizer.conv.explorer import ANIMATION_LIMIT, PATH_NAMES, path_length
from visualizer.conv.layer import LayerSpec

FORMATS = (".gif", ".mp4")
MIN_SIZE, MAX_SIZE = (320, 200), (3840, 2160)
#: Frames (steps) per second: at least one frame every 10 s (slower only makes hour-long
#: files), at most 60; a GIF at most 50 (its delays are in hundredths of a second, and
#: players show a delay below 2 of them as 10).
MIN_FPS, MAX_FPS, GIF_MAX_FPS = 0.1, 60.0, 50.0
DEFAULT_SIZE = (1280, 720)
#: Seconds the summary frame (both totals and the ratio) is held at the end by default.
DEFAULT_HOLD, MAX_HOLD = 3.0, 60.0
MAX_TITLE = 120
#: A GIF's frames stay in memory until it is written (a byte per pixel each).
GIF_FRAME_LIMIT = 1500


class AnimationError(ValueError):
    """A request that cannot be exported; the message is one line for the user."""


@dataclass(frozen=True)
class AnimationPlan:
    """Render `path`'s steps start+1 … length of `spec`, one frame per step (the race:
    per race frame), then the summary frame held for `hold` seconds; `title` (optional)
    heads every frame."""

    out: Path
    spec: LayerSpec
    path: str = "standard"
    fps: float = 8.0
    size: tuple[int, int] = DEFAULT_SIZE
    start: int = 0  # steps already done (the first frame shows step start + 1)
    length: int = 0  # steps of the path
    title: str = ""
    hold: float = DEFAULT_HOLD

    @property
    def format(self) -> str:
        return self.out.suffix.lower()

    @property
    def positions(self) -> range:
        """The step position each step frame shows, in order."""
        return range(self.start + 1, self.length + 1)

    @property
    def summary_frames(self) -> int:
        """Copies of the summary frame that hold it for `hold` seconds at `fps` (a GIF
        stores them as one frame of that duration)."""
        return 0 if self.hold <= 0 else max(1, round(self.hold * self.fps))

    def schedule(self) -> list[tuple[int, bool]]:
        """(position, summary?) of every frame written, in order."""
        return ([(p, False) for p in self.positions]
                + [(self.length, True)] * self.summary_frames)


def max_fps(out: str | Path) -> float:
    """The highest frame rate a file of `out`'s format plays at."""
    return GIF_MAX_FPS if Path(out).suffix.lower() == ".gif" else MAX_FPS


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' → (1280, 720); AnimationError for anything else or out of range."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise AnimationError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    size = (int(w), int(h))
    if not all(lo <= v <= hi for v, lo, hi in zip(size, MIN_SIZE, MAX_SIZE)):
        raise AnimationError(f"size {size[0]}x{size[1]} is outside "
                             f"{MIN_SIZE[0]}x{MIN_SIZE[1]} … {MAX_SIZE[0]}x{MAX_SIZE[1]}")
    return size


def make_plan(out: str | Path, spec: LayerSpec, path: str = "standard", fps: float = 8.0,
              size: tuple[int, int] = DEFAULT_SIZE, start: int = 0, title: str = "",
              hold: float = DEFAULT_HOLD) -> AnimationPlan:
    """A checked plan; AnimationError says what is wrong in one line."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise AnimationError(f"{out.name}: the file name must end in .gif or .mp4")
    if not out.parent.is_dir():
        raise AnimationError(f"folder does not exist: {out.parent}")
    if out.is_dir():
        raise AnimationError(f"{out} is a folder")
    if path not in PATH_NAMES:
        raise AnimationError(f"unknown path {path!r}; choose standard, separable or race")
    if not (0 <= hold <= MAX_HOLD):  # NaN fails too
        raise AnimationError(f"hold {hold:g} is outside 0 … {MAX_HOLD:g} seconds")
    if "\n" in title or len(title) > MAX_TITLE:
        raise AnimationError(f"the title must be one line of at most {MAX_TITLE} characters")
    top = max_fps(out)
    if not MIN_FPS <= fps <= top:  # NaN too
        raise AnimationError(f"fps {fps:g} is outside {MIN_FPS:g} … {top:g}"
                             + (" for a GIF" if top == GIF_MAX_FPS else ""))
    if out.suffix.lower() == ".mp4" and (size[0] % 2 or size[1] % 2):
        raise AnimationError(f"an MP4's width and height must be even, not {size[0]}x{size[1]}")
    length = path_length(spec, path)
    if not 0 <= start < length:
        raise AnimationError(f"start {start} is outside 0 … {length - 1}")
    limit = GIF_FRAME_LIMIT if out.suffix.lower() == ".gif" else ANIMATION_LIMIT
    if length - start > limit:
        raise AnimationError(f"{length - start:,} steps are too many frames for a "
                             f"{out.suffix.lower()[1:].upper()} (limit {limit:,}); use a "
                             "smaller layer" + (" or an MP4" if limit < ANIMATION_LIMIT else ""))
    return AnimationPlan(out, spec, path, float(fps), size, start, length, title.strip(),
                         float(hold))
