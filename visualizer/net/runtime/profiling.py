"""Read onnxruntime profiles and attribute the optimised graph's nodes to paper layers.

onnxruntime's profiler (SessionOptions.enable_profiling) times every kernel of the real,
optimised graph. The optimiser renames nodes (a Conv fused with its Clip keeps the Conv's
name; the NCHWc transformer names its nodes after their output tensor plus "_nchwc"; the
int8 NHWC transformer appends "_token_<n>") and adds layout nodes (ReorderInput,
ReorderOutput, Transpose). `LayerAttribution` maps each profiled node back to the paper
layer it computes, from the original graph's node and tensor names; layout conversions,
and (de)quantization outside the paper layers (the int8 graph's input), become a
"layout" row; anything else "other".

The profile file holds one JSON event per line; `parse_profile` reads the few fields it
needs with a regular expression (json.loads is several times slower on the long "args"
part) and falls back to json for a line the expression does not match.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING


from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.runtime.results import LayerTiming

if TYPE_CHECKING:
    import onnx

#: onnxruntime operators that only change the memory layout.
LAYOUT_OPS = frozenset({"ReorderInput", "ReorderOutput", "Transpose"})
#: Precision conversions: "layout" too when their name places them in no paper layer.
CONVERSION_OPS = frozenset({"QuantizeLinear", "DequantizeLinear"})
_SUFFIXES = ("_kernel_time", "_nchwc")
_TOKEN = re.compile(r"_token_\d+$")

_EVENT = re.compile(
    r'\{\s*"cat"\s*:\s*"(?P<cat>[^"]*)"\s*,\s*"pid"\s*:\s*-?\d+\s*,\s*"tid"\s*:\s*-?\d+\s*,'
    r'\s*"dur"\s*:\s*(?P<dur>\d+)\s*,\s*"ts"\s*:\s*(?P<ts>\d+)\s*,\s*"ph"\s*:\s*"[^"]*"\s*,'
    r'\s*"name"\s*:\s*"(?P<name>(?:[^"\\]|\\.)*)"')
_OP = re.compile(r'"op_name"\s*:\s*"([^"]*)"')
_PROVIDER = re.compile(r'"provider"\s*:\s*"([^"]*)"')


@dataclass(frozen=True)
class NodeEvent:
    name: str  # node name in the optimised graph (without "_kernel_time")
    op: str
    us: int  # kernel time in microseconds
    provider: str = ""  # the execution provider that ran it (e.g. CPUExecutionProvider)


@dataclass(frozen=True)
class RunProfile:
    wall_us: int  # the "model_run" event: the whole Run call inside onnxruntime
    nodes: tuple[NodeEvent, ...]

    @property
    def kernel_us(self) -> int:
        return sum(n.us for n in self.nodes)


def _event(line: str) -> tuple[str, int, str, str, str] | None:
    """(cat, dur, name, op, provider) of one profile line, or None for lines that are no
    event."""
    m = _EVENT.match(line)
    if m:
        name = m.group("name")
        if "\\" in name:
            name = json.loads(f'"{name}"')
        op = provider = ""
        if m.group("cat") == "Node":
            o = _OP.search(line, m.end())
            op = o.group(1) if o else ""
            p = _PROVIDER.search(line, m.end())
            provider = p.group(1) if p else ""
        return m.group("cat"), int(m.group("dur")), name, op, provider
    text = line.strip().rstrip(",")
    if not text.startswith("{"):
        return None
    e = json.loads(text)
    args = e.get("args") or {}
    return (str(e.get("cat", "")), int(e.get("dur", 0)), str(e.get("name", "")),
            str(args.get("op_name", "")), str(args.get("provider", "")))


def parse_profile(text: str, last: int | None = None) -> list[RunProfile]:
    """The runs recorded in an onnxruntime profile (its JSON text), oldest first.

    Node events are written as they finish and each run closes with its "model_run"
    event, so the nodes between two "model_run" lines belong to the later run. With
    `last`, only the last that many runs are parsed (cheap for a long profile).
    """
    lines = text.splitlines()
    if last is not None:
        ends = [i for i, ln in enumerate(lines) if '"model_run"' in ln]
        if len(ends) > last:
            lines = lines[ends[-last - 1] + 1:]
    runs: list[RunProfile] = []
    nodes: list[NodeEvent] = []
    for line in lines:
        ev = _event(line)
        if ev is None:
            continue
        cat, dur, name, op, provider = ev
        if cat == "Node" and name.endswith("_kernel_time"):
            nodes.append(NodeEvent(name[: -len("_kernel_time")], op, dur, provider))
        elif cat == "Session" and name == "model_run":
            runs.append(RunProfile(dur, tuple(nodes)))
            nodes = []
    return runs


def read_profile(path: str | Path, last: int | None = None) -> list[RunProfile]:
    """The runs of a profile file; with `last`, reads only as much of the file's end as
    those runs need."""
    path = Path(path)
    if last is None:
        return parse_profile(path.read_text(encoding="utf-8"), None)
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        chunk = 1 << 16
        while True:
            start = max(0, size - chunk)
            f.seek(start)
            data = f.read()
            if start > 0:  # drop the partial first line
                data = data[data.find(b"\n") + 1:]
            if start == 0 or data.count(b'"model_run"') > last:
                return parse_profile(data.decode("utf-8"), last)
            chunk *= 4


def _paper_layer(name: str, known: set[str]) -> str | None:
    """The layer named by `name` itself or by its prefix before "/"."""
    for cand in (name, name.split("/", 1)[0]):
        if cand in known:
            return cand
    return None


class LayerAttribution:
    """Maps nodes of the optimised graph to the paper layers of the original graph."""

    def __init__(self, model: onnx.ModelProto, layers: tuple[NetLayer, ...]) -> None:
        self.layers = layers
        self._known = {l.name for l in layers} | {"softmax"}
        self._by_name: dict[str, str] = {}
        for node in model.graph.node:
            layer = _paper_layer(node.name, self._known)
            if layer is None:
                continue
            self._by_name[node.name] = layer
            for out in node.output:  # optimised nodes are often named after an output
                self._by_name.setdefault(out, layer)

    def layer_of(self, node: str, op: str = "") -> str:
        """A paper layer name, "softmax", "layout" (layout conversions, whatever their
        name) or "other"."""
        if op in LAYOUT_OPS:
            return "layout"
        name = _TOKEN.sub("", node)
        while True:
            hit = self._by_name.get(name) or _paper_layer(name, self._known)
            if hit:
                return hit
            for suffix in _SUFFIXES:
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
                    break
            else:
                break
        return "layout" if op in CONVERSION_OPS else "other"

    def timings(self, run: RunProfile) -> tuple[LayerTiming, ...]:
        """One LayerTiming per paper layer (network order), then softmax and layout, and
        "other" only when some node could not be attributed."""
        ms: dict[str, float] = {}
        ran_on: dict[str, list[str]] = {}  # the providers of each row's nodes, in order
        for n in run.nodes:
            key = self.layer_of(n.name, n.op)
            ms[key] = ms.get(key, 0.0) + n.us / 1000.0
            if n.provider and n.provider not in ran_on.setdefault(key, []):
                ran_on[key].append(n.provider)
        # a layer without a node of its own was fused into another provider's node
        fused = bool(run.nodes)
        def on(key: str) -> str:
            return "+".join(ran_on.get(key, ()))

        rows = [LayerTiming(l.name, l.type, l.macs, l.params, ms.get(l.name, 0.0),
                            fused and l.name not in ms, on(l.name))
                for l in self.layers]
        rows.append(LayerTiming("softmax", "softmax", 0, 0, ms.get("softmax", 0.0),
                                provider=on("softmax")))
        rows.append(LayerTiming("layout", "layout", 0, 0, ms.get("layout", 0.0),
                                provider=on("layout")))
        if "other" in ms:
            rows.append(LayerTiming("other", "other", 0, 0, ms["other"], provider=on("other")))
        return tuple(rows)

    def unattributed(self, run: RunProfile) -> list[str]:
        """Names of the nodes that fall into "other"."""
        return [n.name for n in run.nodes if self.layer_of(n.name, n.op) == "other"]
