"""Bad inputs, clobbered files, hangs and signals: every case, run as a user would
(printed, never asserted).

    python benchmarks/hardening_cases.py [--main PATH/main.py] [--json OUT.json]
                                         [--compare BEFORE.json] [CASE ...]

Each case runs `main.py` in a fresh folder (a photo, a model, FIFOs, a folder of photos,
symlinks) with its own TMPDIR, sends the signals it lists (a run still going after them
is killed) and prints exit code, stderr lines, files left behind or changed (temporary
files and TMPDIR leftovers included) and wall time. `--main` runs another checkout (the
code before a change); `--compare` prints a before/after table. The full-disk cases mount
a small tmpfs: Linux and root only, skipped otherwise. Timings depend on the machine's
load (printed).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MOBILENET_VISUALIZER_TESTDATA", ROOT.parent / "shared/testdata/coral"))
LIVE = ["--model", "untrained:0.25_128", "--autostart", "--exit-after-frames", "3"]
HANG = [(30, "INT"), (35, "TERM"), (40, "KILL")]
BLOCK = [(5, "INT"), (10, "TERM"), (15, "KILL")]
SIGS = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "KILL": signal.SIGKILL}

#: id, what, argv ({d}: the case's folder, {s}: a small tmpfs), options
CASES = [
    ("A1", "--report onto the --source photo", ["--source", "{d}/p.jpg", *LIVE, "--report", "{d}/p.jpg"], {}),
    ("A2", "--report onto the --model file", ["--source", "{d}/p.jpg", "--model", "{d}/m.tflite",
     "--autostart", "--exit-after-frames", "3", "--report", "{d}/m.tflite"], {}),
    ("A3", "--report x.png --screenshot x.png", ["--source", "{d}/p.jpg", *LIVE, "--report", "{d}/x.png",
     "--screenshot", "{d}/x.png"], {}),
    ("A4", "--report r.txt", ["--source", "{d}/p.jpg", *LIVE, "--report", "{d}/r.txt"], {}),
    ("A5", "--report onto a photo named r.json", ["--source", "{d}/p.jpg", *LIVE, "--report", "{d}/r.json"], {}),
    ("A6", "export-onnx --out onto a text file x.onnx", ["export-onnx", "--model", "untrained:0.25_128",
     "--out", "{d}/notes.onnx"], {}),
    ("A7", "--screenshot onto a photo of the --source folder", ["--source", "{d}/photos", *LIVE,
     "--screenshot", "{d}/photos/b.png"], {}),
    ("A8", "animate --out through a symlink", ["animate", "--out", "{d}/link.gif", "--size", "320x200"], {}),
    ("A9", "animate MP4, umask 022", ["animate", "--out", "{d}/u.mp4", "--size", "320x200"], {"umask": 0o022}),
    ("A10", "--report through a dangling symlink", ["--source", "{d}/p.jpg", *LIVE, "--report",
     "{d}/dangling.json"], {}),
    ("B1", "animate GIF, SIGINT at 3 s (x5)", ["animate", "--out", "{d}/a.gif"], {"signals": [(3, "INT")], "repeat": 5}),
    ("B2", "animate MP4, SIGINT at 3 s (x3)", ["animate", "--out", "{d}/a.mp4"], {"signals": [(3, "INT")], "repeat": 3}),
    ("B3", "animate GIF, SIGTERM at 3 s (x3)", ["animate", "--out", "{d}/a.gif"], {"signals": [(3, "TERM")], "repeat": 3}),
    ("B4", "animate MP4 to a full disk", ["animate", "--out", "{s}/a.mp4", "--size", "1280x720"], {"small": 300}),
    ("B5", "animate GIF to a full disk", ["animate", "--out", "{s}/a.gif"], {"small": 300}),
    ("B6", "--source FIFO --autostart", ["--source", "{d}/fifo.jpg", *LIVE], {"signals": BLOCK}),
    ("B7", "bench --image FIFO", ["bench", "--model", "untrained:0.25_128", "--image", "{d}/fifo.jpg",
     "--runs", "2", "--no-roofs"], {"signals": BLOCK}),
    ("B8", "--model FIFO.tflite (live)", ["--source", "{d}/p.jpg", "--model", "{d}/fifo.tflite",
     "--autostart", "--exit-after-frames", "3"], {"signals": BLOCK}),
    ("B9", "--source /dev/zero", ["--source", "/dev/zero", *LIVE], {"signals": BLOCK}),
    ("B10", "bench, SIGINT at 4 s", ["bench", "--model", "untrained:0.25_128", "--runs", "100000",
     "--no-roofs"], {"signals": [(4, "INT")]}),
    ("C1", "--source photo --screenshot", ["--source", "{d}/p.jpg", "--screenshot", "{d}/s.png"], {"signals": HANG}),
    ("C2", "--source photo --model M --screenshot", ["--source", "{d}/p.jpg", "--model",
     "untrained:0.25_128", "--screenshot", "{d}/s.png"], {"signals": HANG}),
    ("C3", "--source garbage.mp4 --screenshot", ["--source", "{d}/garbage.mp4", "--screenshot",
     "{d}/s.png"], {"signals": HANG}),
    ("D1", "animate --fps 0.001 (GIF)", ["animate", "--out", "{d}/f.gif", "--fps", "0.001", "--size", "320x200"], {}),
    ("D2", "animate --fps 0.001 (MP4)", ["animate", "--out", "{d}/f.mp4", "--fps", "0.001", "--size", "320x200"], {}),
    ("D3", "animate, stderr", ["animate", "--out", "{d}/ok.gif", "--size", "320x200"], {}),
    ("D4", "--screenshot to a full disk", ["--screenshot", "{s}/w.png"], {"small": 40}),
    ("D5", "net >&-", ["net"], {"closed": 1}),
    ("D6", "--model '' (live run)", ["--source", "{d}/p.jpg", "--model", "", "--autostart",
     "--exit-after-frames", "3"], {}),
    ("D7", "bench --provider ''", ["bench", "--model", "untrained:0.25_128", "--provider", "", "--runs",
     "1", "--warmup", "0", "--no-roofs"], {}),
    ("D8", "bench --recalibrate --no-roofs", ["bench", "--model", "untrained:0.25_128", "--recalibrate",
     "--no-roofs", "--runs", "1", "--warmup", "0"], {}),
    ("D9", "bench --model X.tflite --alpha 0.5", ["bench", "--model", "{d}/m.tflite", "--alpha", "0.5",
     "--runs", "1", "--warmup", "0", "--no-roofs"], {}),
    ("D10", "folder of unreadable images", ["--source", "{d}/bad", *LIVE], {}),
    ("D11", "--screenshot with a command", ["--screenshot", "{d}/s.png", "cost"], {}),
    ("D12", "plain bench, stderr a terminal", ["bench"], {"tty": True, "timeout": 300}),
]


def setup(d: Path) -> None:
    shutil.copy(DATA / "owl.jpg", d / "p.jpg")
    shutil.copy(DATA / "mobilenet_v1_0.25_128_quant.tflite", d / "m.tflite")
    for name in ("fifo.jpg", "fifo.tflite"):
        os.mkfifo(d / name)
    (d / "garbage.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    (d / "bad").mkdir()
    (d / "bad" / "x.jpg").write_bytes(b"not a jpeg")
    (d / "photos").mkdir()
    shutil.copy(DATA / "parrot.jpg", d / "photos" / "b.png")
    shutil.copy(DATA / "owl.jpg", d / "r.json")
    (d / "notes.onnx").write_text("my notes\n")
    (d / "real.gif").write_bytes(b"GIF89a")
    os.symlink(d / "real.gif", d / "link.gif")
    os.symlink("/nonexistent/dir/r.json", d / "dangling.json")


def snapshot(d: Path) -> dict:
    return {str(p.relative_to(d)): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in d.rglob("*") if not p.is_dir()} if d.is_dir() else {}


def run_case(main: Path, argv: list[str], opt: dict) -> dict:
    base = Path(tempfile.mkdtemp(prefix="hardening-"))
    d, tmp, small = base / "d", base / "tmp", base / "small"
    for p in (d, tmp, small):
        p.mkdir()
    setup(d)
    mounted = False
    if opt.get("small"):
        if os.geteuid() != 0 or not sys.platform.startswith("linux"):
            return {"skipped": "needs root on Linux (tmpfs)"}
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={opt['small']}k", "tmpfs",
                        str(small)], check=True)
        mounted = True
        if opt["small"] < 100:  # nearly full
            (small / "filler").write_bytes(bytes((opt["small"] - 8) * 1024))
    before = snapshot(d)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(TMPDIR=str(tmp), XDG_CACHE_HOME=str(base / "cache"))
    if argv[0].startswith("--") and "--screenshot" not in argv:
        env["QT_QPA_PLATFORM"] = "offscreen"

    def child_setup() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if "umask" in opt:
            os.umask(opt["umask"])
        if "closed" in opt:
            os.close(opt["closed"])

    argv = [a.format(d=d, s=small) for a in argv]
    cmd = [sys.executable, "-X", "faulthandler", str(main), *argv]
    started = time.monotonic()
    out: dict[str, bytes] = {}
    if opt.get("tty"):
        import pty

        master, slave = pty.openpty()
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=d,
                                 preexec_fn=child_setup)
        os.close(slave)
        readers = [threading.Thread(target=_drain_pty, args=(master, out, started), daemon=True)]
    else:
        child = subprocess.Popen(cmd, stdout=None if opt.get("closed") == 1 else subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env, cwd=d, preexec_fn=child_setup)
        readers = [threading.Thread(target=lambda: out.update(err=child.stderr.read()), daemon=True)]
    readers.append(threading.Thread(target=lambda: child.stdout and child.stdout.read(), daemon=True))
    for r in readers:
        r.start()
    pending, sent = list(opt.get("signals", [])), []
    while child.poll() is None:
        elapsed = time.monotonic() - started
        if pending and elapsed >= pending[0][0]:
            name = pending.pop(0)[1]
            child.send_signal(SIGS[name])
            sent.append(f"{name}@{elapsed:.0f}s")
        elif not pending and elapsed > opt.get("timeout", 60):
            child.kill()
            sent.append("KILL(timeout)")
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    for r in readers:
        r.join(5)
    err = out.get("err", b"").decode(errors="replace")
    after = snapshot(d)
    left = sorted(k for k in after if k not in before) + \
        sorted(f"{k} (changed)" for k in after if k in before and after[k] != before[k])
    left += sorted(f"TMPDIR/{p.name}" for p in tmp.iterdir() if p.name != ".ses")  # onnxruntime's id
    if mounted:
        left += sorted(f"{p.name} (full disk)" for p in small.iterdir() if p.name != "filler")
        subprocess.run(["umount", str(small)], check=False)
    shutil.rmtree(base, ignore_errors=True)
    lines = err.count("\r") if opt.get("tty") else err.count("\n") + bool(err and err[-1] != "\n")
    return {"exit": child.returncode, "lines": lines, "left": left, "time_s": round(elapsed, 1),
            "signals": sent, "stderr": err[:300], "first_stderr_s": out.get("first")}


def _drain_pty(master: int, out: dict, started: float) -> None:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out.setdefault("first", round(time.monotonic() - started, 1))
        chunks.append(chunk)
        out["err"] = b"".join(chunks)


def cell(runs: list[dict]) -> str:
    if "skipped" in runs[0]:
        return f"skipped ({runs[0]['skipped']}) | | |"
    exits = ", ".join(f"{e}×{[r['exit'] for r in runs].count(e)}" if len(runs) > 1 else str(e)
                      for e in dict.fromkeys(r["exit"] for r in runs))
    lines = "/".join(str(n) for n in sorted({r["lines"] for r in runs}))
    signals = f" ({', '.join(runs[0]['signals'])})" if runs[0]["signals"] else ""
    return (f"{exits} | {lines} | {', '.join(runs[0]['left']) or '–'} | "
            f"{max(r['time_s'] for r in runs):.1f} s{signals}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--main", type=Path, default=ROOT / "main.py")
    p.add_argument("--json", type=Path)
    p.add_argument("--compare", type=Path, help="a --json file of another checkout")
    p.add_argument("cases", nargs="*")
    args = p.parse_args()
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores, {args.main}")
    results = {}
    for cid, what, argv, opt in CASES:
        if args.cases and cid not in args.cases:
            continue
        results[cid] = [run_case(args.main, argv, opt) for _ in range(opt.get("repeat", 1))]
        print(f"{cid} {what}: {cell(results[cid])} | {results[cid][0].get('stderr', '')[:120]!r}",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.compare:
        before = json.loads(args.compare.read_text())
        print("\n| case | before: exit | lines | left | time | after: exit | lines | left | time |")
        print("|---|---|---|---|---|---|---|---|---|")
        for cid, what, _argv, _opt in CASES:
            if cid in results and cid in before:
                print(f"| {cid} {what} | {cell(before[cid])} | {cell(results[cid])} |")


if __name__ == "__main__":
    main()
