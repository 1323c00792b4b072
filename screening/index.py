"""The in-memory candidate index: find the few list names worth scoring for a query.

Built once from the designations of the active list versions: every name
(primary, strong and weak aliases, original-script aliases) is analysed once with
`analyze_name`, and filed under its `index_keys` in an inverted index of compact
integer arrays. A query retrieves the names that share keys with it, ranked by
summed key weight (rare keys count more, very common keys only re-rank), and only
the top few are scored by the expensive pair scorer. Below the ranking's cut, three
kinds of names are scored all the same, because the scorer may alert on them however
low they rank: names lying inside the query or around it (every word of one met by the
other's keys), the few names behind a rare acronym key, and the few holding a one-word
query's word. Strong identifiers (passport, IMO, wallet address...) get their own
exact-value index.

Immutable once built: a list change builds a new index.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

import cython
import numpy as np

from lists.model import AliasStrength, Designation
from screening.evidence import MIN_STRONG_IDENTIFIER_LENGTH, STRONG_IDENTIFIER_TYPES, normalize_identifier
from screening.names import (
    ACRONYM_MAX_WORDS,
    ACRONYM_MIN_WORDS,
    FUNCTION_WORD,
    LAST_WORD_BIT,
    AnalyzedName,
    acronyms_apply,
    analyze_name,
    cache_token_weights,
    index_key_words,
    may_be_spelled_out,
)
from screening.postings import NameFacts, Scratch, best_latin, best_names, ranked_names
from screening.token_weights import compute_token_weights

# How many names the pair scorer sees per query; the rest are ranked out by key weight.
DEFAULT_CANDIDATES = 40
# Keys are used to generate candidates, rarest first, until this many postings were read;
# the remaining (common) keys only re-rank the candidates already found.
POSTINGS_BUDGET = 3000
# At most this many of the common (re-ranking only) keys are looked up, rarest first.
MAX_BOOST_KEYS = 8
# Key weight one name has and the other lacks costs this share of it in the ranking, when
# that name is the fuller one (`key_rank`). Chosen on 1,100 queries against brute force:
# 0.05 found 3 points more brute-force hits than a cosine ranking for 10% more candidates;
# 0.15 found 1.3 points more, 0 (pure coverage) 2.5 for 20% more.
RANK_EXTRA_COST = 0.05
# After the first MIN_CANDIDATES candidates, stop at names ranking below this share of the
# best one. Typo'd short names (`python -m benchmarks.world typos`, 300 variants) meet siblings
# of their source ("ABDUS SAAMD" / "Abdul Samad", 0.89) just past the cut: index recall against
# exhaustive scoring 0.931 at 5, 0.943 at 10 for no measurable time, 0.952 at 20 (+10-20% a
# query), 0.970 at 40 (every query scores 40).
MIN_SHARE = 0.5
MIN_CANDIDATES = 10
# Names ranking within this factor of the last admitted candidate are tied with it and
# scored too, up to TIE_LIMIT candidates.
TIE_TOLERANCE = 0.97
TIE_LIMIT = 100
# Acronym keys, and the word of a one-word query, behind at most this many names always get
# those names scored.
MEETINGS_MAX = 24
# A query written in another script than Latin gets at least this many of the best-ranked names
# written in Latin letters scored: it meets the list's original-script names word for word
# ("الله" in UN names) but Latin names only by sound and skeleton keys, so a name such as
# NASRALLAH, Hasan ranked 44th for "حسن نصر الله", behind 39 Arabic-script names (it was the
# sixth Latin one).
LATIN_NAMES_FOR_OTHER_SCRIPTS = 10
# At most this many names of one designation among the candidates (a designation with
# thirty near-identical aliases must not crowd out every other candidate).
NAMES_PER_DESIGNATION = 3
# A name shared by at most this many designations links them as twins (the same person or
# body on several lists); commoner names link people who merely share them.
TWINS_MAX = 4


@cython.no_gc
@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class IndexedName:
    """One list name: which designation it belongs to, how it is listed, and its analysis.

    An extension type when compiled, as AnalyzedName: read for every candidate scored.
    """

    designation: cython.int  # position in NameIndex.designations
    text: str
    kind: str  # "primary" | "aka" | "weak" | "original-script"
    analyzed: AnalyzedName


class NameOutline(NamedTuple):
    """A list name as word tables over all list names need it (no analysis beyond its tokens)."""

    text: str
    tokens: tuple[str, ...]
    designation_type: str  # "person", "entity", "vessel"...


def _name_kinds(designation: Designation) -> Iterable[tuple[str, str]]:
    yield designation.primary_name, "primary"
    for alias in designation.aliases:
        if alias.script:
            kind = "original-script"
        elif alias.strength == AliasStrength.WEAK:
            kind = "weak"
        else:
            kind = "aka"
        yield alias.name, kind


# Character trigrams of the name tokens are filed too: they catch spellings whose
# phonetic and skeleton keys all differ ("Abdurrahman" / "Abdelrahman").
# Off by default: they double the candidate look-up time for a marginal recall gain on
# the benchmark queries (measured: 0.32 vs 0.14 ms p50).
TRIGRAMS = False


def lookup_keys(name: AnalyzedName) -> frozenset[str]:
    """The matching core's index keys, plus token trigrams ("g:rah") when enabled."""
    if not TRIGRAMS:
        return name.index_keys
    spellings = getattr(name, "script_tokens", None) or (name.tokens,)
    grams = {
        "g:" + token[i : i + 3]
        for tokens in spellings
        for token in tokens
        if len(token) >= 4
        for i in range(len(token) - 2)
    }
    return name.index_keys | grams if grams else name.index_keys


