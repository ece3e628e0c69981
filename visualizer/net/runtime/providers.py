"""Which execution providers can run MobileNet here, found by trying, and what ran where.

An onnxruntime build lists providers it was compiled with, not ones that work on this
machine: a GPU build lists CUDA without a GPU (the session then falls back to the CPU),
and the Azure provider, present in standard builds, runs remote endpoints, none of a
local network's operators. So each provider is probed once per process: a session of a
small graph with MobileNet's operators (3×3 and depthwise convolutions, a 1×1
convolution, Clip, GlobalAveragePool, Gemm, Softmax) on [provider, CPU], run once with
profiling, whose profile says which provider ran each node. A provider is usable when its
session starts, keeps it, and it runs at least one of those nodes.

`ran_on` says, from a timed frame, where the layers actually ran and whether the chosen
provider fell back to the CPU.
"""
from __future__ import annotations

import os
import tempfile
import threading
import warnings
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from visualizer.net.runtime.profiling import read_profile
from visualizer.net.runtime.sessions import CPU, available_providers, session_options


@dataclass(frozen=True)
class ProviderCheck:
    name: str
    usable: bool
    reason: str  # why it is not usable ("" when it is)
    session_providers: tuple[str, ...] = ()  # what its probe session kept
    nodes: int = 0  # probe nodes it ran (of all of them)
    of: int = 0


def short_name(provider: str) -> str:
    return provider.removesuffix("ExecutionProvider") or provider


def probe_graph() -> bytes:
    """A few nodes of each operator MobileNet V1 (float) runs."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)

    def w(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    inits = [w("w1", 8, 3, 3, 3), w("w2", 8, 1, 3, 3), w("w3", 16, 8, 1, 1),
             w("fc_w", 10, 16), w("fc_b", 10),
             numpy_helper.from_array(np.array(0, np.float32), "lo"),
             numpy_helper.from_array(np.array(6, np.float32), "hi")]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", strides=[2, 2],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], name="dw1", group=8,
                              pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["c2", "lo", "hi"], ["r2"], name="relu2"),
             helper.make_node("Conv", ["r2", "w3"], ["c3"], name="pw1"),
             helper.make_node("GlobalAveragePool", ["c3"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["g"], name="fc", transB=1),
             helper.make_node("Softmax", ["g"], ["probs"], name="softmax", axis=1)]
    graph = helper.make_graph(
        nodes, "probe", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def check_provider(name: str) -> ProviderCheck:
    """Try `name` now (a fraction of a second; a GPU provider's first start can take
    seconds): see the module's docstring."""
    import onnxruntime as ort

    if name == CPU:
        return ProviderCheck(CPU, True, "", (CPU,))
    folder = tempfile.mkdtemp(prefix="provider-probe-")
    try:
        o = session_options(1, spin=False)
        o.enable_profiling = True
        o.profile_file_prefix = os.path.join(folder, "probe")
        try:
            with warnings.catch_warnings():  # "not in available provider names": said below
                warnings.simplefilter("ignore")
                session = ort.InferenceSession(probe_graph(), o, providers=[name, CPU])
            kept = tuple(session.get_providers())
            session.run(None, {"x": np.ones((1, 3, 16, 16), np.float32)})
            runs = read_profile(session.end_profiling())
        except Exception as e:  # onnxruntime's errors name the missing library or device
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            return ProviderCheck(name, False, f"cannot start a session here: {first[:160]}")
    finally:
        for f in os.listdir(folder):
            try:
                os.remove(os.path.join(folder, f))
            except OSError:
                pass
        try:
            os.rmdir(folder)
        except OSError:
            pass
    nodes = runs[-1].nodes if runs else ()
    ran = sum(n.provider == name for n in nodes)
    if name not in kept:
        return ProviderCheck(name, False, "onnxruntime could not start it here and fell "
                             "back to the CPU", kept, 0, len(nodes))
    if ran == 0:
        return ProviderCheck(name, False, "runs none of MobileNet's operators here (Conv, "
                             "Gemm, Softmax…): every layer would run on the CPU", kept, 0,
                             len(nodes))
    return ProviderCheck(name, True, "", kept, ran, len(nodes))


_lock = threading.Lock()
_checks: dict[str, ProviderCheck] = {}


def checked(name: str) -> ProviderCheck | None:
    """The probe's answer for `name` if it has been probed in this process."""
    with _lock:
        return _checks.get(name)


def check_providers(names: Iterable[str] | None = None) -> dict[str, ProviderCheck]:
    """Probe each provider once per process (the CPU needs none); `names`: those of this
    onnxruntime build by default."""
    out = {}
    for name in (available_providers() if names is None else names):
        hit = checked(name)
        if hit is None:
            hit = check_provider(name)
            with _lock:
                _checks[name] = hit
        out[name] = hit
    return out


def forget_checks() -> None:
    """Probe again next time (tests; a driver installed meanwhile)."""
    with _lock:
        _checks.clear()


@dataclass(frozen=True)
class RanOn:
    text: str  # e.g. "on CPU" or "on CPU: CUDA fell back to the CPU"
    fell_back: bool  # the chosen provider ran nothing
    by_layer: dict[str, str]  # paper layer -> provider(s) that ran it


def ran_on(chosen: str, session_providers: tuple[str, ...],
           layer_providers: Mapping[str, str]) -> RanOn:
    """Where a timed frame ran: the session's providers and, per layer, the provider the
    profile names. The chosen provider fell back when the session dropped it or, once
    layers were timed, it ran none of them."""
    used = [p for p in dict.fromkeys("+".join(layer_providers.values()).split("+")) if p]
    shown = used or [p for p in session_providers if p == CPU or p == chosen][:1] or \
        list(session_providers[:1])
    text = "on " + " + ".join(short_name(p) for p in shown)
    fell_back = chosen != CPU and (chosen not in session_providers
                                   or (bool(layer_providers) and chosen not in used))
    if fell_back:
        text += f": {short_name(chosen)} fell back to the CPU"
    elif len(used) > 1:
        elsewhere = [n for n, p in layer_providers.items() if chosen not in p.split("+")]
        if elsewhere:
            text += (f" ({len(elsewhere)} layer{'s' if len(elsewhere) != 1 else ''} on the "
                     f"CPU: {', '.join(elsewhere[:4])}{'…' if len(elsewhere) > 4 else ''})")
    return RanOn(text, fell_back, dict(layer_providers))
