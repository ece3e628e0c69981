"""'Open in Convolution tab': a MobileNet layer's real dimensions in the Convolution tab."""
from __future__ import annotations

import pytest

from visualizer.conv.costs import conv_costs
from visualizer.conv.example import MAX_EXAMPLE_VALUES, example_values
from visualizer.conv.layer import LayerSpec
from visualizer.net.model.mobilenet import NetSpec
from visualizer.ui.network.open_layer import conv_dims


@pytest.mark.parametrize("net", [NetSpec(), NetSpec(0.25, 128), NetSpec(0.75, 160)])
def test_every_convolution_layer_has_its_shapes_and_exact_counts(net):
    for layer in net.layers:
        dims = conv_dims(layer)
        if layer.type == "pool":
            assert dims is None
            continue
        spec = LayerSpec(**dims)
        assert (spec.height, spec.width, spec.channels) == layer.input_shape
        assert spec.output_shape == layer.output_shape  # "SAME" padding, one ring
        assert conv_costs(spec).grouped == layer.macs  # the layer as played
        assert example_values(spec) <= MAX_EXAMPLE_VALUES  # the tab can hold it


def test_open_dw3_in_the_convolution_tab(qtbot):
    from visualizer.ui.main_window import MainWindow

    window = MainWindow(first_tab="network")
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    network, conv = window.page("network"), window.page("convolution")
    network.select_layer("dw3")
    layer = network.selected_layer()
    assert layer.input_shape == (56, 56, 128) and network.open_conv.isEnabled()
    network.open_conv.click()
    assert window.tabs.currentWidget() is conv
    ex = conv.explorer
    assert ex.spec.output_shape == layer.output_shape and ex.spec.groups == 128
    t = ex.tally()
    assert t.standard_total == layer.macs == 3 * 3 * 128 * 56 * 56  # the exact count
    assert "dw3 of MobileNet V1 1.0-224" in conv.message.text()
    conv.seek(1000)  # the grids animate a window of it, and the overview says where
    qtbot.wait(1)
    inp = conv.panels.lanes[0][0]
    mini = inp.minimap.model
    step = ex.current
    r0, r1, c0, c1 = mini.shown
    assert inp.minimap.isVisible() and (mini.rows, mini.cols) == (58, 58)
    assert r0 <= step.in_y + 1 and step.in_y + 1 + 3 <= r1  # (+1: from the padding ring)
    assert c0 <= step.in_x + 1 and step.in_x + 1 + 3 <= c1
    network.select_layer("pool")
    assert not network.open_conv.isEnabled()
