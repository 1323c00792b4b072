"""Cython's cdef dataclasses behave as the standard library's for type checking."""

from collections.abc import Callable
from dataclasses import field as field
from typing import TypeVar, dataclass_transform, overload

_T = TypeVar("_T")

@overload
@dataclass_transform(field_specifiers=(field,))
def dataclass(cls: type[_T], /) -> type[_T]: ...
@overload
@dataclass_transform(field_specifiers=(field,))
def dataclass(
    *,
    init: bool = ...,
    repr: bool = ...,
    eq: bool = ...,
    order: bool = ...,
    unsafe_hash: bool = ...,
    frozen: bool = ...,
) -> Callable[[type[_T]], type[_T]]: ...
