"""MobileNet Visualizer: why depthwise-separable convolutions are cheap, made visible."""

__version__ = "0.1.0"
