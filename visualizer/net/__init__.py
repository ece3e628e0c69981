"""The whole MobileNet V1, in rooms from the paper up: model/ (spec and costs), checkpoints/
(weights in), graph/ (ONNX), models.py (from what the user typed to a graph), runtime/
(inference and its timing) and analysis/ (what the measurements mean).

Pure Python/numpy/onnx/onnxruntime: nothing here imports Qt.
"""
