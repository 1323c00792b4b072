"""Compiles the matching core's hot modules with Cython (metadata lives in pyproject.toml).

The modules stay plain Python files (Cython's pure-Python mode): without a compiled
build they run as they are, only slower; see screening/__init__.py, whose
COMPILED_MODULES must name the same modules (a test checks it).
"""

from Cython.Build import cythonize
from setuptools import setup

COMPILED_MODULES = ("names", "index", "screener")

setup(
    ext_modules=cythonize(
        [f"screening/{name}.py" for name in COMPILED_MODULES],
        compiler_directives={"language_level": "3"},
        quiet=True,
    )
)
