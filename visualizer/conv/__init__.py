"""One convolution layer, pure numpy: geometry, costs, step sequences, reference results.

Nothing here imports Qt; the UI and the `cost` command both read their numbers from here.
"""
from visualizer.conv.layer import LayerError, LayerSpec
from visualizer.conv.costs import ConvCosts, conv_costs

__all__ = ["LayerError", "LayerSpec", "ConvCosts", "conv_costs"]
