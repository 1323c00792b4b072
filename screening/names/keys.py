"""The candidate index's keys of a name (`AnalyzedName.index_keys`), and the words each was made from."""

from __future__ import annotations

import cython

if cython.compiled:  # the fields typed (model.pxd); plain Python imports the class
    from cython.cimports.screening.names.model import _Spelling
else:
    from screening.names.model import _Spelling

# Word bits: word i of a spelling is bit i (words past the 32nd share the last bit).
LAST_WORD_BIT = 31


def index_key_words(spellings: tuple[_Spelling, ...]) -> dict[str, int]:
    """Each index key of a name -> the bits of the words it was made from; its keys are `index_keys`.

    A word's own keys (token, Metaphone, skeleton, prefix) carry its bit, a join of words
    ("t:juxinhe", "t:bashiruddin") all of theirs, the joined-name key every word's. The
    candidate index uses the bits to tell a name lying wholly inside another.
    """
    bits: dict[str, int] = {}
    for sp in spellings:
        tokens = sp.tokens  # tokens never contain spaces
        every = 0
        for i, token in enumerate(tokens):
            bit = 1 << min(i, LAST_WORD_BIT)
            every |= bit
            key = "t:" + token
            bits[key] = bits.get(key, 0) | bit
            if len(token) > 1:
                if sp.metaphones[i]:
                    key = "m:" + sp.metaphones[i]
                    bits[key] = bits.get(key, 0) | bit
                key = "k:" + sp.skeletons[i]
                bits[key] = bits.get(key, 0) | bit
            if len(token) >= 5:
                key = "p:" + token[:4]
                bits[key] = bits.get(key, 0) | bit
        for joined, (start, span) in sp.joins.items():
            # Every two adjacent words are joined, three only around a short particle.
            key = "t:" + joined
            bits[key] = bits.get(key, 0) | (((1 << span) - 1) << min(start, LAST_WORD_BIT + 1 - span))
        if sp.joined:
            key = "j:" + sp.joined_skeleton
            bits[key] = bits.get(key, 0) | every
    return bits
