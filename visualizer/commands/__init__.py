"""Headless commands, one module each, found by name.

A command module defines `NAME` (the sub-command), `add_parser(subparsers)` and
`run(args) -> int`. Heavy imports (onnxruntime, onnx) belong inside `run`, so that
building the parser stays fast.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def _discover() -> dict[str, ModuleType]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.NAME] = module
    return found


COMMANDS = _discover()
