"""The hot modules compiled with Cython: the one list setup.py builds and screening/__init__.py loads.

In import order: a module run from source must find the compiled modules it imports already
replaced by their sources, or it would bind the compiled functions. setup.py reads this file
by path (a build must not import the package: its dependencies may not be installed yet), so
it holds nothing but the literal tuple.

A dotted name is a module of a subpackage ("names.model": screening/names/model.py). Modules
of one subpackage cimport each other's declarations (their .pxd files), so they are listed
together, each after those it cimports, and run from source together (screening/__init__.py).
"""

COMPILED_MODULES = (
    "normalize",
    "phonetics",
    "legal_forms",
    "org_words",
    "translit",
    "names.model",
    "names.keys",
    "names.analysis",
    "names.similarity",
    "names.align",
    "names.score",
    "postings",
    "index",
    "screener",
)
