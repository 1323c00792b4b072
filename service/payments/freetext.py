"""Finding list names and identifiers inside free text (remittance information, MT fields 70/72).

Screening every 1-6 word window of a remittance line against the lists would
cost a hundred engine calls per line and alert on every common word that some
list name contains ("payment", "office", "furniture"). Instead windows are
chosen by the lists themselves:

* a multi-word list name written in the text has two of its words side by side,
  so windows grow around runs of word pairs that are adjacent in some list name
  (in either order: persons are listed SURNAME, Given), holding at least one
  distinctive word (rare across list names, not a generic or stop word), widened
  by up to two words either side so one misspelt word does not hide the name;
  at most six words (longer runs are covered by overlapping six-word windows);
* a one-word list name ("HAMAS") is screened when a distinctive word of the text
  is exactly such a name (vessels excluded: "HAPPINESS" or "GRACE" are vessel
  names and everyday words);
* the chosen windows are screened with a higher threshold than party names.

Identifiers are found by pattern and looked up exactly: BICs (8 or 11
characters), IMO numbers, and other tokens of 7+ characters holding a digit
(passport, registration numbers, wallet addresses).
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from screening.evidence import normalize_identifier
from screening.normalize import normalize_latin
from screening.screener import Screener

GENERIC_WORDS_FILE = Path(__file__).with_name("data") / "generic_words.txt"
MAX_WINDOW = 6
WIDEN = 2
# A word is distinctive when its weight across list names (1.0 for the rarest) is at least this.
DISTINCTIVE_WEIGHT = 0.45
_BIC = re.compile(r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b")
_IMO = re.compile(r"\bIMO\W{0,2}(\d{7})\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def load_word_lists(path: Path = GENERIC_WORDS_FILE) -> tuple[frozenset[str], frozenset[str]]:
    """(stop words, generic words) from the file's [stop] and [generic] sections."""
    sections: dict[str, set[str]] = {"stop": set(), "generic": set()}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            current = line.strip("[]")
            if current not in sections:
                raise ValueError(f"{path} line {number}: unknown section {line}")
        elif line:
            if current is None:
                raise ValueError(f"{path} line {number}: words before a [stop] or [generic] section")
            sections[current].update(normalize_latin(line).split())
    return frozenset(sections["stop"]), frozenset(sections["stop"] | sections["generic"])


@dataclass(frozen=True, slots=True)
class TextIdentifier:
    value: str  # as found in the text
    kind: str  # "bic", "imo" or "identifier"
    hits: tuple[tuple[int, str], ...]  # (designation position, listed identifier type)


