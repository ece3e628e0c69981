"""Which of a step's operands are on screen: one channel range for input, weights and text.

A step may read hundreds of input channels; only a few fit. The input window, the weight
slices and the products text all show the same page of the step's channels, so what is
drawn is exactly what the listed products multiply.
"""
from __future__ import annotations

from visualizer.conv.steps import Step

#: k×k windows shown side by side (one grid per channel).
WINDOW_CHANNELS = 4
#: A pointwise step's operands are two depth columns of 1×1 values: more fit.
COLUMN_CHANNELS = 16


def page_size(kernel: int) -> int:
    """How many input channels of a step with this kernel size are shown at once."""
    return COLUMN_CHANNELS if kernel == 1 else WINDOW_CHANNELS


def channel_limit(step: Step) -> int:
    """How many of the step's input channels are shown at once."""
    return page_size(step.kernel)


def channel_pages(step: Step) -> int:
    n, limit = len(step.in_channels), channel_limit(step)
    return -(-n // limit)


def shown_channels(step: Step, page: int = 0) -> range:
    """The input channels of `step` on screen: page `page` (clamped) of its channels."""
    limit = channel_limit(step)
    page = max(0, min(page, channel_pages(step) - 1))
    first, last = step.in_channels[0], step.in_channels[-1]
    start = first + page * limit
    return range(start, min(start + limit, last + 1))


def channels_note(step: Step, shown: range) -> str:
    """'channels a–b of C' said once, '' when the step's channels all fit."""
    n = len(step.in_channels)
    if len(shown) >= n:
        return ""
    span = f"{shown.start}" if len(shown) == 1 else f"{shown.start}–{shown.stop - 1}"
    return f"channels {span} of {n}"
