"""A MobileNet layer as the Convolution tab's layer: "Open in Convolution tab".

The tab packages do not import each other: the Network tab emits the layer's dimensions
as plain numbers and the window shell hands them to the Convolution tab.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton

from visualizer.net.model.mobilenet import NetLayer, NetSpec

#: Layer types that are convolutions (the FC layer is a 1×1 convolution of a 1×1 input).
CONV_TYPES = ("conv", "depthwise", "pointwise", "fc")


def conv_dims(layer: NetLayer | None) -> dict[str, int] | None:
    """The layer's input H, W, C_in, kernel, filters, stride, padding and groups, or None
    for a layer that is not a convolution (pooling). TensorFlow's "SAME" padding of a
    3×3 kernel is one ring on each side here: the same output size and multiply count
    (TF puts the single ring of a stride-2 layer at the bottom and right only)."""
    if layer is None or layer.type not in CONV_TYPES:
        return None
    h, w, c = layer.input_shape
    return dict(height=h, width=w, channels=c, kernel=layer.kernel,
                filters=layer.output_shape[2], stride=layer.stride,
                padding=(layer.kernel - 1) // 2, groups=layer.groups)


def describe(layer: NetLayer, spec: NetSpec) -> str:
    """'dw3 of MobileNet V1 1.0-224 (depthwise, 401,408 … mult-adds)'."""
    return (f"{layer.name} of MobileNet V1 {float(spec.alpha)}-{spec.resolution} ({layer.type}, "
            f"{layer.macs:,} mult-adds)")


def add_open_button(tab, column) -> QPushButton:
    """"Open in Convolution tab" under the Network tab's layer table (and in the table's
    context menu): emits the tab's `open_in_convolution(dims, name)` for the selected
    layer; disabled for a layer that is not a convolution."""
    button = QPushButton("Open in Convolution tab")
    button.setToolTip("Load the selected layer's real dimensions into the Convolution tab: "
                      "its exact multiplication counts, and its steps animated on a window "
                      "of it")

    def selected() -> NetLayer | None:
        return tab.layer_view.current_layer()

    def open_selected() -> None:
        layer = selected()
        dims = conv_dims(layer)
        if dims is not None:
            tab.open_in_convolution.emit(dims, describe(layer, tab.spec))

    button.clicked.connect(open_selected)
    action = QAction("Open in Convolution tab", tab.layer_view)
    action.triggered.connect(open_selected)
    tab.layer_view.addAction(action)
    tab.layer_view.setContextMenuPolicy(Qt.ActionsContextMenu)
    tab.layer_view.selectionModel().currentRowChanged.connect(
        lambda *_: button.setEnabled(conv_dims(selected()) is not None))
    column.addWidget(button)
    return button
