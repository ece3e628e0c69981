"""Inference with onnxruntime on the CPU, with per-layer times of the real optimised graph.

Per-layer timing uses onnxruntime's own profiler, because splitting the network into one
session per layer adds layout conversions and makes it 1.6-1.8× slower, distorting what
it measures. Profiling costs time on every profiled run, and a session's profile cannot
be restarted from Python once end_profiling() has written it (onnxruntime's per-run
profiling option is not exposed to Python). So a `Runner` keeps two sessions of the same
optimised graph: a plain one for ordinary frames and a fresh profiled one that runs one
frame in every `profile_every` (every frame for the first `dense` timed frames, so that
a run's first figures rest on several frames, see `profile_due`). The timed run comes
right after an untimed run of the same input on the profiled session, so it runs as warm
as a plain frame (its weights in cache, its threads awake); a fresh session's weights,
unused since it was made, would otherwise make it run cold. After that frame it ends the
profile, reads that run's node times and prepares the next profiled session.
The profiler itself still costs time (a few µs a node): `timing_stats` accounts for it.
Fresh sessions are cheap: the graph is optimised once and saved in ORT format; later
sessions load that with optimisation off.
The profiled frame carries its own per-layer times; the frames in between carry none
(`InferenceResult.layers == ()`), so views keep the last times they got.
With keep_history (benchmarks) every frame runs profiled and all runs are kept.

Spinning and the session options: see sessions.py. Feature maps and the plain latency
measurement are in probes.py.
"""
from __future__ import annotations

import math
import os
import shutil
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Sequence

import numpy as np
import onnx
import onnxruntime as ort

from visualizer.net.runtime.cam import class_activation_map, dequantized, fc_weights, normalised
from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.graph.onnx_files import add_features_output
from visualizer.net.runtime.preprocess import preprocess
from visualizer.net.runtime.profile_dirs import make_profile_dir
from visualizer.net.runtime.profiling import LayerAttribution, RunProfile, read_profile
from visualizer.net.runtime.results import InferenceResult, LayerTiming, Prediction
from visualizer.net.runtime.sessions import enter_live, leave_live, providers, session_options

if TYPE_CHECKING:
    from visualizer.net.models import LoadedModel


#: Share of the plain inference time that per-layer timing (the profiled run's extra
#: time, ending the profile, a fresh session) may take when profile_every is automatic.
FLUSH_BUDGET = 0.05
MIN_PROFILE_EVERY, MAX_PROFILE_EVERY = 4, 500
#: recent profile ends + session swaps whose mean sets the automatic rate
FLUSHES_KEPT = 16
#: timed frames at the start of a run that are profiled back to back (one per frame)
DENSE_FRAMES = 10


def profile_due(since: int, timed: int, every: int, dense: int) -> bool:
    """Whether a frame, the `since`-th since the last timed one, is timed, after `timed`
    timed frames: every frame while timed < dense, then one in `every`."""
    return since >= (1 if timed < dense else every)


def automatic_profile_every(flush_ms: float, profiled_ms: Sequence[float],
                            plain_ms: Sequence[float]) -> int:
    """Frames per profiled frame so that per-layer timing costs about FLUSH_BUDGET of the
    inference time: each cycle of `every` frames pays one flush (`flush_ms`) plus what
    the profiled runs took beyond plain ones (their mean: `plain_ms`, else `profiled_ms`)."""
    base = plain_ms or profiled_ms
    mean = sum(base) / len(base)
    extra = sum(profiled_ms) - mean * len(profiled_ms)
    every = math.ceil((flush_ms + max(extra, 0.0)) / (FLUSH_BUDGET * mean))
    return max(MIN_PROFILE_EVERY, min(MAX_PROFILE_EVERY, every))


def _top5(probs: np.ndarray, model: "LoadedModel") -> tuple[Prediction, ...]:
    p = np.asarray(probs, np.float64).reshape(-1)
    k = min(5, p.size)
    idx = np.argpartition(-p, k - 1)[:k]
    idx = idx[np.argsort(-p[idx], kind="stable")]
    return tuple(Prediction(model.label(int(i)), int(i), float(p[i])) for i in idx)


