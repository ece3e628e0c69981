"""Weights to ONNX graphs (float32 and int8), one named node per paper layer."""
