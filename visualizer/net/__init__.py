"""The whole MobileNet V1: spec and costs, checkpoints, ONNX building, inference, timing.

Pure Python/numpy/onnx/onnxruntime: nothing here imports Qt.
"""
