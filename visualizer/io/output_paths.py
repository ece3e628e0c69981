"""Output paths checked before any work: an output never replaces an input of the same
run, another output of the same run, or an existing file of another kind.

One rule for every writer (`--report`, `--screenshot`, `export-onnx --out`,
`animate --out`): the name must end in the output's suffix; it must not be (or link to)
the source, the model or a file inside the source folder; two outputs must not be one
file; the folder must take a new file (atomic.unwritable_reason); and a file already
there is replaced only if it is of the output's own kind (an earlier report, screenshot
or export), or empty.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from visualizer.io.atomic import real_target, unwritable_reason
from visualizer.io.file_kinds import describe, kind_of

#: Per output suffix: what it writes, and the file kinds (file_kinds.sniff) it may replace.
REPLACEABLE = {
    ".json": ("a JSON file", {"json", "empty"}),
    ".csv": ("a CSV file", {"text", "json", "empty"}),
    ".png": ("a PNG image", {"png", "empty"}),
    ".gif": ("a GIF image", {"gif", "empty"}),
    ".mp4": ("an MP4 video", {"mp4", "empty"}),
    ".onnx": ("an ONNX model", {"onnx", "empty"}),
}


@dataclass(frozen=True)
class Output:
    """A file the run will write: the option that names it, the path as given, and the
    suffixes it may end in (lower case, with the dot)."""

    option: str
    path: str
    suffixes: tuple[str, ...]


@dataclass(frozen=True)
class Input:
    """A file or folder the run reads (the option that names it, the path as given)."""

    option: str
    path: str


def _same_file(a: Path, b: Path) -> bool:
    """The same file (after ~, symlinks and hard links), whether or not it exists yet."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _suffix_problem(out: Output) -> str | None:
    name = Path(out.path).name
    if Path(out.path).suffix.lower() in out.suffixes:
        return None
    wanted = " or ".join(out.suffixes)
    return f"{out.option} must end in {wanted}, not {name!r}" if name else \
        f"{out.option}: no file name given"


def _input_problem(out: Output, target: Path, inputs: Sequence[Input]) -> str | None:
    for given in inputs:
        source = real_target(given.path)
        if source.is_dir():
            if target.parent == source and target.exists():
                return (f"{out.option} {out.path} is a file in the {given.option} folder "
                        f"{given.path}: it would be replaced; choose another name")
        elif _same_file(target, source):
            return (f"{out.option} {out.path} is the {given.option} file: it would be "
                    "replaced; choose another name")
    return None


def output_problem(outputs: Sequence[Output], inputs: Sequence[Input] = ()) -> str | None:
    """One line saying why one of `outputs` must not be written, or None. Outputs or
    inputs whose path is None are left out by the caller."""
    seen: list[tuple[Output, Path]] = []
    for out in outputs:
        if not os.fspath(out.path).strip():
            return f"{out.option}: no file name given"
        problem = _suffix_problem(out)
        if problem:
            return problem
        target = real_target(out.path)
        problem = _input_problem(out, target, inputs)
        if problem:
            return problem
        for other, other_target in seen:
            if _same_file(target, other_target):
                return (f"{other.option} and {out.option} name the same file "
                        f"({out.path}): each output needs its own")
        seen.append((out, target))
        problem = unwritable_reason(out.path)
        if problem:
            return f"{out.option}: {problem}"
        kind = kind_of(target)
        wanted, allowed = REPLACEABLE.get(Path(out.path).suffix.lower(), ("", None))
        if kind is not None and allowed is not None and kind not in allowed:
            return (f"{out.option}: {out.path} exists and is {describe(kind)}, not "
                    f"{wanted}; not replacing it (remove it or choose another name)")
    return None
