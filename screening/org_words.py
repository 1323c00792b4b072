"""Organisation words that mean the same: abbreviations and other languages ("Grp" / "Group" / 集团).

Why: payment messages cut company names to fit 35-character fields ("INTL TRDG GRP",
"Integrity Technology Grp Inc"), and Chinese or Russian registrations name a company's
business in their own language ("四川聚信和网络科技" is "Sichuan Juxinhe Network
Technology"). rigour, the name library the legal forms already come from, keeps a
maintained table of such words as symbols (GRP, TECH, INFORMATION, NETWORK, TRADE...);
two words sharing a symbol are the same word to the scorer, and a company's generic words
missing from its name cost less. Only the generic-word categories (SYMBOL, DOMAIN) are used:
locations and given names are left to spelling.
"""

from __future__ import annotations

from rigour.names import NameTypeTag, analyze_names
from rigour.names.symbol import SymbolCategory

_WORD_CATEGORIES = frozenset({SymbolCategory.SYMBOL, SymbolCategory.DOMAIN})
_NONE: frozenset[str] = frozenset()
_NOTHING: tuple[frozenset[str], frozenset[str]] = (_NONE, _NONE)
# token -> (symbols it aligns by, every symbol of it), filled on first sight of each token.
_SYMBOLS: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
# Bound on the cache, as the phonetic codes' (a long batch of new names fills it with their
# words; list names keep their words' symbols in their spellings when it is emptied).
_CACHE_LIMIT = 262_144
# Longest and shortest Han word looked up inside a run of Han characters.
HAN_WORD_MAX = 4
HAN_WORD_MIN = 2


def _lookup(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """(symbols `word` aligns by, all its generic-word symbols), as rigour tags it in an organisation's name.

    Words align only by a SYMBOL (one word, its abbreviations and translations: GRP for
    "grp", "group", "集团"). A DOMAIN groups the words of a trade ("oil", "petroleum",
    "petrochemical" are all OIL): "Pars Oil Co." is not "Pars Petrochemical Company". Such a
    word gets a symbol of its own ("~oil"): it is still generic, but meets only itself.
    """
    aligned: set[str] = set()
    found: set[str] = set()
    for name in analyze_names(NameTypeTag.ORG, [word], phonetics=False, consolidate=False):
        for span in name.spans:
            category = span.symbol.category
            if len(span.parts) == 1 and category in _WORD_CATEGORIES:
                found.add(span.symbol.id)
                if category == SymbolCategory.SYMBOL:
                    aligned.add(span.symbol.id)
    if not found:
        return _NOTHING
    if not aligned:
        aligned.add("~" + word)
    return frozenset(aligned), frozenset(found)


def _symbols(word: str) -> tuple[frozenset[str], frozenset[str]]:
    symbols = _SYMBOLS.get(word)
    if symbols is None:
        if len(_SYMBOLS) >= _CACHE_LIMIT:
            _SYMBOLS.clear()
        symbols = _SYMBOLS[word] = _lookup(word)
    return symbols


def org_symbols(word: str) -> frozenset[str]:
    """What one word of an organisation's name aligns by: {"GRP"} for "grp", "group" or "集团".

    Empty for a word that is not generic; {"~oil"} for a trade's word that meets only itself.
    """
    return _symbols(word)[0]


def all_symbols(word: str) -> frozenset[str]:
    """Every generic-word symbol of `word`, its trade's (DOMAIN) included: {"TECH"} for "科技"."""
    return _symbols(word)[1]


def known_symbols(word: str) -> frozenset[str] | None:
    """`org_symbols(word)` if it was looked up before, else None (no lookup now)."""
    symbols = _SYMBOLS.get(word)
    return None if symbols is None else symbols[0]


def symbol_word(symbols: frozenset[str]) -> str | None:
    """A Latin word standing for these symbols ("tech" for TECH), or None.

    The symbol's own id, lower-cased, when rigour reads that word as the same symbol
    (most ids are English words or their usual abbreviations).
    """
    for symbol in sorted(symbols):
        word = symbol.lower()
        if word.isalpha() and word.isascii() and symbol in all_symbols(word):
            return word
    return None


def han_words(run: str) -> list[tuple[str, str | None]]:
    """A run of Han characters cut into (text, Latin word) pieces, at generic organisation words.

    Longest word first at each position ("进出口" before "出口"); the pieces between them
    come back with None. "四川聚信和网络科技" -> [("四川聚信和", None), ("网络", "network"),
    ("科技", "tech")].
    """
    pieces: list[tuple[str, str | None]] = []
    plain_start = 0
    i = 0
    while i < len(run):
        for size in range(min(HAN_WORD_MAX, len(run) - i), HAN_WORD_MIN - 1, -1):
            word = symbol_word(all_symbols(run[i : i + size]))
            if word is not None:
                if plain_start < i:
                    pieces.append((run[plain_start:i], None))
                pieces.append((run[i : i + size], word))
                i += size
                plain_start = i
                break
        else:
            i += 1
    if plain_start < len(run):
        pieces.append((run[plain_start:], None))
    return pieces
