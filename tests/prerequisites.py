"""One rule for what a test needs but the checkout may lack (the shared test data, the
test extra's LiteRT or import-linter): skip, saying what is missing, or under CI=true
fail, since CI installs everything and has the data, so a skip there would hide a gap."""
from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(message: str) -> NoReturn:
    """Skip the test (or the module, when called at import time) with `message`; under
    CI=true fail instead."""
    if in_ci():
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def import_or_missing(name: str, why: str) -> ModuleType:
    """`import name`, or `missing(...)` naming the package and what it is for."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        problem = f"{name} cannot be imported ({e}); {why}"
    missing(problem)
