"""Compiles the matching core's hot modules with Cython (metadata lives in pyproject.toml).

The modules stay plain Python files (Cython's pure-Python mode): without a compiled
build they run as they are, only slower; see screening/__init__.py, whose
COMPILED_MODULES must name the same modules (a test checks it). The SHA-256 of each
compiled source is recorded beside it, so an edited source is never shadowed by a
build of its older self (file times cannot tell: a wheel install writes the sources
after the builds).
"""

import hashlib
from pathlib import Path

from Cython.Build import cythonize
from setuptools import setup

COMPILED_MODULES = (
    "normalize",
    "phonetics",
    "legal_forms",
    "org_words",
    "translit",
    "names",
    "postings",
    "index",
    "screener",
)
PACKAGE = Path(__file__).resolve().parent / "screening"


def record_sources() -> None:
    digests = {
        module: hashlib.sha256((PACKAGE / f"{module}.py").read_bytes()).hexdigest()
        for module in COMPILED_MODULES
    }
    (PACKAGE / "_compiled_sources.py").write_text(
        '"""Written by setup.py: SHA-256 of each source as it was compiled."""\n\n'
        f"SOURCE_SHA256 = {digests!r}\n"
    )


record_sources()
setup(
    ext_modules=cythonize(
        [f"screening/{name}.py" for name in COMPILED_MODULES],
        compiler_directives={"language_level": "3"},
        quiet=True,
    )
)
