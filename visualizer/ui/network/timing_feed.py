"""Which timed frames the Network tab's time columns, charts and sentence rest on."""
from __future__ import annotations

from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.runtime.results import InferenceResult
from visualizer.net.analysis.shares import matches
from visualizer.net.analysis.timing_stats import LayerStats


class TimingFeed:
    """Timed frames of the selected network only, from one source at a time: "live"
    frames (idle gaps between them) and back-to-back "profile" runs are never mixed.
    `stats` holds them with the app's one statistic (as the Live tab and the exports)."""

    def __init__(self) -> None:
        self.stats = LayerStats()
        self.layers: tuple[NetLayer, ...] = ()
        self.source = ""  # "live" or "profile": where the shown times come from
        self.mismatched = 0  # timed frames of another network, not shown

    def set_layers(self, layers: tuple[NetLayer, ...]) -> None:
        """A new network: times of the previous one no longer describe the table."""
        self.layers = layers
        self.stats.clear()
        self.mismatched = 0

    def restart(self, source: str) -> None:
        self.stats.clear()
        self.source = source

    def add(self, result: InferenceResult, source: str) -> bool:
        """Take one result's per-layer times, or a plain frame's time (the whole frame the
        rows add up to); True when something to show changed."""
        if not result.layers:
            # a plain frame of the network already being timed, from the same source
            if self.stats.frames and source == self.source and self._same_model(result):
                self.stats.add(result)
            return False
        if not matches(self.layers, result):
            self.mismatched += 1
            return True
        if source != self.source:
            self.restart(source)
        self.stats.add(result)
        self._model = result.model
        return True

    _model = None  # the model of the latest timed frame

    def _same_model(self, result: InferenceResult) -> bool:
        return result.model is None or result.model is self._model
