"""Which layer dimensions the controls may offer, and every problem of a combination.

The Convolution tab's controls are valid by construction: each field's range follows the
others (`bounds`), groups are chosen among the common divisors of C_in and N
(`group_choices`). `problems` still lists every problem of a combination at once, by
field, for what the ranges cannot rule out (e.g. the explorer's memory limit).
"""
from __future__ import annotations

from visualizer.conv.example import MAX_EXAMPLE_VALUES, example_values
from visualizer.conv.layer import LIMITS, LayerError, LayerSpec

FIELDS = ("height", "width", "channels", "kernel", "filters", "stride", "padding", "groups")


def divisors(n: int) -> list[int]:
    """Divisors of n ≥ 1 in increasing order."""
    small = [d for d in range(1, int(n ** 0.5) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def group_choices(channels: int, filters: int) -> list[int]:
    """Groups a layer may use: the common divisors of C_in and N."""
    return [d for d in divisors(channels) if filters % d == 0]


def bounds(values: dict[str, int]) -> dict[str, tuple[int, int]]:
    """(lowest, highest) of each numeric field given the others: the kernel fits the padded
    input, the padding is less than the kernel."""
    k, p = values["kernel"], values["padding"]
    h, w = values["height"], values["width"]
    side = max(1, k - 2 * p)
    out = {name: (1, LIMITS[name]) for name in FIELDS if name != "padding"}
    out["height"] = (min(side, LIMITS["height"]), LIMITS["height"])
    out["width"] = (min(side, LIMITS["width"]), LIMITS["width"])
    out["kernel"] = (min(p + 1, LIMITS["kernel"]), max(1, min(LIMITS["kernel"], min(h, w) + 2 * p)))
    out["padding"] = (max(0, -(-(k - min(h, w)) // 2)), max(0, k - 1))
    return out


def problems(values: dict[str, int]) -> dict[str, list[str]]:
    """Every problem of this combination, under each field it involves ({} when valid)."""
    out: dict[str, list[str]] = {}

    def add(message: str, *names: str) -> None:
        for name in names:
            out.setdefault(name, []).append(message)

    for name in FIELDS:
        v, lo = values[name], 0 if name == "padding" else 1
        if not lo <= v <= LIMITS.get(name, v):
            add(f"{name} {v} is outside {lo} … {LIMITS.get(name, v)}", name)
    h, w, k, p = values["height"], values["width"], values["kernel"], values["padding"]
    if p > k - 1:
        add(f"padding {p} must be less than the kernel {k}", "padding", "kernel")
    if k > min(h, w) + 2 * p:
        add(f"kernel {k} is larger than the padded input {h + 2 * p}×{w + 2 * p}",
            "kernel", "height", "width", "padding")
    c, n, g = values["channels"], values["filters"], values["groups"]
    if g < 1 or c % g or n % g:
        add(f"groups {g} must divide both C_in {c} and N {n}", "groups")
    if out:
        return out
    try:
        spec = LayerSpec(**{name: values[name] for name in FIELDS})
    except LayerError as e:  # a rule the checks above do not know: say it, on every field
        add(str(e), *FIELDS)
        return out
    need = example_values(spec)
    if need > MAX_EXAMPLE_VALUES:
        add(f"this layer needs {need:,} values in memory, more than the explorer's limit "
            f"of {MAX_EXAMPLE_VALUES:,}", "height", "width", "channels", "filters")
    return out


def all_problems(found: dict[str, list[str]]) -> list[str]:
    """The distinct problems, in field order, each once."""
    seen: list[str] = []
    for name in FIELDS:
        for message in found.get(name, []):
            if message not in seen:
                seen.append(message)
    return seen
