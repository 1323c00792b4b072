"""Phonetic and consonant-skeleton codes of single name tokens.

Why: spelling variants that sound alike (Mohammed / Muhammad, Wladimir / Vladimir)
and names from scripts that do not write short vowels (Arabic, Hebrew) agree on
their consonants. The codes are features for scoring and keys for the index,
never the only gate for a match.
"""

from __future__ import annotations

import functools
import itertools

import jellyfish

# Letters that sound alike across transliteration habits are folded (q/c -> k, z -> s,
# p -> b); vowels and glides (a e i o u y w, and v/j, folded to w/y) are dropped.
_FOLD_TABLE = str.maketrans({"q": "k", "c": "k", "z": "s", "p": "b"})
_VOWEL_TABLE = str.maketrans(dict.fromkeys("aeiouywvj"))
# In a name read from Arabic script "j" is a consonant, jim (ج: Rajab, Jafar, Khadija), not the
# glide it is in Dutch, German or Slavic spellings: an abjad skeleton keeps it. Dropping it made
# "rajab" read "rb" and meet "rbya" (ربيعة, Rabia): "ميلاء ربيعة" scored 0.95 against "RAJAB, Maulawi".
_ABJAD_VOWEL_TABLE = str.maketrans(dict.fromkeys("aeiouywv"))
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


def _folded(token: str) -> str:
    """Digraphs read as one consonant, sound-alike letters folded; vowels still in place."""
    if "h" in token:
        for digraph, letter in _DIGRAPHS:
            token = token.replace(digraph, letter)
    return token.translate(_FOLD_TABLE)


def _collapsed(text: str) -> str:
    """Runs of one letter written once (groupby: a regex with its per-call template expansion
    was a tenth of the index build)."""
    return "".join(letter for letter, _ in itertools.groupby(text)) if len(text) > 1 else text


@functools.lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Consonant skeleton: vowels and glides dropped, similar letters folded, doubles collapsed.

    "muhammad", "mohamed" and Arabic "mhmd" all give "mhmd"; "hassan" and "hsn" give "hsn".
    A token that is only vowels keeps its first letter so it never becomes empty.
    """
    if not token:
        return ""
    return _collapsed(_folded(token).translate(_VOWEL_TABLE)) or token[0]


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
    return _collapsed(_folded(token)).translate(_ABJAD_VOWEL_TABLE) or token[0]
