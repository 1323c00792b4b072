"""Cython cimports as mypy sees them: the modules they declare (see typings/cython/__init__.pyi)."""
