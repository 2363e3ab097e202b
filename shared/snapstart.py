"""Lambda SnapStart's runtime hooks, where the runtime has them (ADR 0043).

Lambda's managed Python runtime includes `snapshot_restore_py`: `register_before_snapshot` runs a function once,
before Lambda snapshots a published version's initialised environment (work done there is in every restored
environment for free), and `register_after_restore` runs one in each environment restored from the snapshot.
Elsewhere (the local stack, the tests) there is no such library and nothing is ever snapshotted: registering does
nothing and says so. Hooks only run for a function with SnapStart on; for the others registering costs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["after_restore", "before_snapshot"]


def _hooks() -> ModuleType | None:
    try:
        return importlib.import_module("snapshot_restore_py")
    except ImportError:
        return None


def before_snapshot(function: Callable[..., Any], *args: Any) -> bool:
    """Run `function(*args)` before the snapshot is taken; False where there are no runtime hooks."""
    hooks = _hooks()
    if hooks is None:
        return False
    hooks.register_before_snapshot(function, *args)
    return True


def after_restore(function: Callable[..., Any], *args: Any) -> bool:
    """Run `function(*args)` in each environment restored from the snapshot; False where there are no hooks."""
    hooks = _hooks()
    if hooks is None:
        return False
    hooks.register_after_restore(function, *args)
    return True
