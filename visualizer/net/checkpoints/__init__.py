"""Weights in: official checkpoint names, downloads and labels, TFLite reading (float and
quantized), and untrained weights of any shape."""
