"""Photos given to `bench --image`, read whole with Pillow."""
from __future__ import annotations

from typing import Any


def read_image(path: str) -> Any:
    """An (H, W, 3) uint8 array of the photo as a viewer shows it: EXIF orientation applied
    (as the Live tab does), 16-bit samples scaled to 8 bits rather than clipped."""
    import warnings

    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    from visualizer.io.file_kinds import not_regular

    problem = not_regular(path, "image")  # a FIFO or a device would block or never end
    if problem:
        raise ValueError(problem)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                im = ImageOps.exif_transpose(im)
                if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):  # 16-bit gray
                    gray = np.asarray(im, dtype=np.float64) / 257.0
                    return np.repeat(np.clip(gray.round(), 0, 255).astype(np.uint8)[:, :, None],
                                     3, axis=2)
                return np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise ValueError(f"image not found: {path}") from None
    except Image.DecompressionBombError:
        raise ValueError(f"image {path} has too many pixels to decode safely") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise ValueError(f"cannot read image {path}: {e}") from None
