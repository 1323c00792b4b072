"""Name analysis and pair scoring: the contract between the matching core and the index.

STUB: a deliberately plain first version so the index, screener and benchmarks
can be built against the interface while the real matching core is written.
The signatures and dataclass fields below are the contract; internals will change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

NameType = Literal["person", "entity", "vessel", "aircraft", "any"]


@dataclass(frozen=True, slots=True)
class AnalyzedName:
    """A name prepared once (at index build or query time) for fast repeated scoring."""

    original: str
    type: NameType
    tokens: tuple[str, ...]  # normalised Latin name tokens, legal forms removed
    legal_forms: tuple[str, ...]  # canonical legal-form tokens found, e.g. ("ltd",)
    index_keys: frozenset[str]  # keys the candidate index files / looks up this name by


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """How one query token was matched, for the analyst-readable explanation."""

    query_token: str
    list_token: str | None  # None: nothing on the list side matched it
    how: str  # "exact" | "phonetic" | "transliterated" | "fuzzy" | "initial" | "missing"
    score: float
    weight: float


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float  # in [0, 1]
    token_matches: tuple[TokenMatch, ...]
    notes: tuple[str, ...] = ()


def analyze_name(name: str, type: NameType = "any") -> AnalyzedName:
    tokens = tuple(anyascii(name).lower().replace(",", " ").split())
    return AnalyzedName(name, type, tokens, (), frozenset(tokens))


def score_names(
    query: AnalyzedName, candidate: AnalyzedName, weights: Mapping[str, float] | None = None
) -> NameScore:
    """Score two analysed names; `weights` maps a token to how distinctive it is (IDF-like)."""
    score = JaroWinkler.normalized_similarity(
        " ".join(sorted(query.tokens)), " ".join(sorted(candidate.tokens))
    )
    return NameScore(score, ())
