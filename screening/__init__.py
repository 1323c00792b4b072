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


def _path(module: str, suffix: str = ".py") -> Path:
    """screening/<module><suffix>, a dotted module in its subpackage ("names.model": names/model.py)."""
    return _HERE.joinpath(*module.split(".")).with_suffix(suffix)


def _built(module: str) -> Path | None:
    for suffix in EXTENSION_SUFFIXES:
        candidate = _path(module, suffix)
        if candidate.exists():
            return candidate
    return None


def source_digest(module: str) -> str:
    """SHA-256 of a compiled module's source and its declarations (.pxd), as setup.py records it."""
    digest = hashlib.sha256(_path(module).read_bytes())
    declarations = _path(module, ".pxd")
    if declarations.exists():
        digest.update(declarations.read_bytes())
    return digest.hexdigest()


def _package(module: str) -> str:
    """The subpackage of a dotted module ("names" of "names.model"); "" for a module of screening."""
    return module.rpartition(".")[0]


def _load_source(module: str) -> None:
    """Import screening.<module> from its .py file, ahead of the compiled module that would shadow it.

    A subpackage's own module (its __init__.py) is created, not run, before its first module
    is loaded: running it would import the subpackage's other modules, compiled. Its caller
    runs it (`_run_package`) once all of them are loaded.
    """
    name = f"{__name__}.{module}"
    parent_name, _, attribute = name.rpartition(".")
    parent = sys.modules.get(parent_name)
    if parent is None:
        folder = _HERE.joinpath(*_package(module).split("."))
        package_spec = importlib.util.spec_from_file_location(
            parent_name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert package_spec is not None
        parent = importlib.util.module_from_spec(package_spec)
        sys.modules[parent_name] = parent
        setattr(sys.modules[__name__], _package(module), parent)
    spec = importlib.util.spec_from_file_location(name, _path(module))
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    setattr(parent, attribute, loaded)  # `import screening.x as y` reads this attribute
    spec.loader.exec_module(loaded)


def _run_package(package: str) -> None:
    """Run a subpackage's __init__.py, created unrun by `_load_source`, now that its modules are sources."""
    module = sys.modules[f"{__name__}.{package}"]
    assert module.__spec__ is not None and module.__spec__.loader is not None
    module.__spec__.loader.exec_module(module)


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
    from_source: list[str] = []
    builds = {module: _built(module) for module in COMPILED_MODULES}
    for module, built in builds.items():
        if built is None:
            continue
        stale = compiled_from.get(module) != source_digest(module)
        if stale and not forced:
            warnings.warn(
                f"screening/{_path(module).relative_to(_HERE)} (or its .pxd) differs from the source of its "
                f"compiled build {built.name}: running the source as plain Python (slower); reinstall "
                "(make install) to recompile",
                RuntimeWarning,
                stacklevel=2,
            )
        if stale or forced:
            from_source.append(module)
    # A subpackage's compiled modules cimport each other's types and functions (their .pxd): a
    # compiled module beside a source one would not find the types it was built against.
    stale_packages = {_package(module) for module in from_source} - {""}
    from_source = [
        module
        for module in COMPILED_MODULES
        if builds[module] is not None and (module in from_source or _package(module) in stale_packages)
    ]
    for at, module in enumerate(from_source):
        _load_source(module)
        package = _package(module)
        if package and (at + 1 == len(from_source) or _package(from_source[at + 1]) != package):
            _run_package(package)  # before any later module imports from it


def compiled_modules() -> dict[str, bool]:
    """Which hot modules run compiled in this process (for benchmarks and /metrics)."""
    from importlib import import_module

    return {
        module: not str(getattr(import_module(f"{__name__}.{module}"), "__file__", "")).endswith(".py")
        for module in COMPILED_MODULES
    }


_use_sources_where_needed()
