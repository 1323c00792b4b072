"""Type stubs for Cython's pure-Python mode, as the engine uses it (mypy only; Cython ignores them).

The C types are their Python counterparts; the decorators leave what they wrap unchanged.
"""

import builtins
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from . import dataclasses as dataclasses

_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T")

int: TypeAlias = builtins.int
uint: TypeAlias = builtins.int
uchar: TypeAlias = builtins.int
ulonglong: TypeAlias = builtins.int
Py_ssize_t: TypeAlias = builtins.int
double: TypeAlias = builtins.float
bint: TypeAlias = builtins.bool
Py_UCS4: TypeAlias = builtins.str
void: TypeAlias = None

compiled: builtins.bool

def cfunc(function: _F) -> _F: ...
def ccall(function: _F) -> _F: ...
def inline(function: _F) -> _F: ...
def cclass(cls: type[_T]) -> type[_T]: ...
def no_gc(cls: type[_T]) -> type[_T]: ...
def boundscheck(enabled: builtins.bool) -> Callable[[_F], _F]: ...
def wraparound(enabled: builtins.bool) -> Callable[[_F], _F]: ...
def cdivision(enabled: builtins.bool) -> Callable[[_F], _F]: ...
def exceptval(value: Any = ..., *, check: builtins.bool = ...) -> Callable[[_F], _F]: ...
def cast(type: Any, value: Any, typecheck: builtins.bool = ...) -> Any: ...
def declare(type: Any = ..., value: Any = ..., **kwargs: Any) -> Any: ...
