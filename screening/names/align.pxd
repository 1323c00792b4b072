# The alignment's entry point, a C call from score.py: keep in step with align.py.
from screening.names.model cimport _Spelling

cpdef tuple _score_spellings(_Spelling q, _Spelling c, weights, bint abjad, bint initials, bint explain, int acronyms=*, double floor=*)
