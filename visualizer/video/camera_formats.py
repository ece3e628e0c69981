"""A camera's formats (resolution, frame rate, pixel format) and the one chosen by default.

Most USB webcams offer their larger sizes only as motion JPEG (their raw YUV sizes run at a
few frames a second over USB 2), and Qt picks a format of its own when asked for none —
often the largest, at a rate too low or a size too costly for a live demo. The default
here is the largest format up to 720p that runs at 25 frames a second or more,
uncompressed YUV before JPEG at equal size (no decoding), and the user may pick any other.
No Qt here: camera.py turns QCameraFormats into `CameraFormat`s.
"""
from __future__ import annotations

from dataclasses import dataclass

#: The default is at most this tall (720p) and at least this fast.
DEFAULT_MAX_HEIGHT = 720
DEFAULT_MIN_FPS = 25.0
#: pixel formats decoded, not just converted (motion JPEG)
COMPRESSED = frozenset({"Jpeg", "MJPEG", "MJPG"})


@dataclass(frozen=True)
class CameraFormat:
    width: int
    height: int
    min_fps: float
    max_fps: float
    pixel: str  # pixel format name without "Format_": "NV12", "YUYV", "Jpeg", …

    @property
    def compressed(self) -> bool:
        return self.pixel in COMPRESSED

    def label(self) -> str:
        fps = f"{self.max_fps:g}" if self.min_fps in (0, self.max_fps) else \
            f"{self.min_fps:g}–{self.max_fps:g}"
        kind = "MJPEG" if self.compressed else self.pixel
        return f"{self.width}×{self.height}, {fps} fps, {kind}"


def default_format(formats: list[CameraFormat]) -> int | None:
    """Index of the format a live demo starts with (see the module doc); None for none."""
    if not formats:
        return None

    def key(i: int) -> tuple:
        f = formats[i]
        small = f.height <= DEFAULT_MAX_HEIGHT
        fast = f.max_fps >= DEFAULT_MIN_FPS
        return (small and fast, small, f.width * f.height if small else -f.width * f.height,
                not f.compressed, f.max_fps)

    return max(range(len(formats)), key=key)
