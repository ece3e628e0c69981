"""Running a graph: onnxruntime sessions and providers, preprocessing, the runner with
per-layer timing from onnxruntime's profiler, probes, and the immutable results."""
