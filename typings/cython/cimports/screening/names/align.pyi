from screening.names.align import _score_spellings as _score_spellings
