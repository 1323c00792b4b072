# The fields of the value types (model.py), for the modules that read them per candidate:
# `from cython.cimports.screening.names.model import _Spelling` makes a field read a C read.
# Keep in step with model.py (same fields, same order); readonly as the frozen dataclasses are.
cimport cython


@cython.no_gc
cdef class _Spelling:
    cdef readonly tuple tokens
    cdef readonly tuple metaphones
    cdef readonly tuple skeletons
    cdef readonly frozenset token_set
    cdef readonly dict joins
    cdef readonly str joined
    cdef readonly str joined_skeleton
    cdef readonly frozenset patronyms
    cdef readonly tuple kinds
    cdef readonly frozenset join_keys
    cdef readonly dict acronyms
    cdef readonly frozenset acronym_keys
    cdef readonly object symbols
    cdef readonly list weight_cache


@cython.no_gc
cdef class AnalyzedName:
    cdef readonly str original
    cdef readonly str type
    cdef readonly tuple tokens
    cdef readonly tuple legal_forms
    cdef readonly frozenset index_keys
    cdef readonly tuple spellings
    cdef readonly bint abjad
    cdef readonly tuple script_tokens
    cdef readonly frozenset scripts


cdef class TokenMatch:
    cdef readonly str query_token
    cdef readonly object list_token
    cdef readonly str how
    cdef readonly double score
    cdef readonly double weight
