"""Phonetic and consonant-skeleton codes of single name tokens.

Why: spelling variants that sound alike (Mohammed / Muhammad, Wladimir / Vladimir)
and names from scripts that do not write short vowels (Arabic, Hebrew) agree on
their consonants. The codes are features for scoring and keys for the index,
never the only gate for a match.
"""

from __future__ import annotations

import functools
import itertools
import re

import jellyfish

_DOUBLED = re.compile(r"(.)\1+")
# Letters that sound alike across transliteration habits are folded (q/c -> k, z -> s,
# p -> b); vowels and glides (a e i o u y w, and v/j, folded to w/y) are dropped.
_SKELETON_TABLE = str.maketrans({"q": "k", "c": "k", "z": "s", "p": "b", **dict.fromkeys("aeiouywvj")})
# The same in two steps, for `abjad_skeleton` (doubles collapsed between them).
_FOLD_TABLE = str.maketrans({"q": "k", "c": "k", "z": "s", "p": "b"})
_VOWEL_TABLE = str.maketrans(dict.fromkeys("aeiouywvj"))
# Digraphs read as one consonant, replaced in this order before folding.
_DIGRAPHS = (("kh", "h"), ("dh", "d"), ("th", "t"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("ph", "f"))


@functools.lru_cache(maxsize=262144)
def metaphone(token: str) -> str:
    """Metaphone code; empty for tokens jellyfish cannot encode (digits only)."""
    try:
        return jellyfish.metaphone(token)
    except (ValueError, IndexError):
        return ""


@functools.lru_cache(maxsize=262144)
def nysiis(token: str) -> str:
    try:
        return jellyfish.nysiis(token) if token.isalpha() else ""
    except (ValueError, IndexError):
        return ""


@functools.lru_cache(maxsize=262144)
def soundex(token: str) -> str:
    try:
        return jellyfish.soundex(token) if token.isalpha() else ""
    except (ValueError, IndexError):
        return ""


@functools.lru_cache(maxsize=262144)
def match_rating(token: str) -> str:
    try:
        return jellyfish.match_rating_codex(token) if token.isalpha() else ""
    except (ValueError, IndexError):
        return ""


@functools.lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Consonant skeleton: vowels and glides dropped, similar letters folded, doubles collapsed.

    "muhammad", "mohamed" and Arabic "mhmd" all give "mhmd"; "hassan" and "hsn" give "hsn".
    A token that is only vowels keeps its first letter so it never becomes empty.
    """
    if not token:
        return ""
    folded = token
    if "h" in folded:
        for digraph, letter in _DIGRAPHS:
            folded = folded.replace(digraph, letter)
    body = folded.translate(_SKELETON_TABLE)
    if len(body) > 1:
        # Doubled letters collapsed (as `_DOUBLED.sub(r"\1", body)`, without its per-call
        # template expansion, which was a tenth of the index build).
        body = "".join(letter for letter, _ in itertools.groupby(body))
    return body or token[0]


@functools.lru_cache(maxsize=262144)
def abjad_skeleton(token: str) -> str:
    """The skeleton of a token written without short vowels: a letter repeated around a vowel stays two.

    Arabic script writes a doubled consonant once ("hassan" / "hsn"), but "aziz" (عزيز) has
    two z: `skeleton` collapses them after the vowels go, so "aziz", "isa" and "aas" all read
    "s" and a Persian "Azizi" met the acronym "AAS". Latin spellings keep `skeleton`, whose
    looser collapse also meets "Iran" / "Iranian".
    """
    if not token:
        return ""
    folded = token
    if "h" in folded:
        for digraph, letter in _DIGRAPHS:
            folded = folded.replace(digraph, letter)
    folded = folded.translate(_FOLD_TABLE)
    if len(folded) > 1:
        folded = "".join(letter for letter, _ in itertools.groupby(folded))
    return folded.translate(_VOWEL_TABLE) or token[0]
