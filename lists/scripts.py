"""Which writing system a name is in, as an ISO 15924 code ("Arab", "Cyrl", "Hans", ...).

Parsers tag original-script aliases with it so screening can pick a transliterator.
ICU knows the script of every code point; we only pick the dominant one and
tell simplified from traditional Chinese.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import icu

# Script values that do not decide a name's script: punctuation, digits, combining marks.
_NEUTRAL_SCRIPTS = {"Zyyy", "Zinh", "Zzzz"}


@lru_cache(maxsize=2)
def _transliterator(spec: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(spec)


def _han_variant(text: str) -> str:
    """ "Hans" or "Hant" when the text is only valid in one of them, else "Hani"."""
    is_simplified = _transliterator("Hant-Hans").transliterate(text) == text
    is_traditional = _transliterator("Hans-Hant").transliterate(text) == text
    if is_simplified and not is_traditional:
        return "Hans"
    if is_traditional and not is_simplified:
        return "Hant"
    return "Hani"


def char_script(char: str) -> str:
    """ISO 15924 code of one character ("Zyyy" for spaces, digits and punctuation)."""
    return icu.Script.getScript(ord(char)).getShortName()


def is_script_neutral(char: str) -> bool:
    return char_script(char) in _NEUTRAL_SCRIPTS


def detect_script(text: str) -> str | None:
    """ISO 15924 code of the dominant script in `text`, or None if it has no letters."""
    counts: Counter[str] = Counter()
    for char in text:
        code = char_script(char)
        if code not in _NEUTRAL_SCRIPTS:
            counts[code] += 1
    if not counts:
        return None
    if "Hira" in counts or "Kana" in counts:
        return "Jpan"
    if "Hang" in counts:
        return "Kore" if "Hani" in counts else "Hang"
    script = counts.most_common(1)[0][0]
    return _han_variant(text) if script == "Hani" else script


def is_latin(script: str | None) -> bool:
    return script in (None, "Latn")
