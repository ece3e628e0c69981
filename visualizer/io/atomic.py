"""Output files that are never half-written, and output paths checked before the work.

Every file the app writes for the user (reports, exports, screenshots, animations, .onnx
files, cached downloads) goes to a temporary file in the target's folder, is synced and
renamed onto the target once complete (and the folder synced): a reader sees the old
file or the whole new one, and a failed write (full disk), an exception or Ctrl-C /
SIGTERM (raised as KeyboardInterrupt, see app.py) leaves no partial file and no
temporary one behind. A new file gets the mode the umask allows (0644 under umask 022);
a replaced file keeps its mode. A symbolic link is written through: the file it points
to is replaced and the link stays.
"""
from __future__ import annotations

import os
import stat
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from visualizer.io.file_kinds import special_kind


def real_target(path: str | os.PathLike) -> Path:
    """The file really written: `~` expanded, symlinks followed (renaming onto a symlink
    would replace the link, not the file it points to)."""
    return Path(os.path.realpath(Path(path).expanduser()))



def unwritable_reason(path: str | os.PathLike) -> str | None:
    """Why `path` cannot be written as a new or replaced file, or None if it looks fine.

    Checked by creating (and removing) an empty temporary file beside it, so a missing,
    read-only or pseudo folder (/proc) is found before any work; a disk that fills up
    during the write can only be found by the write itself.
    """
    shown = os.fspath(path)
    if not shown.strip():
        return "no file name given"
    target = real_target(path)
    if target.is_dir():
        return f"{shown} is a folder, not a file"
    special = special_kind(target)
    if special is not None:
        return f"{shown} is {special}, not a regular file"
    folder = target.parent
    if not folder.exists():
        given = Path(shown).expanduser()
        if given.parent.exists() and given.is_symlink():  # the link's target folder is gone
            return (f"{shown} is a symbolic link to {os.readlink(given)}, whose folder "
                    "does not exist")
        return f"folder does not exist: {given.parent}"
    if not folder.is_dir():
        return f"{Path(shown).expanduser().parent} is not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{target.name}.", suffix=".check"):
            pass
    except OSError as e:
        return (f"cannot create a file in {Path(shown).expanduser().parent} "
                f"({e.strerror or e})")
    return None


@contextmanager
def replacing(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path in the target's folder; once the block ends without an
    exception, the temporary file is synced and renamed onto `path`. On any exception
    (including a failed write or rename) the temporary file is removed.

    For writers that want a file name (e.g. Qt's image save): write to the yielded path;
    `suffix` ends its name, for writers that pick the format from it (".mp4").
    """
    target = real_target(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
                           f"{suffix}")
    try:
        yield tmp
        with open(tmp, "rb+") as f:  # the data is on disk before the name points to it
            os.fsync(f.fileno())
        try:  # replacing a file keeps its permissions
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a folder that cannot be opened or synced
    (Windows, some network file systems) is left to the OS."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Write `data` (text is UTF-8 encoded) to `path` through a temporary file and a
    rename: readers see the old file or the whole new one, never a part."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with replacing(path) as tmp:
        with open(tmp, "xb") as f:
            f.write(data)
