"""Names cut by a payment field's length limit, and the list names cut the same way to meet them.

Why: a SWIFT MT or Fedwire name line holds 35 characters, so "MINGZHENG INTERNATIONAL
TRADING LIMITED" arrives as "MINGZHENG INTERNATIONAL TRADING LIM". Scored as written, the
stub "lim" is a stray word and the list name's last word is missing, and a sanctioned
party slips through. A name as long as a field limit may have been cut: it is compared
with each candidate list name cut after as many words, its last word as long as the
query's (`cut_like`). Pure functions, no index.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rapidfuzz.utils import default_process

from screening.legal_forms import split_legal_forms
from screening.normalize import clean_text, tokenize

# Characters a name field holds: SWIFT MT and Fedwire name lines (35), two such lines or an
# ISO 20022 postal line (70), ISO 20022 <Nm> (140).
FIELD_LIMITS = (35, 70, 140)
# A cut list name that looks this little like the query (rapidfuzz ratio, 0-100) is not
# analysed: the cut comparison costs an analysis, the check about a microsecond. The cut-name
# benchmark finds the same 2,933 names at 60, 70 and 80; at 80 its p99 is 2.1 ms, at 60 2.9.
CUT_SIMILARITY_MIN = 80.0
# A cut list name whose only kept evidence is its stub needs a stub this long, of a word
# this distinctive (token weight; "scientific" weighs 0.33, "samolazovskoe" 1.0).
STUB_MIN = 4
STUB_WEIGHT_MIN = 0.6
# A list word this close to a legal form's word is that word misspelt ("OBSHCESTVO",
# "OGRANICHENNO"): one edit in a word of FORM_TYPO_MIN letters, two from twice that.
FORM_TYPO_MIN = 5
_WORD = re.compile(r"[^\W_]+")


def may_be_cut(name: str) -> bool:
    """True when `name` fills a field limit: cut mid-word (as long as the limit) or after a word (one less)."""
    length = len(name.rstrip())
    return any(limit - 1 <= length <= limit for limit in FIELD_LIMITS)


def words(text: str) -> list[str]:
    """The words of a name as a cut counts them: runs of letters and digits."""
    return _WORD.findall(text)


def cut_like(list_name: str, query_words: list[str]) -> str | None:
    """`list_name` cut where the query was: its first words, the last one as long as the query's last.

    The list name's own punctuation is kept ("CO., LTD", "Sa'd"). None when the list name is
    no longer than the query (nothing of it can have been cut off). A listed person's
    "SURNAME, Given names" is also read given names first by the caller.
    """
    count = len(query_words)
    if not count:
        return None
    found = list(itertools.islice(_WORD.finditer(list_name), count + 1))
    if len(found) < count:
        return None
    stub = query_words[-1]
    start, end = found[count - 1].span()
    if len(found) == count and end - start <= len(stub):
        return None
    return list_name[: min(end, start + len(stub))]


def without_last_word(name: str) -> str:
    """The name up to its last word (a cut name's stub), or "" for a name of one word."""
    ends = [m.end() for m in _WORD.finditer(name)]
    return name[: ends[-2]] if len(ends) > 1 else ""


def given_names_first(list_name: str) -> str | None:
    """ "YIN, Kecheng" -> "Kecheng YIN": the order a payment writes a listed person's name in."""
    surname, comma, given = list_name.partition(",")
    if not comma or not given.strip() or not surname.strip():
        return None
    return f"{given.strip()} {surname.strip()}"


@dataclass(frozen=True)
class CutQuery:
    """A query name that may have been cut, with what each list name's cut is measured against."""

    name: str
    words: list[str]
    text: str  # the words, rapidfuzz-processed

    @classmethod
    def of(cls, name: str) -> CutQuery:
        query_words = words(name)
        return cls(name, query_words, default_process(" ".join(query_words)))


class NamePrefixes:
    """List names in letter order, as a cut query reads them: the names a query is the start of.

    A name cut from a list spelling is the start of that spelling, however generic its words
    ("JOINT STOCK COMPANY RESEARCH AND DE"); the candidate index ranks by shared keys, and
    among dozens of names sharing the same generic ones may keep the wrong few.
    """

    def __init__(self, names: Iterable[tuple[str, int]]) -> None:
        entries = sorted({(CutQuery.of(text).text, name_id) for text, name_id in names})
        self._texts = [text for text, _ in entries]
        self._ids = [name_id for _, name_id in entries]

    def beginning_with(self, query: CutQuery, limit: int) -> list[int]:
        """Ids of the names the query begins (more than `limit`: [], too many to say which)."""
        if not query.text:
            return []
        start = bisect.bisect_left(self._texts, query.text)
        end = bisect.bisect_left(self._texts, query.text + "\U0010ffff", start)
        return list(dict.fromkeys(self._ids[start:end])) if end - start <= limit else []


def cut_candidates(list_name: str, query: CutQuery, person: bool) -> list[str]:
    """The cut forms of `list_name` worth scoring against the query (close enough in letters)."""
    sources = [list_name]
    if person:
        reordered = given_names_first(list_name)
        if reordered:
            sources.append(reordered)
    found = []
    for source in sources:
        cut = cut_like(source, query.words)
        if cut is None:
            continue
        if fuzz.ratio(query.text, default_process(cut), score_cutoff=CUT_SIMILARITY_MIN):
            found.append(cut)
    return found


def legal_form_words(names: Iterable[str]) -> frozenset[str]:
    """The words that legal forms are written with in `names` ("obshchestvo", "limited", "s").

    A list name whose legal form is misspelt ("OTVETSTSVENNOSTYU") keeps its form words as
    name words; these, learnt from the names rigour's table reads, tell them apart.
    """
    found: set[str] = set()
    for name in names:
        text = clean_text(name)
        rest, forms = split_legal_forms(text, organisation=True)
        if forms:
            found.update(set(tokenize(text)) - set(tokenize(rest)))
    return frozenset(found)


@functools.lru_cache(maxsize=65536)
def is_form_like(word: str, form_words: frozenset[str]) -> bool:
    """Whether `word` is a legal form's word, or one misspelt (the lists have dozens)."""
    if word in form_words:
        return True
    if len(word) < FORM_TYPO_MIN:
        return False
    edits = 2 if len(word) >= 2 * FORM_TYPO_MIN else 1
    return process.extractOne(word, form_words, scorer=Levenshtein.distance, score_cutoff=edits) is not None


@functools.lru_cache(maxsize=65536)
def _begins_a_form_word(stub: str, form_words: frozenset[str]) -> bool:
    return any(form.startswith(stub) for form in form_words)


def keeps_a_name_word(
    cut_tokens: tuple[str, ...],
    query_tokens: tuple[str, ...],
    full_tokens: tuple[str, ...],
    form_words: frozenset[str],
    weights: Mapping[str, float],
) -> bool:
    """Whether the query and a cut list name share a word of the full name's own, enough to name anyone.

    A whole word that is not a legal form's, or a stub of STUB_MIN letters that begins a
    distinctive word ("SAMOLAZOV" of "SAMOLAZOVSKOE") and no legal form's word.
    "OBSHCHESTVO S OGRANICHENNOI OTVETST" is a legal form cut short and names no one, even
    where the list misspells the form ("OTVETSTSVENNOSTYU", "OTVENNOSTYU"); nor does
    "LIMITED LIABILITY COMPANY SCIENTIFI", whose stub begins a common word.
    """
    shared = set(cut_tokens).intersection(query_tokens)
    if not shared:
        return False
    own = {word for word in full_tokens if not is_form_like(word, form_words)}
    if not own.isdisjoint(shared):
        return True
    stub = cut_tokens[-1]
    if stub not in shared or len(stub) < STUB_MIN or _begins_a_form_word(stub, form_words):
        return False
    return any(word.startswith(stub) and weights.get(word, 1.0) >= STUB_WEIGHT_MIN for word in own)
