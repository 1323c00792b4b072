"""Phonetic and consonant-skeleton codes of single name tokens.

Why: spelling variants that sound alike (Mohammed / Muhammad, Wladimir / Vladimir)
and names from scripts that do not write short vowels (Arabic, Hebrew) agree on
their consonants. The codes are features for scoring and keys for the index,
never the only gate for a match.
"""

from __future__ import annotations

import functools
import re

import jellyfish

_VOWELS_AND_GLIDES = re.compile(r"[aeiouyw]+")
_DOUBLED = re.compile(r"(.)\1+")
# Letters that sound alike across transliteration habits, folded before skeletons.
_SKELETON_FOLD = str.maketrans({"v": "w", "q": "k", "c": "k", "z": "s", "j": "y", "p": "b"})


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
    folded = token.replace("kh", "h").replace("dh", "d").replace("th", "t").replace("gh", "g")
    folded = folded.replace("sh", "s").replace("ch", "s").replace("ph", "f")
    folded = folded.translate(_SKELETON_FOLD)
    body = _VOWELS_AND_GLIDES.sub("", folded)
    body = _DOUBLED.sub(r"\1", body)
    return body or token[0]
