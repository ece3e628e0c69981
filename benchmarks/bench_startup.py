"""Start-up time: `main.py --screenshot` wall time, median of N runs (printed, never
asserted; goal ≤ 1.0 s on a 2-core machine), and where the imports' time goes.

    python benchmarks/bench_startup.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    shot = Path(tempfile.mkdtemp()) / "s.png"
    walls = []
    for _ in range(args.runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(shot)],
                       env=env, check=True)
        walls.append(time.perf_counter() - t)
    print(f"main.py --screenshot: median {statistics.median(walls):.2f} s "
          f"(runs: {', '.join(f'{w:.2f}' for w in sorted(walls))}); load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; goal <= 1.0 s")
    r = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "main.py"), "--verbose",
                        "--screenshot", str(shot)], env=env, capture_output=True, text=True)
    tops = []
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( )(\S+)$", line)
        if m:
            tops.append((int(m.group(1)) / 1000, m.group(3)))
    print(f"imports: {sum(t for t, _ in tops):.0f} ms in all; the largest: "
          + ", ".join(f"{name} {t:.0f} ms" for t, name in sorted(tops, reverse=True)[:6]))
    heavy = [m for m in ("onnx", "ml_dtypes", "onnxruntime", "cpuinfo")
             if re.search(rf"\| +{m}$", r.stderr, re.M)]
    print(f"heavy libraries imported: {', '.join(heavy) or 'none'}")
    shot.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
