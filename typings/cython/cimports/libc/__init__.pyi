"""C library declarations the engine cimports (mypy only)."""
