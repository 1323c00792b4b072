from screening.names.similarity import _abbreviates as _abbreviates
from screening.names.similarity import _joined_similarity as _joined_similarity
from screening.names.similarity import _memoised_similarity as _memoised_similarity
from screening.names.similarity import _other_form as _other_form
from screening.names.similarity import _similarity_row as _similarity_row
from screening.names.similarity import _syllabic as _syllabic
