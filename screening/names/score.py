"""Scoring two analysed names: every pairing of their readings, the best one wins.

`score_names` is called for every reported match (with its explanation), `name_similarity`
for every candidate of every query: both compare the names' precomputed spellings
(`screening.names.analysis`) through the alignment of `screening.names.align`, and the
whole names with their spaces removed (`screening.names.similarity._joined_similarity`).
Legal forms are kept aside and only nudge the score.
"""

from __future__ import annotations

from collections.abc import Mapping

import cython

from screening.names.align import SPELLED_OUT_CANDIDATE, SPELLED_OUT_QUERY
from screening.names.analysis import _CJK_SCRIPTS, _NO_INITIALS_TYPES
from screening.names.magic import LEGAL_FORM_MISMATCH
from screening.names.model import NameScore
from screening.token_weights import DEFAULT_WEIGHTS

if cython.compiled:  # typed fields (model.pxd) and C calls (align.pxd, similarity.pxd)
    from cython.cimports.screening.names.align import _score_spellings
    from cython.cimports.screening.names.model import AnalyzedName, TokenMatch, _Spelling
    from cython.cimports.screening.names.similarity import _joined_similarity
else:
    from screening.names.align import _score_spellings
    from screening.names.model import AnalyzedName, TokenMatch, _Spelling
    from screening.names.similarity import _joined_similarity


# Names of these types are never read as acronyms, nor spelled out by one: a registration
# mark ("EP-MHA") or a vessel's name abbreviates nothing.
_NO_ACRONYM_TYPES = frozenset({"person", "vessel", "aircraft"})


def acronyms_apply(name: AnalyzedName) -> bool:
    """Whether `name` may meet another name through an acronym: an organisation's, in Latin script."""
    return name.type not in _NO_ACRONYM_TYPES and not name.scripts


def may_be_spelled_out(name: AnalyzedName) -> bool:
    """Whether `name`'s words may spell out the other name's acronym: only a name known to be
    an organisation's. Untyped, "David Miller" would be "DM" and "Dan Chico Bonilla" "DCB"."""
    return name.type == "entity" and not name.scripts


def comparable_scripts(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two names may be compared through their Latin readings.

    Two names written in different non-Latin scripts (Hangul and Arabic, Han and Cyrillic)
    are not one name: both readings are lossy guesses, and guesses agree by chance.
    """
    return not a or not b or bool(a & b) or (a | b) <= _CJK_SCRIPTS


@cython.ccall
def _best_reading(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float],
    explain: bool,
    floor: cython.double = 0.0,
) -> tuple[float, list[TokenMatch], tuple[int, int], bool]:
    """(score before clamping, token matches, (query, candidate) spelling pair, legal forms differ)."""
    abjad = query.abjad or candidate.abjad
    initials = query.type not in _NO_INITIALS_TYPES and candidate.type not in _NO_INITIALS_TYPES
    # Acronyms are formed from written words: only for organisations, both named in Latin
    # script (the initials of a transliteration guess agree with short names by chance).
    acronyms = 0
    if not initials and acronyms_apply(query) and acronyms_apply(candidate):
        acronyms = (SPELLED_OUT_CANDIDATE if may_be_spelled_out(candidate) else 0) | (
            SPELLED_OUT_QUERY if may_be_spelled_out(query) else 0
        )
    best = 0.0
    best_matches: list[TokenMatch] = []
    best_pair = (0, 0)
    # Typed: a field read of an untyped spelling is a Python attribute look-up, per candidate.
    q: _Spelling
    c: _Spelling
    for qi, q in enumerate(query.spellings):
        if not q.tokens:
            continue
        for ci, c in enumerate(candidate.spellings):
            if not c.tokens:
                continue
            score, matches = _score_spellings(q, c, weights, abjad, initials, explain, acronyms, floor)
            if score < 1.0:
                joined = _joined_similarity(q, c, abjad)
                if joined > score:
                    score = joined
                    if explain:
                        matches = [TokenMatch(" ".join(q.tokens), " ".join(c.tokens), "fuzzy", joined, 1.0)]
            if score > best:
                best, best_matches, best_pair = score, matches, (qi, ci)
                if best >= 1.0:
                    break
        if best >= 1.0:
            break
    q_forms, c_forms = query.legal_forms, candidate.legal_forms
    legal_conflict = bool(q_forms and c_forms and frozenset(q_forms).isdisjoint(c_forms))
    if legal_conflict:
        best *= LEGAL_FORM_MISMATCH
    return best, best_matches, best_pair, legal_conflict


def name_similarity(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float] | None = None,
    floor: float = 0.0,
) -> float:
    """`score_names(query, candidate, weights).score` without building a NameScore: the index's hot path.

    A score below `floor` may be returned as 0.0: the screener passes the lowest score it can
    still use, so candidates that cannot reach it skip most of the scoring.
    """
    if query.scripts is not candidate.scripts and not comparable_scripts(query.scripts, candidate.scripts):
        return 0.0
    best = _best_reading(query, candidate, DEFAULT_WEIGHTS if weights is None else weights, False, floor)[0]
    return min(1.0, max(0.0, best))


def score_names(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float] | None = None,
    explain: bool = False,
) -> NameScore:
    """Score two analysed names; `weights` maps a token to how distinctive it is (IDF-like).

    Symmetric in its two names (up to the explanation). With `explain=False`
    `token_matches` is empty; pass `explain=True` for the per-token explanation of a
    reported match (`name_similarity` gives the bare score faster).
    """
    if weights is None:
        weights = DEFAULT_WEIGHTS
    if query.scripts is not candidate.scripts and not comparable_scripts(query.scripts, candidate.scripts):
        return NameScore(0.0, (), ("written in different scripts",) if explain else ())
    best, best_matches, best_pair, legal_conflict = _best_reading(query, candidate, weights, explain)
    if not explain:
        return NameScore(min(1.0, max(0.0, best)), ())
    notes: list[str] = []
    if legal_conflict:
        notes.append(f"legal forms differ: {query.legal_forms} / {candidate.legal_forms}")
    if best_pair[0] or query.abjad:
        notes.append("query read as: " + " ".join(query.spellings[best_pair[0]].tokens))
    if best_pair[1] or candidate.abjad:
        notes.append("list name read as: " + " ".join(candidate.spellings[best_pair[1]].tokens))
    if best_pair != (0, 0) or query.abjad or candidate.abjad:
        best_matches = [
            TokenMatch(m.query_token, m.list_token, "transliterated", m.score, m.weight)
            if m.how in ("exact", "fuzzy", "phonetic", "typo")
            else m
            for m in best_matches
        ]
    best = min(1.0, max(0.0, best))
    return NameScore(best, tuple(best_matches), tuple(notes))
