"""The graphs that measure this machine's roofs, and timing one run of each.

- compute roof, float32 (GMAC/s): a chain of large 1×1 convolutions (the pointwise
  layers' kernel), optimised as the network is (ORT_ENABLE_ALL), so the same GEMM runs;
- compute roofs, int8 (GMAC/s): the same as QLinearConv on uint8 activations, once with
  uint8 weights (the official `_quant` checkpoints: onnxruntime's u8×u8 kernel) and once
  with int8 weights (its u8×s8 kernel, which dot-product instructions speed up most);
- memory roof (GB/s): a chain of element-wise Relu nodes over a tensor many times larger
  than any CPU cache, counting each node's input and output once (the convention of
  roofline.py);
- in-cache roof (GB/s): the same over ~1 MB tensors, the size of MobileNet's activations,
  which stay in the L2/L3 cache from one layer to the next.

A `Bench` is anything with `work` (mult-adds or bytes per run) and `run() -> seconds`;
roofs.py times them, and tests give it benches of a made-up machine.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from visualizer.net.runtime.sessions import PROVIDERS, session_options

#: roof name -> what it times (progress text); the compute roofs are in GMAC/s, the
#: others in GB/s
STAGES = {"compute": "compute roof, float32: 1×1 convolutions",
          "int8_compute": "compute roof, int8: 1×1 QLinearConv, uint8 weights",
          "int8_s8_compute": "compute roof, int8: 1×1 QLinearConv, int8 weights",
          "memory": "memory roof: streaming Relu",
          "cache": "in-cache roof: Relu on cache-sized tensors"}


@dataclass(frozen=True)
class CalibrationSize:
    name: str
    conv_channels: int  # C_in = C_out of each 1×1 convolution
    conv_hw: int  # its height = width
    conv_nodes: int
    stream_elements: int  # float32 elements of the out-of-cache tensor
    stream_nodes: int
    cache_elements: int  # … of the in-cache tensor
    cache_nodes: int
    seconds: float  # timing budget of each roof in one pass (over its rounds)


#: ~0.2 G mult-adds per run (short runs: more chances to catch the cores idle); 128 MB read and
#: written by one node (several times a 32 MB last-level cache);
#: 1 MB in cache (a 28×28×256 float activation is 0.8 MB).
DEFAULT_SIZE = CalibrationSize("default", 512, 28, 1, 32 << 20, 1, 256 << 10, 32, 0.08)
#: For tests: milliseconds, meaningless as figures.
TINY_SIZE = CalibrationSize("tiny", 16, 8, 2, 1 << 14, 2, 1 << 10, 4, 0.001)


@dataclass(frozen=True)
class Graph:
    onnx: bytes
    shape: tuple[int, ...]
    dtype: type  # numpy type of the input
    work: int  # mult-adds or bytes per run


def _model(nodes: list, shape: list[int], out: str, inits: list,
           elem: int = 1) -> bytes:  # 1: TensorProto.FLOAT
    from onnx import helper

    graph = helper.make_graph(
        nodes, "roof", [helper.make_tensor_value_info("x", elem, shape)],
        [helper.make_tensor_value_info(out, elem, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def conv_chain(channels: int, hw: int, nodes: int) -> tuple[bytes, tuple[int, ...], int]:
    """(ONNX bytes, input shape, mult-adds per run) of `nodes` 1×1 convolutions."""
    from onnx import helper, numpy_helper

    rng = np.random.default_rng(0)
    inits, graph_nodes, x = [], [], "x"
    for i in range(nodes):
        w = rng.standard_normal((channels, channels, 1, 1)).astype(np.float32)
        w *= np.float32(1 / channels ** 0.5)  # keeps values of order 1 along the chain
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        graph_nodes.append(helper.make_node("Conv", [x, f"w{i}"], [f"y{i}"], name=f"conv{i}"))
        x = f"y{i}"
    shape = [1, channels, hw, hw]
    return _model(graph_nodes, shape, x, inits), tuple(shape), nodes * hw * hw * channels ** 2


def qlinear_conv_chain(channels: int, hw: int, nodes: int,
                       signed_weights: bool) -> tuple[bytes, tuple[int, ...], int]:
    """(ONNX bytes, input shape, mult-adds per run) of `nodes` 1×1 QLinearConv on uint8
    activations with uint8 or int8 weights and int32 biases (as the int8 graph's)."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    wtype = np.int8 if signed_weights else np.uint8
    inits = [numpy_helper.from_array(np.array(0.05, np.float32), "scale"),
             numpy_helper.from_array(np.array(128, np.uint8), "zero"),
             numpy_helper.from_array(np.array(0.002, np.float32), "w_scale"),
             numpy_helper.from_array(np.array(0 if signed_weights else 128, wtype), "w_zero")]
    graph_nodes, x = [], "x"
    lo, hi = (-127, 128) if signed_weights else (0, 256)
    for i in range(nodes):
        w = rng.integers(lo, hi, (channels, channels, 1, 1)).astype(wtype)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        inits.append(numpy_helper.from_array(
            rng.integers(-1000, 1000, channels).astype(np.int32), f"b{i}"))
        graph_nodes.append(helper.make_node(
            "QLinearConv", [x, "scale", "zero", f"w{i}", "w_scale", "w_zero", "scale", "zero",
                            f"b{i}"], [f"y{i}"], name=f"qconv{i}"))
        x = f"y{i}"
    shape = [1, channels, hw, hw]
    return (_model(graph_nodes, shape, x, inits, TensorProto.UINT8), tuple(shape),
            nodes * hw * hw * channels ** 2)


def relu_chain(elements: int, nodes: int) -> tuple[bytes, tuple[int, ...], int]:
    """(ONNX bytes, input shape, bytes moved per run) of `nodes` element-wise Relu nodes."""
    from onnx import helper

    graph_nodes, x = [], "x"
    for i in range(nodes):
        graph_nodes.append(helper.make_node("Relu", [x], [f"y{i}"], name=f"relu{i}"))
        x = f"y{i}"
    return (_model(graph_nodes, [elements], x, []), (elements,),
            nodes * 2 * elements * 4)


def calibration_graphs(size: CalibrationSize) -> dict[str, Graph]:
    """The graph of each roof (STAGES order)."""
    c, hw, n = size.conv_channels, size.conv_hw, size.conv_nodes
    conv = conv_chain(c, hw, n)
    q_u8 = qlinear_conv_chain(c, hw, n, signed_weights=False)
    q_s8 = qlinear_conv_chain(c, hw, n, signed_weights=True)
    memory = relu_chain(size.stream_elements, size.stream_nodes)
    cache = relu_chain(size.cache_elements, size.cache_nodes)
    return {"compute": Graph(conv[0], conv[1], np.float32, conv[2]),
            "int8_compute": Graph(q_u8[0], q_u8[1], np.uint8, q_u8[2]),
            "int8_s8_compute": Graph(q_s8[0], q_s8[1], np.uint8, q_s8[2]),
            "memory": Graph(memory[0], memory[1], np.float32, memory[2]),
            "cache": Graph(cache[0], cache[1], np.float32, cache[2])}


class Bench(Protocol):
    work: float  # mult-adds or bytes per run

    def run(self) -> float:
        """Run once; the seconds it took."""


class OrtBench:
    """One calibration graph in its onnxruntime session."""

    def __init__(self, graph: Graph, threads: int | None) -> None:
        import onnxruntime as ort

        o = session_options(threads, spin=True)
        o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(graph.onnx, o, providers=PROVIDERS)
        self.out = self.session.get_outputs()[0].name
        # the values do not change the speed of these kernels (no zeros, no denormals)
        fill = 0.5 if graph.dtype == np.float32 else 100
        self.feed = {"x": np.full(graph.shape, fill, graph.dtype)}
        self.work = graph.work
        self.session.run([self.out], self.feed)  # warm-up: allocations, page faults

    def run(self) -> float:
        t = time.perf_counter()
        self.session.run([self.out], self.feed)
        return time.perf_counter() - t


#: (graph, threads) -> Bench
BenchFactory = Callable[[Graph, "int | None"], Bench]
