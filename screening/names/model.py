"""The value types of name scoring: a name as read once, and how two names met.

Compiled (Cython extension types, declared with their fields in model.pxd): the scorer
reads these fields for every candidate, and the modules that do (similarity, align, score,
keys, analysis) cimport the declarations, so a field read is a C struct read there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cython

NameType = Literal["person", "entity", "vessel", "aircraft", "any"]

# Kinds of tokens for the cost of leaving them unmatched (`screening.names.analysis.token_kind`).
ORDINARY, SYLLABLE, FUNCTION_WORD = 0, 1, 2


@cython.no_gc
@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class _Spelling:
    """One Latin spelling of a name, with every per-token feature precomputed.

    A Cython extension type when compiled (a plain dataclass otherwise): the scorer reads
    these fields for every candidate, and a typed field is a C struct read where a slot of a
    dataclass went through Python's attribute lookup (7% of a query's instructions).
    """

    tokens: tuple
    metaphones: tuple
    skeletons: tuple
    token_set: frozenset
    # Adjacent tokens joined: "juxin"+"he" -> (index of "juxin", 2); and three tokens around a
    # short particle, as Arabic compounds are written both ways: "bashir ud din" -> (i, 3).
    joins: dict
    joined: str  # all tokens incl. legal forms, no spaces, original order
    joined_skeleton: str
    patronyms: frozenset  # skeletons of tokens after "bin"/"ibn"/"ben"
    kinds: tuple  # per token: ORDINARY, SYLLABLE or FUNCTION_WORD (see `token_kind`)
    join_keys: frozenset  # keys of `joins`, for a fast disjointness test
    # Initials of runs of words (function words skipped inside a run) -> (first index, span).
    acronyms: dict
    acronym_keys: frozenset
    # For a name that may be an organisation's: per token, its generic-word symbols
    # (`screening.org_words`), None where not looked up yet (the scorer looks a query's words
    # up when it needs them; `cache_token_weights` a list name's, and empties the list of one
    # that has none). None for a person's name.
    symbols: object = cython.dataclasses.field(default=None, repr=False, compare=False)
    # [weights mapping, per-token weights under it]: filled on first use by `_token_weights`.
    weight_cache: list = cython.dataclasses.field(default_factory=list, repr=False, compare=False)


@cython.no_gc
@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class AnalyzedName:
    """A name prepared once (at index build or query time) for fast repeated scoring.

    `index_keys` (the keys the candidate index files this name under and looks
    queries up by), over every Latin spelling of the name:
      - "t:<token>"      each normalised token (legal forms removed);
      - "t:<tok1tok2>"   each concatenation of two adjacent tokens, legal forms
                         included, so "jsc argument" meets "jscargument" and
                         "juxin he" meets "juxinhe"; also three tokens around a short
                         particle ("bashir ud din" -> "t:bashiruddin");
      - "m:<metaphone>"  Metaphone of each token of 2+ letters (sound-alikes, many
                         one-letter typos and Cyrillic/German habits: v/w, ch/tsch);
      - "k:<skeleton>"   consonant skeleton of each token of 2+ letters (vowel
                         changes, Arabic/Hebrew names written without vowels);
      - "p:<prefix4>"    first four letters of each token of 5+ letters (typos late
                         in a long token that change its Metaphone);
      - "j:<skeleton>"   skeleton of the whole joined name (fully joined/split names).
    Keys of very common tokens (low weight) make long posting lists; the index may
    skip keys whose token weight is below its own cut-off when other keys exist.
    """

    # Fields typed as the builtin containers (a C struct member each when compiled).
    original: str
    type: str  # a NameType
    tokens: tuple  # normalised Latin name tokens (str), legal forms removed
    legal_forms: tuple  # canonical legal-form tokens found, e.g. ("ltd",)
    index_keys: frozenset  # keys (str) the candidate index files / looks up this name by
    # Added fields (not part of the original contract):
    # Of _Spelling: every Latin reading of the name, first = tokens.
    spellings: tuple = cython.dataclasses.field(default=(), repr=False, compare=False, hash=False)
    abjad: cython.bint = False  # written in a script without short vowels (Arabic, Hebrew, Thai)
    script_tokens: tuple = ()  # all Latin token tuples, first = tokens
    scripts: frozenset = frozenset()  # non-Latin scripts the name is written in (ISO 15924)


@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class TokenMatch:
    """How one query token was matched, for the analyst-readable explanation.

    An extension type when compiled: a frozen dataclass set each field through
    object.__setattr__, a fifth of the cost of explaining a match.
    """

    query_token: str
    list_token: object  # str, or None: nothing on the list side matched it
    how: str  # "exact" | "phonetic" | "transliterated" | "fuzzy" | "typo" | "initial" | "acronym" | "abbreviation" | "symbol" | "missing"
    score: cython.double
    weight: cython.double


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float  # in [0, 1]
    token_matches: tuple[TokenMatch, ...]
    notes: tuple[str, ...] = ()
