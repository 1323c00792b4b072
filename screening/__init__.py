"""The matching engine: pure functions and an in-memory index, no I/O.

The hot modules (COMPILED_MODULES) are compiled with Cython when the package is
installed (setup.py). They are ordinary Python files in Cython's pure-Python mode,
so each one runs as plain Python, only slower, when it has no compiled build, when
its source differs from the one that was compiled (edited since the last install:
running stale compiled code would silently ignore the edit), or when
SANCTIONS_PURE_PYTHON=1.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import warnings
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from screening._compiled_modules import COMPILED_MODULES

PURE_PYTHON_ENV = "SANCTIONS_PURE_PYTHON"
_HERE = Path(__file__).resolve().parent


def _built(module: str) -> Path | None:
    for suffix in EXTENSION_SUFFIXES:
        candidate = _HERE / f"{module}{suffix}"
        if candidate.exists():
            return candidate
    return None


def _load_source(module: str) -> None:
    """Import screening.<module> from its .py file, ahead of the compiled module that would shadow it."""
    name = f"{__name__}.{module}"
    spec = importlib.util.spec_from_file_location(name, _HERE / f"{module}.py")
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    setattr(sys.modules[__name__], module, loaded)  # `import screening.x as y` reads this attribute
    spec.loader.exec_module(loaded)


def _compiled_digests() -> dict[str, str]:
    """SHA-256 of each source as it was compiled (written by setup.py beside the builds)."""
    try:
        from screening._compiled_sources import SOURCE_SHA256
    except ImportError:
        return {}
    return dict(SOURCE_SHA256)


def _use_sources_where_needed() -> None:
    forced = os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")
    compiled_from = _compiled_digests()
    for module in COMPILED_MODULES:
        built = _built(module)
        if built is None:
            continue
        source = hashlib.sha256((_HERE / f"{module}.py").read_bytes()).hexdigest()
        stale = compiled_from.get(module) != source
        if stale and not forced:
            warnings.warn(
                f"screening/{module}.py differs from the source of its compiled build {built.name}: "
                "running the source as plain Python (slower); reinstall (make install) to recompile",
                RuntimeWarning,
                stacklevel=2,
            )
        if stale or forced:
            _load_source(module)


def compiled_modules() -> dict[str, bool]:
    """Which hot modules run compiled in this process (for benchmarks and /metrics)."""
    from importlib import import_module

    return {
        module: not str(getattr(import_module(f"{__name__}.{module}"), "__file__", "")).endswith(".py")
        for module in COMPILED_MODULES
    }


_use_sources_where_needed()
