"""Compiles the matching core's hot modules with Cython (metadata lives in pyproject.toml).

The modules stay plain Python files (Cython's pure-Python mode): without a compiled
build they run as they are, only slower; see screening/__init__.py, which loads the
same list (screening/_compiled_modules.py, read here by path). The SHA-256 of each
compiled source is recorded beside it, so an edited source is never shadowed by a
build of its older self (file times cannot tell: a wheel install writes the sources
after the builds).
"""

import ast
import hashlib
from pathlib import Path

from Cython.Build import cythonize
from setuptools import setup

PACKAGE = Path(__file__).resolve().parent / "screening"


def compiled_modules() -> tuple[str, ...]:
    """COMPILED_MODULES of screening/_compiled_modules.py, read without importing the package."""
    tree = ast.parse((PACKAGE / "_compiled_modules.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED_MODULES":
            return tuple(ast.literal_eval(node.value))
    raise SystemExit("screening/_compiled_modules.py: no COMPILED_MODULES tuple")


COMPILED_MODULES = compiled_modules()


def source(module: str, suffix: str = ".py") -> Path:
    """screening/<module><suffix>; a dotted module is in its subpackage ("names.model": names/model.py)."""
    return PACKAGE.joinpath(*module.split(".")).with_suffix(suffix)


def source_digest(module: str) -> str:
    """SHA-256 of a module's source and its declarations (.pxd): an edit of either makes the build stale.

    The same digest as screening/__init__.py's `source_digest` (not imported: see above).
    """
    digest = hashlib.sha256(source(module).read_bytes())
    if source(module, ".pxd").exists():
        digest.update(source(module, ".pxd").read_bytes())
    return digest.hexdigest()


def record_sources() -> None:
    digests = {module: source_digest(module) for module in COMPILED_MODULES}
    (PACKAGE / "_compiled_sources.py").write_text(
        '"""Written by setup.py: SHA-256 of each source as it was compiled."""\n\n'
        f"SOURCE_SHA256 = {digests!r}\n"
    )


record_sources()
setup(
    ext_modules=cythonize(
        [str(source(name).relative_to(PACKAGE.parent)) for name in COMPILED_MODULES],
        compiler_directives={"language_level": "3"},
        quiet=True,
    )
)
