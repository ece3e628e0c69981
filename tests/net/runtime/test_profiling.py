"""read_profile's tail reader on profiles larger than the chunk it starts from.

Real profiles of one run are small (a few kB), so the tail reader's growing chunks and its
first partial line are reached only by long runs; these synthetic profiles, in
onnxruntime's one-event-per-line layout, put the chunk boundary at every byte of a line.
"""
from __future__ import annotations

import pytest

from visualizer.net.runtime.profiling import NodeEvent, RunProfile, parse_profile, read_profile

CHUNK = 1 << 16  # the size read_profile starts from (its first read of the file's end)


def node_line(name: str, op: str, dur: int, ts: int) -> str:
    return (f'{{"cat" : "Node","pid" :7,"tid" :7,"dur" :{dur},"ts" :{ts},"ph" : "X",'
            f'"name" :"{name}_kernel_time","args" : {{"op_name" : "{op}",'
            f'"provider" : "CPUExecutionProvider"}}}},')


def run_line(dur: int, ts: int, pad: int = 0) -> str:
    args = f'"note" : "{"x" * pad}"' if pad else ""
    return (f'{{"cat" : "Session","pid" :7,"tid" :7,"dur" :{dur},"ts" :{ts},"ph" : "X",'
            f'"name" :"model_run","args" : {{{args}}}}},')


def profile(sizes: list[int], pad: int) -> tuple[str, list[RunProfile]]:
    """A profile of runs with `sizes` node events each (and what they hold); `pad` bytes
    in the last event move the chunk boundary (counted from the end) through the lines."""
    lines = ['[', '{"cat" : "Session","pid" :7,"tid" :7,"dur" :900,"ts" :1,"ph" : "X",'
             '"name" :"model_loading_uri","args" : {}},']
    runs, ts = [], 1000
    for r, n in enumerate(sizes):
        # node names are the model's own: not always ASCII (UTF-8 in the file)
        nodes = tuple(NodeEvent(f"pw{i % 13 + 1}_nchwc/卷积{r}·{i}", "Conv",
                                10 + (i * 7 + r) % 90, "CPUExecutionProvider")
                      for i in range(n))
        for e in nodes:
            lines.append(node_line(e.name, e.op, e.us, ts))
            ts += e.us
        runs.append(RunProfile(5000 + r, nodes))
        lines.append(run_line(5000 + r, ts, pad if r == len(sizes) - 1 else 0))
    lines[-1] = lines[-1].rstrip(",")
    lines.append("]")
    return "\n".join(lines) + "\n", runs


def write(tmp_path, sizes: list[int], pad: int) -> tuple[bytes, list[RunProfile]]:
    text, runs = profile(sizes, pad)
    data = text.encode()
    (tmp_path / "profile.json").write_bytes(data)
    return data, runs


def offset_in_line(data: bytes, position: int) -> int:
    return position - (data.rfind(b"\n", 0, position) + 1)


def test_first_chunk_starts_inside_an_event_at_every_byte_of_it(tmp_path):
    """The file is larger than the first chunk, whose start falls inside an event line:
    that partial line must be left out, wherever it is cut (inside a multi-byte
    character of a name, at the args' brace, at the newline...), and the last runs come
    back whole."""
    sizes, path = [500, 40, 60], tmp_path / "profile.json"
    data, runs = write(tmp_path, sizes, 0)
    assert len(data) > CHUNK and parse_profile(data.decode()) == runs  # as made
    cut = len(data) - CHUNK
    line = data.index(b"\n", cut) + 1 - (data.rfind(b"\n", 0, cut) + 1)  # cut line's length
    offsets = set()
    for pad in range(line + 1):  # each byte of padding moves the chunk start one back
        data, runs = write(tmp_path, sizes, pad)
        offsets.add(offset_in_line(data, len(data) - CHUNK))
        assert read_profile(path, last=2) == runs[-2:], pad
    assert 0 in offsets and len(offsets) >= line  # every byte of a line, its start too


@pytest.mark.parametrize("pad", [0, 1, 50, 100])
def test_a_run_longer_than_the_first_chunk_comes_back_whole(tmp_path, pad):
    """The last run alone is longer than the first chunk: the reader must read further
    back (to the end of the run before) instead of returning the run's tail."""
    data, runs = write(tmp_path, [100, 200, 480], pad)
    run_bytes = len(b"".join(data.splitlines(True)[-482:-1]))
    assert run_bytes > CHUNK
    assert read_profile(tmp_path / "profile.json", last=1) == runs[-1:]
    assert read_profile(tmp_path / "profile.json", last=2) == runs[-2:]


def test_tail_reader_reads_a_short_profile_whole(tmp_path):
    text, runs = profile([3, 4], 0)
    path = tmp_path / "small.json"
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < CHUNK
    assert read_profile(path, last=1) == runs[-1:]
    assert read_profile(path, last=5) == runs
    assert read_profile(path) == runs
