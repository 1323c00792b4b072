"""Engine modules run as plain Python beside their compiled builds, for compiled-vs-source tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import screening


def plain_source_module(module: str) -> ModuleType:
    """screening/<module>.py run as plain Python under its own name, whatever the installed build.

    A dotted module is in its subpackage ("names.similarity": screening/names/similarity.py).
    """
    path = Path(screening.__file__).parent.joinpath(*module.split(".")).with_suffix(".py")
    spec = importlib.util.spec_from_file_location(f"{module}_as_source", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    return loaded
