"""The Network tab's layer table model: its cells follow the account it was last given."""
from __future__ import annotations

from PySide6.QtCore import Qt

from visualizer.net.analysis.timing_stats import Account, Row
from visualizer.net.model.mobilenet import NetSpec, build_layers
from visualizer.ui.network.layer_table import LayerTableModel


def account_with_fused(layers, fused: str) -> Account:
    rows = tuple(Row(l.name, l.type, l.macs, 0.0 if l.name == fused else 0.5, 0.4, 0.6, 5,
                     0.5, fused=l.name == fused) for l in layers)
    total = sum(r.ms for r in rows)
    return Account(rows=rows, frame_ms=total, frame_p25=total - 0.1, frame_p75=total + 0.1,
                   plain_n=5, profiled_ms=total, scale=1.0, n=5)


def test_new_layers_drop_the_fused_marks_of_the_previous_account(qapp):
    layers = build_layers(NetSpec())
    model = LayerTableModel()
    model.set_layers(layers)
    fused = layers[1].name
    model.set_timing(account_with_fused(layers, fused))
    assert model.data(model.index(1, 7), Qt.DisplayRole) == "fused"
    assert model.frames == 5
    model.set_layers(layers)  # a new network: no timing yet
    assert model.frames == 0
    assert [model.data(model.index(1, c), Qt.DisplayRole) for c in (7, 8, 9)] == ["—"] * 3
    assert "fused" not in model.data(model.index(1, 7), Qt.ToolTipRole)
