"""Commands under test keep their cache (roofs, downloads) in a folder of the test session,
never in the user's cache folder, and calibrate roofs with the tiny size (milliseconds)."""
from __future__ import annotations

import pytest

from visualizer.net.analysis import roofs


@pytest.fixture(scope="session")
def _command_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("command-cache")


@pytest.fixture(autouse=True)
def command_cache(_command_cache, monkeypatch):
    monkeypatch.setenv("MOBILENET_VISUALIZER_CACHE", str(_command_cache))
    monkeypatch.setattr(roofs, "DEFAULT_SIZE", roofs.TINY_SIZE)
    return _command_cache
