"""How fast step sequences are built and indexed, small and huge layers.

Run: python benchmarks/bench_steps.py. Prints figures; asserts nothing. The huge layer's
input is broadcast from one row so that the benchmark itself stays small in memory.
"""
from __future__ import annotations

import time

import numpy as np

from visualizer.conv.example import ConvExample, make_example
from visualizer.conv.layer import LayerSpec
from visualizer.conv.steps import SeparableSteps, standard_steps


def _timed(fn, repeat: int) -> float:
    """Mean milliseconds of fn() over repeat calls."""
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return 1000 * (time.perf_counter() - start) / repeat


def _huge() -> ConvExample:
    spec = LayerSpec(height=1024, width=1024, channels=64, kernel=3, filters=256, padding=1)
    rng = np.random.default_rng(0)
    return ConvExample(spec, np.broadcast_to(rng.uniform(-1, 1, (64, 1, 1024)), (64, 1024, 1024)),
                       rng.uniform(-1, 1, (256, 64, 3, 3)), rng.uniform(-1, 1, (64, 1, 3, 3)),
                       rng.uniform(-1, 1, (256, 64, 1, 1)))


def main() -> None:
    cases = {"classic 5×5×3, 16 filters": make_example(LayerSpec()),
             "1024×1024×64, 256 filters": _huge()}
    print(f"{'layer':28} {'build std+sep':>14} {'std[-1]':>9} {'sep[-1]':>9} {'steps':>13}")
    for name, ex in cases.items():
        build = _timed(lambda: (standard_steps(ex), SeparableSteps(ex)), 200)
        std, sep = standard_steps(ex), SeparableSteps(ex)
        last_std = _timed(lambda: std[-1], 2000)
        last_sep = _timed(lambda: sep[-1], 2000)
        print(f"{name:28} {build:11.3f} ms {last_std:6.3f} ms {last_sep:6.3f} ms "
              f"{len(std) + len(sep):>13,}")
    ex = make_example(LayerSpec(height=28, width=28, channels=16, filters=32, padding=1))
    std = standard_steps(ex)
    iterate = _timed(lambda: sum(s.value for s in std), 1)
    print(f"iterating all {len(std):,} standard steps of 28×28×16 -> 32: {iterate:.0f} ms "
          f"({1000 * iterate / len(std):.1f} µs per step)")


if __name__ == "__main__":
    main()
