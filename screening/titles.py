"""Titles written before a person's name in other scripts than Latin ("السيد", "г-н", "श्री"), left out of its reading.

rigour's person prefixes make Latin titles ("Mr", "Dr") function words; a title in Arabic,
Cyrillic or Devanagari script was transliterated into a name word instead ("alsyd", "g n"), which
the list name lacks: "السيد حسن نصر الله" (Mr Hassan Nasrallah) met NASRALLAH, Hasan only by
brute force (0.847), not through the index, and "آقای علی خامنه‌ای" (Mr Ali Khamenei) met nothing.
The titles are data (screening/data/person_titles.txt); a leading title is dropped
only when `NAME_WORDS_AFTER_TITLE` words follow it, since some are given names too (El-Sayed).
"""

from __future__ import annotations

import functools
from pathlib import Path

from screening.normalize import clean_text

TITLES_FILE = Path(__file__).parent / "data" / "person_titles.txt"
# Name words that must follow a title for it to be left out.
# e.g. "السيد حسن نصر الله" -> "حسن نصر الله"; "السيد البدوي" keeps both words (El-Sayed El-Badawi).
NAME_WORDS_AFTER_TITLE = 2


PERSON_ONLY = "person only:"


@functools.lru_cache(maxsize=2)
def _titles(person: bool) -> dict[str, tuple[tuple[str, ...], ...]]:
    """First word -> every title (as clean tokens) starting with it, longest first."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for number, line in enumerate(TITLES_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        title, _, meaning = (part.strip() for part in line.partition("#"))
        if not title or (meaning.startswith(PERSON_ONLY) and not person):
            continue
        tokens = tuple(clean_text(title).split())
        if not tokens or title.isascii():
            raise ValueError(f"{TITLES_FILE.name} line {number}: {line!r} is no title in a non-Latin script")
        by_first.setdefault(tokens[0], []).append(tokens)
    return {first: tuple(sorted(set(found), key=len, reverse=True)) for first, found in by_first.items()}


def without_leading_titles(text: str, person: bool) -> str:
    """`text` (clean text, `normalize.clean_text`) without the titles it begins with, if enough name words follow.

    `person`: the name is known to be a person's (else of unknown type: "person only" titles stay).
    """
    if text.isascii():
        return text
    titles = _titles(person)
    tokens = text.split()
    start = 0
    while start < len(tokens) and tokens[start] in titles:
        for title in titles[tokens[start]]:
            end = start + len(title)
            if tuple(tokens[start:end]) == title and len(tokens) - end >= NAME_WORDS_AFTER_TITLE:
                start = end
                break
        else:
            break
    return " ".join(tokens[start:]) if start else text