class TextScanner:
    """Word tables of one index's list names: built once per index (about 0.2 s), then read-only."""

    def __init__(self, screener: Screener) -> None:
        index = screener.index
        self.stop, self.generic = load_word_lists()
        self.weights = index.token_weights
        name_words: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        singles: set[str] = set()
        # Outlines, not decoded names: a mapped index would decode every name (2.6 s, not 0.2 s).
        for outline in index.outlines():
            words = normalize_latin(outline.text).split()
            for left, right in itertools.pairwise(words):
                pairs.add((left, right) if left <= right else (right, left))
            if len(words) == 1 and outline.designation_type != "vessel":
                singles.add(words[0])
            name_words.update(outline.tokens)
        self.name_words = frozenset(name_words)
        self.pairs = frozenset(pairs)
        self.single_names = frozenset(singles)
        self._identifiers = index

    def distinctive(self, word: str) -> bool:
        return (
            len(word) >= 3
            and not word.isdigit()
            and word not in self.generic
            and word in self.name_words
            and self.weights.get(word, 1.0) >= DISTINCTIVE_WEIGHT
        )

    def windows(self, text: str) -> list[str]:
        """The word windows of `text` worth screening, normalised, in text order, without repeats."""
        words = normalize_latin(text).split()
        chosen: dict[tuple[int, int], None] = {}
        count = len(words)
        start = 0
        while start < count - 1:
            end = start
            while end < count - 1 and self._paired(words[end], words[end + 1]):
                end += 1
            if end > start:  # words[start..end] form a run of list-name pairs
                if any(self.distinctive(w) for w in words[start : end + 1]):
                    self._around(words, start, end + 1, chosen)
                start = end
            else:
                start += 1
        for position, word in enumerate(words):
            if word in self.single_names and self.distinctive(word):
                chosen[(position, position + 1)] = None
        return [" ".join(words[a:b]) for a, b in sorted(chosen)]

    def _paired(self, left: str, right: str) -> bool:
        return ((left, right) if left <= right else (right, left)) in self.pairs

    def _edge(self, word: str) -> bool:
        """May a window begin or end on this word? Not on a stop word or a number."""
        return word not in self.stop and not word.isdigit()

    def _around(self, words: list[str], start: int, end: int, chosen: dict[tuple[int, int], None]) -> None:
        """Windows over the run words[start:end] (stop words at its ends trimmed first): the run
        widened by up to WIDEN words either side (a misspelt word breaks a run) and shortened by
        up to WIDEN words at its end (a run may go on into the words after the name); a run longer
        than six words in windows of four to six words."""
        while start < end and not self._edge(words[start]):
            start += 1
        while end > start and not self._edge(words[end - 1]):
            end -= 1
        if end - start > MAX_WINDOW:
            spans = [(a, a + size) for size in range(4, MAX_WINDOW + 1) for a in range(start, end - size + 1)]
        else:
            spans = [
                (a, b)
                for a in range(max(0, start - WIDEN), start + 1)
                for b in range(end - WIDEN, min(len(words), end + WIDEN) + 1)
                if 2 <= b - a <= MAX_WINDOW and b > start + 1
            ]
        for a, b in spans:
            edges = self._edge(words[a]) and self._edge(words[b - 1])
            if edges and any(self.distinctive(w) for w in words[a:b]):
                chosen[(a, b)] = None

    def identifiers(self, text: str) -> list[TextIdentifier]:
        """BICs, IMO numbers and other identifier-like tokens of `text` that a designation carries."""
        found: list[TextIdentifier] = []
        seen: set[str] = set()
        index = self._identifiers
        upper = text.upper()
        for match in _IMO.finditer(text):
            value = match.group(1)
            hits = index.identifier_hits(normalize_identifier(value))
            if hits and value not in seen:
                seen.add(value)
                found.append(TextIdentifier(match.group(0), "imo", hits))
        for match in _BIC.finditer(upper):
            value = match.group(0)
            hits = bic_hits(index, value)
            if hits and value not in seen:
                seen.add(value)
                found.append(TextIdentifier(value, "bic", hits))
        for token in _TOKEN.findall(upper):
            if len(token) < 7 or token in seen or not any(c.isdigit() for c in token):
                continue
            hits = index.identifier_hits(normalize_identifier(token))
            if hits:
                seen.add(token)
                found.append(TextIdentifier(token, "identifier", hits))
        return found


# The word tables of the latest index this process screened payments against: one per process,
# not per PaymentScreener, so that a server parent can build them before forking its workers
# (service/http/prefork.py) and every worker reads the parent's pages.
_latest: tuple[Screener, TextScanner] | None = None
_latest_lock = threading.Lock()


def scanner_of(screener: Screener) -> TextScanner:
    """The word tables of `screener`'s index: built on first use, then reused until the next index."""
    global _latest
    latest = _latest
    if latest is not None and latest[0] is screener:
        return latest[1]
    with _latest_lock:
        latest = _latest
        if latest is None or latest[0] is not screener:
            latest = (screener, TextScanner(screener))
            _latest = latest
    return latest[1]


def bic_hits(index: object, bic: str) -> tuple[tuple[int, str], ...]:
    """Designations listing this BIC as a SWIFT/BIC, as written, as its 8-character institution
    code (a branch of a listed bank) or with the primary office's XXX branch."""
    value = normalize_identifier(bic)
    keys = [value]
    if len(value) == 11:
        keys.append(value[:8])
    elif len(value) == 8:
        keys.append(value + "XXX")
    hits: dict[int, str] = {}
    for key in keys:
        for position, kind in index.identifier_hits(key):  # type: ignore[attr-defined]
            if kind == "swift_bic":
                hits.setdefault(position, key)
    return tuple(hits.items())
