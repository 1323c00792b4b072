"""libc's string.h as Cython declares it (mypy only)."""

from typing import Any

def memset(destination: Any, value: int, size: int) -> Any: ...