class Runner:
    """Runs one model on frames; `infer` is meant for one worker thread and never
    touches Qt.

    per_layer: per-layer times on one frame in every `profile_every` (None: chosen so
    that profiling and session swaps cost about FLUSH_BUDGET of the inference time),
    after `dense` timed frames profiled one per frame;
    keep_history: profile every frame and keep every run in `history` (benchmarks);
    spin: None = decide from the number of live runners;
    cam: each `infer` result carries the top class's activation map (net/cam.py).
    """

    def __init__(self, model: "LoadedModel", threads: int | None = None,
                 per_layer: bool = True, *, profile_every: int | None = None,
                 keep_history: bool = False, spin: bool | None = None,
                 cam: bool = False, dense: int = DENSE_FRAMES) -> None:
        self.model = model
        self.layers: tuple[NetLayer, ...] = model.spec.layers
        self.threads = threads
        self.per_layer = per_layer or keep_history
        self.keep_history = keep_history
        #: (wall ms of the run call, its profile, its per-layer times), oldest first
        self.history: list[tuple[float, RunProfile, tuple[LayerTiming, ...]]] = []
        #: wall time of the latest profile ends + session swaps (ms)
        self.flush_ms: deque[float] = deque(maxlen=FLUSHES_KEPT)
        self._fixed_every = profile_every
        self.profile_every = profile_every or 30
        self.dense = 0 if keep_history else dense
        self.timed_frames = 0  # frames whose per-layer times were returned
        self._lock = threading.Lock()
        self._closed = True  # until the sessions exist
        proto = onnx.load_from_string(model.onnx_bytes)
        self._attribution = LayerAttribution(proto, self.layers)
        # cam: the last feature map is a second output; infer() maps the top class with it
        self._onnx_bytes, self._fetch, self._fc = model.onnx_bytes, ["probs"], None
        self._features: np.ndarray | None = None
        self._providers = providers()  # fixed for the runner's life (sessions alike)
        self._dequant = None
        if cam:
            with_features, name, self._dequant = add_features_output(proto)
            self._onnx_bytes, self._fetch = with_features.SerializeToString(), ["probs", name]
            self._fc = fc_weights(proto)
        others = enter_live()
        self._closed = False
        self._spin = (others == 0) if spin is None else spin
        self._dir = make_profile_dir()
        self._walls: list[float] = []  # profiled runs since the last flush
        self._plain_ms: list[float] = []  # recent plain runs (for choosing profile_every)
        self._since = 0  # frames since the last profiled one
        self._profiled: ort.InferenceSession | None = None
        try:
            self._ort_bytes, self._plain = self._first_session()
            #: what the session actually runs on (a provider that failed to start is absent)
            self.session_providers = tuple(self._plain.get_providers())
            if self.per_layer:
                self._profiled = self._new_session(profiled=True)
        except Exception:
            self.close()
            raise

    # sessions -----------------------------------------------------------------
    def _options(self, profiled: bool) -> ort.SessionOptions:
        o = session_options(self.threads, self._spin)
        if profiled:
            o.enable_profiling = True
            o.profile_file_prefix = str(self._dir / "profile")
        return o

    def _first_session(self) -> tuple[bytes | None, ort.InferenceSession]:
        """The plain session; it optimises the graph once and saves it in ORT format."""
        o = self._options(False)
        o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        saved = self._dir / "optimised.ort"
        o.optimized_model_filepath = str(saved)
        o.add_session_config_entry("session.save_model_format", "ORT")
        session = ort.InferenceSession(self._onnx_bytes, o, providers=self._providers)
        try:
            data = saved.read_bytes()
            saved.unlink()
        except OSError:
            data = None
        return data, session

    def _new_session(self, profiled: bool) -> ort.InferenceSession:
        o = self._options(profiled)
        if self._ort_bytes is None:
            o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = ort.InferenceSession(self._onnx_bytes, o, providers=self._providers)
        else:
            o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            o.add_session_config_entry("session.load_model_format", "ORT")
            o.add_session_config_entry("session.use_ort_model_bytes_directly", "1")
            session = ort.InferenceSession(self._ort_bytes, o, providers=self._providers)
        r = self.model.spec.resolution
        session.run(["probs"], {"input": np.zeros((1, 3, r, r), np.float32)})  # warm-up
        return session

    # inference ----------------------------------------------------------------
    def preprocess(self, frame_rgb: np.ndarray) -> np.ndarray:
        m = self.model
        return preprocess(frame_rgb, m.spec.resolution, m.input_mean, m.input_std)

    def infer(self, frame_rgb: np.ndarray, frame_id: int = 0) -> InferenceResult:
        """Top-5 (and, on profiled frames, per-layer times) of one RGB frame.
        Raises preprocess.PreprocessError for a bad frame."""
        t0 = time.perf_counter()
        x = self.preprocess(frame_rgb)
        pre_ms = (time.perf_counter() - t0) * 1e3
        probs, total_ms, layers = self.infer_tensor(x)
        top5 = _top5(probs, self.model)
        cam = None
        if self._fc is not None and self._features is not None and top5:
            features = dequantized(self._features, self._dequant)
            cam = normalised(class_activation_map(features, self._fc, top5[0].index))
        return InferenceResult(top5, total_ms, pre_ms, layers, self.model.trained, frame_id,
                               cam, model=self.model, providers=self.session_providers)

    def infer_tensor(self, x: np.ndarray) -> tuple[np.ndarray, float, tuple[LayerTiming, ...]]:
        """(probs [classes], wall ms of the run, per-layer times or ()) of a ready input."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the runner is closed")
            self._since += 1
            due = self._profiled is not None and profile_due(
                self._since, self.timed_frames, self.profile_every, self.dense)
            profiled = due or (self._profiled is not None and self.keep_history)
            session = self._profiled if profiled else self._plain
            warm_ms = 0.0
            if due and not self.keep_history:
                # the same input once more, untimed, right before the timed run: the
                # profiled session's own weights in cache and its threads awake, as warm
                # as the plain session's frames (its profile keeps only the last run)
                t = time.perf_counter()
                session.run(self._fetch, {"input": x})
                warm_ms = (time.perf_counter() - t) * 1e3
            t = time.perf_counter()
            outs = session.run(self._fetch, {"input": x})
            ms = (time.perf_counter() - t) * 1e3
            probs = outs[0]
            self._features = outs[1] if len(outs) > 1 else None
            layers: tuple[LayerTiming, ...] = ()
            if not profiled:
                self._plain_ms = self._plain_ms[-63:] + [ms]
            else:
                self._walls.append(ms)
                if due:
                    layers = self._flush(warm_ms)
            return probs[0], ms, layers

    def _flush(self, warm_ms: float = 0.0) -> tuple[LayerTiming, ...]:
        """End the profile, read it, prepare a fresh profiled session. `warm_ms`: the
        warm-up run before the timed one, counted in the cost of timing."""
        t = time.perf_counter()
        walls, self._walls, self._since = self._walls, [], 0
        assert self._profiled is not None
        path = self._profiled.end_profiling()
        self._profiled = None
        try:
            runs = read_profile(path, last=None if self.keep_history else 1)
        finally:
            try:
                os.remove(path)
            except OSError:
                pass
        layers = self._attribution.timings(runs[-1]) if runs else ()
        self.timed_frames += bool(layers)
        if self.keep_history and walls:
            # the profile starts with the session's warm-up run
            for wall, run in zip(walls, runs[-len(walls):]):
                self.history.append((wall, run, self._attribution.timings(run)))
        self._profiled = self._new_session(profiled=True)
        flush = (time.perf_counter() - t) * 1e3 + warm_ms
        self.flush_ms.append(flush)
        if self._fixed_every is None and not self.keep_history:
            # the mean of the recent flushes: they vary several-fold from one to the next
            recent = sum(self.flush_ms) / len(self.flush_ms)
            self.profile_every = automatic_profile_every(recent, walls, self._plain_ms)
        return layers

    def flush(self) -> tuple[LayerTiming, ...]:
        """End the current profile now (benchmarks); () when nothing was profiled."""
        with self._lock:
            if self._closed or self._profiled is None or not self._walls:
                return ()
            return self._flush()

    def unattributed(self, run: RunProfile) -> list[str]:
        """Profiled nodes of `run` that no paper layer, softmax or layout explains."""
        return self._attribution.unattributed(run)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._lock:
            self._profiled = None
            self.__dict__.pop("_plain", None)
        shutil.rmtree(self._dir, ignore_errors=True)
        leave_live()

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
