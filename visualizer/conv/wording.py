"""One numbering rule and the words around numbers, for every text of the Convolution tab.

Indices count from 0, as in the PyTorch and ONNX code the tab shows: "filter 4 (0–15)" is
the fifth of 16 filters. Counts count from 1: "step 41 of 144" is the 41st step.
"""
from __future__ import annotations

NUMBERING_TIP = ("Numbering: channels, filters, rows and columns are indices from 0, as in "
                 "PyTorch and ONNX (filter 4 (0–15) is the fifth of 16 filters); steps are "
                 "counted from 1 (step 41 of 144 is the 41st step).")

_PLURALS = {"channel": "channels", "filter": "filters", "step": "steps", "group": "groups",
            "multiplication": "multiplications", "product": "products", "cell": "cells",
            "frame": "frames"}


def plural(n: int, word: str) -> str:
    """'1 channel', '2 channels', '3,888 multiplications'."""
    return f"{n:,} {word if n == 1 else _PLURALS.get(word, word + 's')}"


def span(start: int, stop: int) -> str:
    """Indices start … stop-1 as '4' or '4–7'."""
    return f"{start}" if stop - start == 1 else f"{start}–{stop - 1}"


def index_in(i: int, n: int) -> str:
    """Index i among 0 … n-1: '4 (0–15)'; just '0' when there is only one."""
    return f"{i}" if n == 1 else f"{i} (0–{n - 1})"


def step_of(done: int, length: int, unit: str = "step") -> str:
    """A count from 1: 'step 41 of 144' (done steps, the last one being the 41st); `unit`
    names what is counted ('frame 41 of 144')."""
    return f"{unit} {done:,} of {length:,}"


def percent(part: int, whole: int) -> str:
    """'17.4 %' with one decimal (whole numbers stay whole: '100 %')."""
    if whole <= 0:
        return "—"
    p = 100.0 * part / whole
    return f"{p:.0f} %" if p in (0.0, 100.0) else f"{p:.1f} %"