def filed_acronym_keys(name: AnalyzedName) -> set[str]:
    """ "a:<acronym>" for each run of words a list name's acronym may stand for ("a:pla")."""
    if not may_be_spelled_out(name):
        return set()
    return {"a:" + acronym for spelling in name.spellings for acronym in spelling.acronym_keys}


def query_acronym_keys(name: AnalyzedName) -> set[str]:
    """A query's keys that meet list names through acronyms, either way round.

    "a:<token>": the query's word may be a list name's acronym ("PLA" finds "People's
    Liberation Army"); "t:<acronym>": an organisation's words (a query typed entity)
    may spell out a list name's acronym ("Mansudae Overseas Project" finds "MOP").
    """
    if not acronyms_apply(name):
        return set()
    keys: set[str] = set()
    spelled_out = may_be_spelled_out(name)
    for spelling in name.spellings:
        keys.update(
            "a:" + token
            for token in spelling.tokens
            if ACRONYM_MIN_WORDS <= len(token) <= ACRONYM_MAX_WORDS and token.isalpha()
        )
        if spelled_out:
            keys.update("t:" + acronym for acronym in spelling.acronym_keys)
    return keys


# A list word of this many letters is also filed less each one of its letters ("d:hadi" for
# "hamdi"), so that a query word one keystroke off it meets it (`query_typo_keys`).
TYPO_FILED_LETTERS = (3, 5)
# A query word of this many letters that no list name holds is looked up one keystroke off.
TYPO_QUERY_LETTERS = (2, 6)
# ... unless more than this many list names hold it as it is: a common word is no typo.
TYPO_HELD_MAX = 20


def _typo_word(token: str) -> bool:
    return token.isascii() and token.isalpha()


def filed_typo_keys(name: AnalyzedName) -> set[str]:
    """ "d:<word less one letter>" for each short Latin word of a list name ("d:hdi" for "hadi")."""
    low, high = TYPO_FILED_LETTERS
    return {
        "d:" + token[:i] + token[i + 1 :]
        for token in name.tokens
        if low <= len(token) <= high and _typo_word(token)
        for i in range(len(token))
    }


def query_typo_keys(name: AnalyzedName, spans: Mapping[str, tuple[int, str, int, float]]) -> set[str]:
    """Keys meeting list words one keystroke off a short query word that no list name holds.

    The word less a letter ("t:hadi" for "hamdi": a letter inserted or typed twice), its
    neighbours swapped ("t:kim" for "ikm"), and the word itself among the list words filed
    less a letter ("d:hdi" for "hdi": a letter dropped). A typo'd short word beside a common
    one ("HAMDI Abdul" / "HADI, Abdul") otherwise meets its list name only through the common
    word, whose postings rank a hundred other names alike.
    """
    if name.scripts or not name.spellings:
        return set()
    spelling = name.spellings[0]
    low, high = TYPO_QUERY_LETTERS
    keys: set[str] = set()
    for token, kind in zip(spelling.tokens, spelling.kinds, strict=True):
        n = len(token)
        if not low <= n <= high or kind == FUNCTION_WORD or not _typo_word(token):
            continue
        held = spans.get("t:" + token)
        if held is not None and held[0] > TYPO_HELD_MAX:
            continue
        if n >= 3:
            keys.update("t:" + token[:i] + token[i + 1 :] for i in range(n))
        keys.update("t:" + token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(n - 1))
        if n < TYPO_FILED_LETTERS[1]:
            keys.add("d:" + token)
    return keys


