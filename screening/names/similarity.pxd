# What the alignment (align.py) and the scorer (score.py) call per token pair or spelling pair,
# as C calls: keep in step with the definitions in similarity.py.
from screening.names.model cimport _Spelling

cpdef bint _abbreviates(str ta, str tb)
cdef dict _similarity_row(str token, bint abjad)
cdef tuple _memoised_similarity(dict row, str ta, str tb, bint abjad)
cdef bint _other_form(str ta, str tb)
cpdef double _joined_similarity(_Spelling q, _Spelling c, bint abjad)
cpdef bint _syllabic(_Spelling sp)
