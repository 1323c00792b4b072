"""A party's lookup keys: the matching engine's index keys of its name, computed once and stored.

A list change screens only the parties whose keys meet the keys of the added or
changed designations; the rest cannot be candidates of those designations in the
engine's candidate lookup, so screening them would only cost time (analysing a
name is most of a query's cost: 25 µs Latin, 180 µs Chinese, times a million).
Keys are stamped with a fingerprint of the engine sources that make them; a party
stamped by another engine build gets its keys computed again when next read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from screening.evidence import MIN_STRONG_IDENTIFIER_LENGTH, identifier_type, normalize_identifier
from screening.index import lookup_keys, query_acronym_keys
from screening.names import FUNCTION_WORD, analyze_name
from screening.truncation import may_be_cut

# A name as long as a payment field (it may have been cut) meets list names by prefix too:
# such parties are always screened against a delta.
ALWAYS = "*"
ID_PREFIX = "id:"
# The modules that read a name and make its keys (of screening.names: not the pair scorer's).
_ENGINE_FILES = (
    "names/model",
    "names/magic",
    "names/analysis",
    "names/keys",
    "normalize",
    "phonetics",
    "translit",
    "legal_forms",
    "org_words",
    "index",
)


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """16 hex digits naming the engine sources that make the keys."""
    folder = Path(__file__).resolve().parents[2] / "screening"
    digest = hashlib.sha256()
    for name in _ENGINE_FILES:
        digest.update((folder / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def _meeting_word(spellings: tuple) -> str | None:  # type: ignore[type-arg]
    """The word key a one-word query also looks up (as screening.index does for candidates)."""
    if not spellings:
        return None
    spelling = spellings[0]
    words = [t for t, kind in zip(spelling.tokens, spelling.kinds, strict=True) if kind != FUNCTION_WORD]
    if len(words) == 1:
        return words[0]
    joined = "".join(spelling.tokens)
    return joined if spelling.joins.get(joined, (0, 0))[1] == len(spelling.tokens) else None


def name_keys(name: str, party_type: str, identifiers: Iterable[tuple[str | None, str]] = ()) -> str:
    """Space-separated keys: the name's lookup keys, acronym keys, identifier values, cut marker."""
    analyzed = analyze_name(name, party_type)  # type: ignore[arg-type]
    keys = set(lookup_keys(analyzed)) | query_acronym_keys(analyzed)
    word = _meeting_word(analyzed.spellings)
    if word is not None:
        keys.add("t:" + word)
    if may_be_cut(name):
        keys.add(ALWAYS)
    for kind_text, value in identifiers:
        kind = identifier_type(kind_text)
        normalized = normalize_identifier(value, kind)
        if len(normalized) >= MIN_STRONG_IDENTIFIER_LENGTH:
            keys.add(ID_PREFIX + normalized)
    return " ".join(sorted(k for k in keys if " " not in k))