# A name with at least this many words (function words aside) all met by the query's keys lies
# inside the query, and the query inside it the other way round: such names are scored below
# the share cut (`NameIndex._add_inside`). Shorter names lie inside too many others.
INSIDE_MIN_WORDS = 3


def word_bits(name: AnalyzedName) -> dict[str, int]:
    """Each lookup key of `name` -> the bits of the words it was made from (trigram keys carry none)."""
    return index_key_words(name.spellings)


def required_words(name: AnalyzedName) -> int:
    """Bits of the main spelling's words, function words aside, if it has INSIDE_MIN_WORDS of them; else 0."""
    if not name.spellings:
        return 0
    sp = name.spellings[0]
    mask = 0
    count = 0
    for i, kind in enumerate(sp.kinds):
        if kind != FUNCTION_WORD:
            mask |= 1 << min(i, LAST_WORD_BIT)
            count += 1
    return mask if count >= INSIDE_MIN_WORDS else 0


def _only_word(query: AnalyzedName) -> str | None:
    """The query's one word when its main spelling has exactly one (function words aside), or
    all its words joined when a list word may be them written apart ("hei ying" / "HEIYING")."""
    spelling = query.spellings[0] if query.spellings else None
    if spelling is None:
        return None
    words = [t for t, kind in zip(spelling.tokens, spelling.kinds, strict=True) if kind != FUNCTION_WORD]
    if len(words) == 1:
        return words[0]
    joined = "".join(spelling.tokens)
    return joined if spelling.joins.get(joined, (0, 0))[1] == len(spelling.tokens) else None


def _query_total(query: AnalyzedName, base_keys: frozenset[str], keys: list) -> float:
    """The query's key weight that a name meeting it wholly would share, its acronym keys aside
    as for list names (fsum is exact in any order).

    A name read several ways ("حسن نصر الله": "hsn nsr allh", and "hsn nsrallh" with "الله"
    joined) is the total of its best-covered reading, not of all readings pooled: a list name
    meets one reading, never all, and with the pool as its measure NASRALLAH, Hasan (meeting
    the joined reading's every word) ranked 57th, behind Arabic-script names holding "الله".
    """
    weights = {key: weight for _, key, _, weight in keys if key in base_keys}
    if len(query.spellings) < 2:
        return math.fsum(weights.values())
    return max(
        math.fsum([weights[key] for key in index_key_words((spelling,)) if key in weights])
        for spelling in query.spellings
    )


class Postings(Mapping[str, np.ndarray]):
    """Key -> its posting array (name ids ascending), as views of the index's flat array.

    Made on demand: a dict holding a view per key cost 26 MB and 0.14 s per index.
    """

    def __init__(self, flat: np.ndarray, spans: Mapping[str, tuple[int, str, int, float]]) -> None:
        self._flat = flat
        self._spans = spans

    def __getitem__(self, key: str) -> np.ndarray:
        size, _, offset, _ = self._spans[key]
        return self._flat[offset : offset + size]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)


