"""`from cython.cimports.screening.names.X import Y` is, for mypy, `from screening.names.X import Y`.

Cython reads the declarations (screening/names/X.pxd) when it compiles; plain Python imports
the module itself (`if cython.compiled: ... else: ...` in each module).
"""
