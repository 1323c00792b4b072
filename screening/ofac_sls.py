"""`ofac-sls`: OFAC Sanctions List Search scoring, emulated for firms that must show parity with it.

OFAC describes its tool's score (FAQ on Sanctions List Search) as Jaro-Winkler and Soundex run
over the whole name and over its parts. It publishes no formula, so the constants below are
fitted to the 170 scores the tool gave in `benchmarks/data/eval/ofac_tool_scores.csv` (measured
there: within 5 points of the tool on 153 of 170, and 90+ on all 95 pairs the tool scores 90+).
What the tool's scores show:

- the query's words are each compared with their best list word, and the list's other words
  cost nothing ("PUTIN" scores 100 against "PUTIN, Vladimir");
- words of one or two letters of a longer query are ignored ("KIM JONG UN" scores 100
  against "KIM, Jong Man");
- a query word that fits no list word costs its whole share ("GEORGE BUSH" scores 50
  against "HASWANI, George");
- the whole name is also compared as written ("VLADIMIR PUTIN" / "VLADIMIR BILIY": 90),
  and the list name's first word counts on its own ("PABLO ESCOBAR" / "ESCOBAR GAVIRIA,
  Roberto De Jesus": 90).

Unlike the tool, a query in another script is read in Latin letters first (the tool returns
nothing for "Владимир Путин"): an emulation must never be the reason a name goes unscreened.
Pure: rapidfuzz and jellyfish do the string work in compiled code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from anyascii import anyascii
from jellyfish import soundex
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

# A query word whose best list word is less alike than this counts 0 ("bush" / "haswani").
PART_MIN = 0.70
# Words this short are left out of a longer query ("kim jong un": "un").
SHORT_WORD = 2
# A query word sounding like a list word (same Soundex code) is lifted halfway to this.
SOUNDEX_LIFT = 0.85
# The best query word against the list name's first word, at this share ("escobar").
LEAD_WORD_FACTOR = 0.89
# The tool's scores run about one point above these comparisons: added, capped at 100.
CALIBRATION = 0.01

_PUNCTUATION = re.compile(r"[^a-z0-9 ]+")


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case Latin words: apostrophes dropped ("o'brien" -> "obrien"), hyphens split."""
    folded = anyascii(text).lower().replace("'", "").replace("-", " ")
    return tuple(_PUNCTUATION.sub(" ", folded).split())


@dataclass(frozen=True, slots=True)
class OfacName:
    """A name read the way the scorer compares it."""

    words: tuple[str, ...]
    whole: str
    sounds: frozenset[str]

    @classmethod
    def of(cls, text: str) -> OfacName:
        words = words_of(text)
        return cls(words, " ".join(words), frozenset(soundex(w) for w in words if w.isalpha()))

    @property
    def query_words(self) -> tuple[str, ...]:
        """The words a query is scored on: its words of three letters or more, else all."""
        return tuple(w for w in self.words if len(w) > SHORT_WORD) or self.words


@dataclass(frozen=True, slots=True)
class OfacScore:
    """The score and the three comparisons it is the best of (for the explanation)."""

    score: float
    whole: float
    parts: float
    lead: float
    part_scores: tuple[tuple[str, str, float], ...]


def _part(word: str, listed: OfacName) -> tuple[str, float]:
    best, best_word = 0.0, ""
    for other in listed.words:
        similarity = JaroWinkler.similarity(word, other)
        if similarity > best:
            best, best_word = similarity, other
    if best < SOUNDEX_LIFT and word.isalpha() and soundex(word) in listed.sounds:
        best = (best + SOUNDEX_LIFT) / 2
    return best_word, best if best >= PART_MIN else 0.0


def score(query: OfacName, listed: OfacName) -> OfacScore:
    """The emulated tool score of a list name for a query, in [0, 1]."""
    if not query.words or not listed.words:
        return OfacScore(0.0, 0.0, 0.0, 0.0, ())
    words = query.query_words
    whole = JaroWinkler.similarity(query.whole, listed.whole)
    parts = tuple((word, *_part(word, listed)) for word in words)
    part_mean = sum(p[2] for p in parts) / len(parts)
    first = listed.words[0]
    lead = LEAD_WORD_FACTOR * max(JaroWinkler.similarity(word, first) for word in words)
    best = min(1.0, max(whole, part_mean, lead) + CALIBRATION)
    return OfacScore(best, whole, part_mean, lead, parts)


def score_texts(query: str, listed: str) -> float:
    return score(OfacName.of(query), OfacName.of(listed)).score


class OfacCandidates:
    """List names worth scoring for a query: those holding a word a query word can count on.

    A query word counts when a list word is within `PART_MIN` of it, or sounds the same
    (Soundex). A list name holding no such word scores at most its whole-name Jaro-Winkler:
    the screener adds the main index's candidates for those. The sweep runs over the distinct
    list words (about a quarter of the word occurrences), in rapidfuzz's compiled loop.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.names = [OfacName.of(text) for text in texts]
        holders: dict[str, list[int]] = {}
        for name_id, name in enumerate(self.names):
            for word in set(name.words):
                holders.setdefault(word, []).append(name_id)
        self.vocabulary = list(holders)
        self._holders = [holders[w] for w in self.vocabulary]
        self._sounding: dict[str, list[int]] = {}
        for position, word in enumerate(self.vocabulary):
            if word.isalpha():
                self._sounding.setdefault(soundex(word), []).append(position)

    def of(self, query: OfacName) -> set[int]:
        positions: set[int] = set()
        for word in query.query_words:
            positions.update(
                position
                for _, _, position in process.extract_iter(
                    word, self.vocabulary, scorer=JaroWinkler.similarity, score_cutoff=PART_MIN
                )
            )
            if word.isalpha():
                positions.update(self._sounding.get(soundex(word), ()))
        found: set[int] = set()
        for position in positions:
            found.update(self._holders[position])
        return found