class NameIndex:
    """Names, postings, key and token weights and the identifier index of a set of designations."""

    def __init__(self, designations: Sequence[Designation]) -> None:
        self.designations: tuple[Designation, ...] = tuple(designations)
        self.names: list[IndexedName] = []
        self.designation_list: list[str] = [d.list.value for d in self.designations]
        self.identifiers: dict[str, tuple[tuple[int, str], ...]] = {}
        self._build_names()
        self._build_twins()
        self._build_postings()
        self._build_identifiers()

    # --- build ---------------------------------------------------------------------------------

    def _build_names(self) -> None:
        cache: dict[tuple[str, str], AnalyzedName] = {}
        starts: list[int] = []
        for position, designation in enumerate(self.designations):
            starts.append(len(self.names))
            seen: set[str] = set()
            name_type = designation.type.value
            for text, kind in _name_kinds(designation):
                text = text.strip()
                folded = text.casefold()
                if not text or folded in seen:
                    continue
                seen.add(folded)
                analyzed = cache.get((text, name_type))
                if analyzed is None:
                    analyzed = analyze_name(text, name_type)  # type: ignore[arg-type]
                    cache[(text, name_type)] = analyzed
                self.names.append(IndexedName(position, text, kind, analyzed))
        starts.append(len(self.names))
        # Names of designation p are ids starts[p] .. starts[p + 1] - 1 (filed contiguously).
        self._name_starts = starts

    def _build_twins(self) -> None:
        """Designations sharing a name of at least two words with another designation (CSR arrays).

        The same person listed by OFAC and the UN is two designations whose spellings differ:
        a query meets one of them through the index and the other only through a shared name.
        """
        groups: defaultdict[tuple[str, ...], set[int]] = defaultdict(set)
        for name in self.names:
            tokens = name.analyzed.tokens
            if len(tokens) >= 2:
                groups[tuple(sorted(tokens))].add(name.designation)
        twins: list[set[int]] = [set() for _ in self.designations]
        for positions in groups.values():
            if 2 <= len(positions) <= TWINS_MAX:
                for position in positions:
                    twins[position].update(positions)
        starts = [0]
        flat: list[int] = []
        for position, found in enumerate(twins):
            found.discard(position)
            flat.extend(sorted(found))
            starts.append(len(flat))
        self._twin_starts = np.asarray(starts, dtype=np.int64)
        self._twin_flat = np.asarray(flat, dtype=np.int32)

    def twins_of(self, position: int) -> list[int]:
        """Positions of the designations sharing a name with the one at `position` (`_build_twins`)."""
        return self._twin_flat[self._twin_starts[position] : self._twin_starts[position + 1]].tolist()

    def _build_postings(self) -> None:
        lists: defaultdict[str, list[int]] = defaultdict(list)
        token_sets: list[set[str]] = []
        person_tokens: set[str] = set()
        bit_lists: defaultdict[str, list[int]] = defaultdict(list)
        for name_id, name in enumerate(self.names):
            bits = word_bits(name.analyzed)
            for key in lookup_keys(name.analyzed):
                lists[key].append(name_id)
                bit_lists[key].append(bits.get(key, 0))
            # Filed under its acronyms and its short words less a letter too, but they do not count
            # in the name's total below: only a query that meets one gets ranked by it.
            for key in filed_acronym_keys(name.analyzed) | filed_typo_keys(name.analyzed):
                lists[key].append(name_id)
                bit_lists[key].append(0)
            spellings = getattr(name.analyzed, "script_tokens", None) or (name.analyzed.tokens,)
            token_sets.append({t for tokens in spellings for t in tokens})
            if self.designations[name.designation].type.value == "person":
                person_tokens.update(token_sets[-1])
        # Every word of a listed person's name, in any reading (see Screener: "sad" is a legal
        # form and the name Sa'd).
        self.person_tokens: frozenset[str] = frozenset(person_tokens)
        total = max(len(self.names), 1)
        self.key_weights: dict[str, float] = {
            key: math.log(1.0 + total / len(ids)) for key, ids in lists.items()
        }
        # Every posting list in one flat array (ids ascending within each key), so the compiled
        # ranking reads slices of one buffer.
        self._flat_postings = np.fromiter(
            (name_id for ids in lists.values() for name_id in ids),
            dtype=np.int32,
            count=sum(len(ids) for ids in lists.values()),
        )
        # Beside each posting, the bits of the name's words its key was made from.
        self._flat_word_bits = np.fromiter(
            (bits for key in lists for bits in bit_lists[key]),
            dtype=np.uint32,
            count=len(self._flat_postings),
        )
        # key -> (size, key, offset, weight): sorting these orders keys rarest first.
        self._spans: dict[str, tuple[int, str, int, float]] = {}
        offset = 0
        for key, ids in lists.items():
            self._spans[key] = (len(ids), key, offset, self.key_weights[key])
            offset += len(ids)
        self.postings = Postings(self._flat_postings, self._spans)
        # Distinctiveness of each name token across these list names, for score_names(..., weights),
        # on the matching core's own scale (rare tokens 1.0, the commonest near its floor).
        self.token_weights: dict[str, float] = compute_token_weights(token_sets)
        # Each list spelling's per-token weights, filled now rather than by the first query that
        # scores the name (a twentieth of a fresh query's scoring).
        for name in self.names:
            cache_token_weights(name.analyzed, self.token_weights)
        # Each name's total key weight, which its shared weight with a query is set against
        # (`key_rank`). math.fsum is exact, so the total does not depend on the (hash-seeded)
        # iteration order of the key set: a plain sum differed in the last bit between
        # processes and swapped tied candidates.
        weights = self.key_weights
        self._totals = np.array(
            [math.fsum(weights[k] for k in lookup_keys(name.analyzed)) or 1.0 for name in self.names],
            dtype=np.float64,
        )
        self._name_designation = np.array([name.designation for name in self.names], dtype=np.int32)
        # 1 for a name written in Latin letters, 0 for an original-script one (`best_latin`).
        self._written_latin = np.array(
            [name.kind != "original-script" for name in self.names], dtype=np.uint8
        )
        self._facts = NameFacts(self._totals, [required_words(name.analyzed) for name in self.names])
        self._list_masks: dict[frozenset[str], np.ndarray] = {}
        self._per_thread = threading.local()

    def _build_identifiers(self) -> None:
        found: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
        for position, designation in enumerate(self.designations):
            for ident in designation.identifiers:
                if ident.type not in STRONG_IDENTIFIER_TYPES:
                    continue
                value = normalize_identifier(ident.value, ident.type)
                if (
                    len(value) >= MIN_STRONG_IDENTIFIER_LENGTH
                    and (position, ident.type.value) not in found[value]
                ):
                    found[value].append((position, ident.type.value))
        self.identifiers = {value: tuple(hits) for value, hits in found.items()}

    # --- lookup --------------------------------------------------------------------------------

    def candidates(
        self,
        query: AnalyzedName,
        allowed_lists: frozenset[str] | None = None,
        limit: int = DEFAULT_CANDIDATES,
        min_share: float = 0.0,
        min_count: int = 0,
        tie_limit: int = 0,
    ) -> list[int]:
        """Ids of the names most worth scoring for `query`, best first (at most `limit`).

        After `min_count` names, a name whose key ranking is below `min_share` of the
        best name's ends the list: with one clear leader there is no need to score 40.
        Names tied (within TIE_TOLERANCE) with the last one admitted are still taken, up
        to `tie_limit` in all: a fleet of "FU YUAN YU 86xx" vessels ranks as one group.

        The postings are summed and ranked by `screening.postings` (compiled loops over one
        flat array, a heap for the ranking), so a query costs a few microseconds even when
        it reads thousands of postings; Python only walks the shortlist.
        """
        base_keys = wanted_keys = lookup_keys(query)
        spans = self._spans
        acronym_keys = query_acronym_keys(query)
        typo_keys = query_typo_keys(query, spans)
        if acronym_keys or typo_keys:
            wanted_keys = base_keys | acronym_keys | typo_keys
        keys = sorted([spans[k] for k in wanted_keys if k in spans])
        if not keys:
            return []
        generate: list[tuple[int, int, float, int]] = []
        boost: list[tuple[int, int, float, int]] = []
        read = 0
        # The query's word bits only serve to find the query inside a list name.
        query_required = required_words(query)
        query_bits = word_bits(query) if query_required else {}
        for size, key, offset, weight in keys:
            if read and read + size > POSTINGS_BUDGET:
                if len(boost) < MAX_BOOST_KEYS:  # the commoner keys only re-rank what rarer ones found
                    boost.append((offset, size, weight, query_bits.get(key, 0)))
            else:
                generate.append((offset, size, weight, query_bits.get(key, 0)))
                read += size
        allowed = None if allowed_lists is None else self._list_mask(allowed_lists)
        scratch = self._scratch()
        query_total = _query_total(query, base_keys, keys)
        ranked = ranked_names(
            scratch,
            self._flat_postings,
            self._flat_word_bits,
            self._facts.totals,
            self._facts.required,
            allowed,
            generate,
            boost,
            limit * 8,
            query_total,
            RANK_EXTRA_COST,
            query_required,
        )
        # Chosen before best_names, which reorders the ranked names in place.
        latin = (
            best_latin(scratch, ranked, self._written_latin, LATIN_NAMES_FOR_OTHER_SCRIPTS)
            if query.scripts
            else None
        )
        # Best first, equal rankings in name-id order (primary names first): never an order
        # that varies from run to run.
        chosen = best_names(
            scratch,
            ranked,
            self._name_designation,
            limit,
            min_share,
            min_count,
            tie_limit,
            NAMES_PER_DESIGNATION,
            TIE_TOLERANCE,
        )
        if latin:
            taken = set(chosen)
            chosen.extend(name_id for name_id in latin if name_id not in taken)
        if scratch.inside:
            self._add_inside(chosen, scratch.inside, limit)
        meeting_keys = sorted(acronym_keys)
        word = _only_word(query)
        if word is not None:
            meeting_keys.append("t:" + word)
        if meeting_keys:
            self._add_meetings(chosen, meeting_keys, allowed_lists)
        return chosen

    @staticmethod
    def _add_inside(chosen: list[int], inside: list[tuple[float, int]], limit: int) -> None:
        """Names lying inside the query, or the query inside them, are scored however they rank.

        "AHMAD MAHAMOOD HASSAN" lies inside "AL ASIRI, Ahmad Hassan Mohammed" and scores a hit,
        but its own rare keys, which the query lacks (the bigrams "ahmadmahamood" and
        "mahamoodhassan", the joined skeleton), ranked it at 0.44 of the query's exact
        self-match, under the share cut. The best-ranked such names, up to `limit` candidates.
        """
        room = limit - len(chosen)
        if room <= 0:
            return
        taken = set(chosen)
        for _, name_id in sorted(inside):
            if name_id not in taken:
                chosen.append(name_id)
                room -= 1
                if room == 0:
                    return

    def _add_meetings(
        self, chosen: list[int], meeting_keys: list[str], allowed_lists: frozenset[str] | None
    ) -> None:
        """Names behind a rare acronym key, or a one-word query's rare word, are scored, however they rank.

        One shared acronym key ranks a long name ("Mansudae Overseas Project Group of
        Companies" for "MOP") far below names sharing many ordinary keys. A query of one rare
        word scores high against a long list name holding it ("RAD D.O.O." / "RADULE STEVIC
        B.I., P.T.P. RAD", 0.85), which ranks low for its many keys the query lacks. Such
        meetings are rare, so the few names behind a rare key are always scored.
        """
        postings = self.postings
        mask = self._list_mask(allowed_lists) if allowed_lists is not None else None
        taken = set(chosen)
        for key in meeting_keys:
            found = postings.get(key)
            if found is None or len(found) > MEETINGS_MAX:
                continue
            for name_id in found.tolist():
                if name_id not in taken and (mask is None or mask[name_id]):
                    taken.add(name_id)
                    chosen.append(name_id)

    def _scratch(self) -> Scratch:
        """This thread's work arrays for `ranked_names` (threads must not share them)."""
        scratch: Scratch | None = getattr(self._per_thread, "scratch", None)
        if scratch is None:
            scratch = self._per_thread.scratch = Scratch(len(self.names))
        return scratch

    def _list_mask(self, allowed_lists: frozenset[str]) -> np.ndarray:
        """1 per name id whose designation is on one of the allowed lists, else 0 (uint8)."""
        mask = self._list_masks.get(allowed_lists)
        if mask is None:
            codes = np.array([code in allowed_lists for code in self.designation_list], dtype=np.uint8)
            mask = codes[self._name_designation]
            self._list_masks[allowed_lists] = mask
        return mask

    def in_lists(self, name_ids: list[int], allowed_lists: frozenset[str] | None) -> list[int]:
        """The name ids whose designation is on one of the allowed lists (all of them for None)."""
        if allowed_lists is None:
            return name_ids
        mask = self._list_mask(allowed_lists)
        return [i for i in name_ids if mask[i]]

    def outlines(self) -> list[NameOutline]:
        """Every list name's outline, in name order: cheap on a mapped index, which stores them ready."""
        return [
            NameOutline(name.text, name.analyzed.tokens, self.designations[name.designation].type.value)
            for name in self.names
        ]

    def names_of(self, position: int) -> range:
        """Ids of every name of the designation at `position`."""
        return range(self._name_starts[position], self._name_starts[position + 1])

    def all_names(self, allowed_lists: frozenset[str] | None = None) -> list[int]:
        """Every name id (in the allowed lists): the brute-force candidate set."""
        return self.in_lists(list(range(len(self.names))), allowed_lists)

    def identifier_hits(self, value: str) -> tuple[tuple[int, str], ...]:
        """(designation position, identifier type) for a normalised strong identifier value."""
        return self.identifiers.get(value, ())
