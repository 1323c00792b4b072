"""The Screener: a query in, the designations it may be out, ranked and explained.

Name candidates come from the index and are scored by the matching core; per
designation the best-scoring name counts; secondary evidence (DOB, country,
gender, type, identifiers) moves the score a little; an exact strong identifier
is decisive on its own. Fails closed: with no designations it refuses to screen.

Immutable once built: to change lists, build a new Screener and swap the reference.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import cython

from lists.model import Designation
from screening.algorithms import BALANCED, OFAC_SLS, get_algorithm
from screening.evidence import (
    MAX_POSITIVE_EFFECT,
    MIN_STRONG_IDENTIFIER_LENGTH,
    DesignationFacts,
    EvidenceItem,
    QueryFacts,
    evaluate,
)
from screening.explanation import Explanation
from screening.index import DEFAULT_CANDIDATES, MIN_CANDIDATES, MIN_SHARE, TIE_LIMIT, NameIndex
from screening.names import (
    AnalyzedName,
    NameScore,
    analyze_name,
    clear_similarity_memo,
    name_similarity,
    score_names,
)
from screening.ofac_screening import OfacScreening
from screening.query import Match, Query, ScreeningResult
from screening.thresholds import DEFAULT_THRESHOLD
from screening.translit import is_chinese_syllable, is_east_asian_syllable
from screening.truncation import (
    CutQuery,
    NamePrefixes,
    cut_candidates,
    given_names_first,
    keeps_a_name_word,
    legal_form_words,
    may_be_cut,
    without_last_word,
)

# A weak alias ("low quality" a.k.a.) is weaker evidence than a strong one.
WEAK_ALIAS_FACTOR = 0.92
# Designations whose best candidate name scored within this margin below the point where
# evidence could still lift it over the threshold get their other names scored too.
EXPAND_MARGIN = 0.10
EXPAND_NAMES = 25
# Identifier types that may be confused with each other in customer files.
_INTERCHANGEABLE_IDS = frozenset({"passport", "national_id", "tax_id", "registration_number", "uscc"})
# Analysed query names, by (name, type): customer files and retried requests repeat names,
# and analysis (transliteration, phonetics) is a fifth of an uncached query's time.
QUERY_CACHE_SIZE = 4096
# A list name met only once cut where the query was cut (`screening.truncation`) scores this
# much of its cut score: what the field cut off is unseen, and an uncut match ranks first.
CUT_FACTOR = 0.97
CUT_CACHE_SIZE = 4096
# A list name that is one acronym of this many letters or fewer is not met by the initials of a
# query of LONG_NAME_WORDS or more words alone (`_only_an_acronym_of`).
SHORT_ACRONYM_LETTERS = 3
LONG_NAME_WORDS = 3
# A cut query (or its words before the stub) that begins more list names than this says too
# little to add them all. On the cut-name benchmark 50 finds what 200 does (2,933 of 3,183
# names, 2,893 without the lookup) at 0.51 ms a cut query, not 0.72.
PREFIX_NAMES_MAX = 50


@functools.lru_cache(maxsize=QUERY_CACHE_SIZE)
def _analyze_query(name: str, type_: str) -> AnalyzedName:
    """`analyze_name` of a query (pure: the same name and type always give the same analysis)."""
    return analyze_name(name, type_)  # type: ignore[arg-type]


# One name per lazily loaded reading table (Korean readings of Han characters, Japanese
# readings, Hangul, Cyrillic, Arabic): loading a table takes up to half a second, which must
# happen while the index is built, not inside the first query that needs it.
_WARM_UP_NAMES = (
    "金正恩",
    "田中太郎",
    "山田花子",
    "김정은",
    "Gim Jeong-eun",
    "Владимир Путин",
    "محمد علي",
    "Ελένη",
)


@functools.lru_cache(maxsize=CUT_CACHE_SIZE)
def _analyze_cut(text: str, type_: str) -> AnalyzedName:
    """`analyze_name` of a list name cut like a query (repeated payments repeat the cut)."""
    return analyze_name(text, type_)  # type: ignore[arg-type]


def _load_reading_tables() -> None:
    for name in _WARM_UP_NAMES:
        analyze_name(name, "any")
    # The Korean and Chinese syllable tables that tell a typo from another syllable (40 ms),
    # read by the first pair of short words one keystroke apart.
    is_east_asian_syllable("kim")


def clear_query_cache() -> None:
    """Forget what earlier queries left in the caches: analysed query names and token-pair similarities.

    For benchmarks, which time queries the caches have not seen.
    """
    _analyze_query.cache_clear()
    _analyze_cut.cache_clear()
    clear_similarity_memo()


class NoListsLoaded(RuntimeError):
    """Screening was asked of lists that are not loaded: never answer "clear" against nothing."""


@dataclass(frozen=True)
class ScreenerStats:
    designations: int
    names: int
    keys: int
    identifiers: int
    build_seconds: float
    lists: dict[str, int]


@cython.dataclasses.dataclass
@cython.cclass
class _Best:
    score: cython.double  # name score after the weak-alias factor
    name_id: cython.int
    name_score: NameScore | None
    cut: str | None = None  # the list name cut like the query, when that scored best


def _organisation_forms(analyzed: AnalyzedName, person_tokens: frozenset[str]) -> tuple[str, ...]:
    """Legal forms in a name that only an organisation carries ("doo", "llc", "gmbh").

    Left out: two-letter forms ("ag", "sa", "ao"), Mandarin syllables ("pao") and any form that
    is also a word of a listed person's name ("sad" is a legal form and the name Sa'd): they are
    initials or name parts of persons as often as legal forms.
    """
    return tuple(
        form
        for form in analyzed.legal_forms
        if len(form) >= 3 and form.isalpha() and form not in person_tokens and not is_chinese_syllable(form)
    )


def _acronyms_of(analyzed: AnalyzedName) -> frozenset[str]:
    """The initials of runs of the query's words, in any of its spellings, that are not words of it."""
    keys: set[str] = set()
    for spelling in analyzed.spellings:
        keys.update(spelling.acronym_keys)
    return frozenset(keys - set(analyzed.tokens))


def _only_an_acronym_of(
    listed: AnalyzedName, kind: str, query: AnalyzedName, acronyms: frozenset[str]
) -> bool:
    """Whether a list name would meet the query only as an acronym it must not be read as.

    - A weak alias is never matched as the acronym of a longer query: "SSB" (a low-quality
      a.k.a.) is not "Schmidt, Sanchez and Baker".
    - A short acronym (SHORT_ACRONYM_LETTERS or fewer) that is the whole list name is not met by
      the initials of a long company name (LONG_NAME_WORDS or more words) on their own: three
      letters are shared by chance by many long names.
    """
    tokens = listed.tokens
    if len(tokens) >= len(query.tokens) or not any(t in acronyms for t in tokens):
        return False
    if kind == "weak":
        return True
    return (
        len(tokens) == 1 and len(tokens[0]) <= SHORT_ACRONYM_LETTERS and len(query.tokens) >= LONG_NAME_WORDS
    )


def _ids_compatible(query_kind: str | None, listed_kind: str) -> bool:
    if query_kind is None or query_kind == listed_kind:
        return True
    return query_kind in _INTERCHANGEABLE_IDS and listed_kind in _INTERCHANGEABLE_IDS


class Screener:
    """Screens queries against a fixed set of designations."""

    def __init__(
        self,
        designations: Iterable[Designation],
        list_versions: Mapping[str, str] | None = None,
        default_threshold: float = DEFAULT_THRESHOLD,
        candidates: int = DEFAULT_CANDIDATES,
    ) -> None:
        started = time.perf_counter()
        self._index = NameIndex(list(designations))
        self._facts = [DesignationFacts.of(d) for d in self._index.designations]
        self.list_versions: dict[str, str] = dict(list_versions or {})
        self.default_threshold = default_threshold
        self.candidate_limit = candidates
        counts: dict[str, int] = {}
        for code in self._index.designation_list:
            counts[code] = counts.get(code, 0) + 1
        self._loaded_lists = frozenset(counts)
        designations = self._index.designations
        names = self._index.names
        person = [designations[name.designation].type.value == "person" for name in names]
        # Persons also given names first: the order a payment writes them in.
        self._prefixes = NamePrefixes(
            (text, name_id)
            for name_id, name in enumerate(names)
            for text in (name.text, given_names_first(name.text) if person[name_id] else None)
            if text
        )
        self._form_words = legal_form_words(name.text for name, p in zip(names, person, strict=True) if not p)
        _load_reading_tables()
        self._ofac = OfacScreening(self)
        self.stats = ScreenerStats(
            designations=len(self._index.designations),
            names=len(self._index.names),
            keys=len(self._index.postings),
            identifiers=len(self._index.identifiers),
            build_seconds=round(time.perf_counter() - started, 3),
            lists=counts,
        )

    @property
    def index(self) -> NameIndex:
        return self._index

    # --- screening -----------------------------------------------------------------------------

    def screen(self, query: Query, *, exhaustive: bool = False) -> ScreeningResult:
        """Screen one query. `exhaustive=True` scores every list name (the brute-force reference)."""
        allowed = self._allowed_lists(query)
        analyzed = _analyze_query(query.name, query.type)
        if query.algorithm is not None and get_algorithm(query.algorithm) is OFAC_SLS:
            return self._ofac.screen(query, analyzed, allowed, exhaustive)
        threshold = query.threshold if query.threshold is not None else self.default_threshold
        index = self._index
        name_ids = (
            index.all_names(allowed)
            if exhaustive
            else index.candidates(
                analyzed, allowed, self.candidate_limit, MIN_SHARE, MIN_CANDIDATES, TIE_LIMIT
            )
        )
        cut = may_be_cut(query.name) if query.truncated is None else query.truncated
        cut_query = CutQuery.of(query.name) if cut else None
        if cut_query is not None and not exhaustive:
            name_ids = self._with_prefix_candidates(name_ids, cut_query, allowed)
        facts = QueryFacts.of(query, _organisation_forms(analyzed, index.person_tokens))
        no_facts = facts.empty
        no_lift = facts.can_only_lower
        # Below this name score a designation can neither alert nor get its other names
        # scored: the scorer may cut such candidates short (reporting them as 0).
        floor = threshold - (0.0 if no_lift else MAX_POSITIVE_EFFECT) - EXPAND_MARGIN
        best: dict[int, _Best] = {}
        scored_ids = set(name_ids)
        self._score_into(best, analyzed, name_ids, floor, cut_query)
        if not exhaustive:
            # A designation that came close on one name gets all its names scored: its best
            # name (say the original-script one) may not have ranked among the candidates.
            # A designation already at the highest score keeps its name: ties never replace it.
            # Its twins (the same person on another list, `NameIndex.twins_of`) get theirs scored too.
            close = [p for p, b in best.items() if floor <= b.score]
            expand = [p for p in close if best[p].score < 1.0]
            seen = set(close)
            lists = index.designation_list
            for position in close:
                for twin in index.twins_of(position):
                    if twin not in seen and (allowed is None or lists[twin] in allowed):
                        seen.add(twin)
                        expand.append(twin)
            for position in expand:
                others = [i for i in index.names_of(position) if i not in scored_ids]
                self._score_into(best, analyzed, others[:EXPAND_NAMES], floor, cut_query)
        decisive = self.identifier_hits(facts, allowed)
        scored: list[tuple[float, int, list[EvidenceItem]]] = []
        for position, candidate in best.items():
            if position in decisive:
                continue
            if candidate.score + (0.0 if no_lift else MAX_POSITIVE_EFFECT) < threshold:
                continue
            effect, items = (0.0, []) if no_facts else evaluate(facts, self._facts[position])
            final = min(1.0, max(0.0, candidate.score + effect))
            if final >= threshold:
                scored.append((final, position, items))
        for position in decisive:
            items = [] if no_facts else evaluate(facts, self._facts[position])[1]
            scored.append((1.0, position, items))
        designations = index.designations
        # Ties in a stable order: entity id, then primary name, then list position.
        scored.sort(
            key=lambda s: (-s[0], designations[s[1]].entity_id, designations[s[1]].primary_name, s[1])
        )
        matches = [
            self._match(query, analyzed, final, position, best.get(position), decisive.get(position), items)
            for final, position, items in scored[: query.limit]
        ]
        # Built without re-validation: every field comes from validated or computed data.
        return ScreeningResult.model_construct(
            query=query,
            decision="hit" if matches else "clear",
            threshold=threshold,
            list_versions=dict(self.list_versions),
            matches=matches,
            algorithm=BALANCED.name,
            algorithm_version=BALANCED.version,
        )

    def _with_prefix_candidates(
        self, name_ids: list[int], cut_query: CutQuery, allowed: frozenset[str] | None
    ) -> list[int]:
        """`name_ids` and the list names that begin with the query, or with its words before the stub.

        A stub ("DUBAI WAT") is a word no list name has, and a cut name of generic words
        ("JOINT STOCK COMPANY RESEARCH AND DE") shares its keys with dozens of names: the
        candidate ranking may keep others than the names it was cut from. Measured on the
        cut-name benchmarks, candidates of the words without the stub, or of the list words
        the stub begins, found no list name more than these two lookups, and one more of 677
        spelling variants: for 0.36 ms a query.
        """
        head = CutQuery.of(without_last_word(cut_query.name))
        extra = self._index.in_lists(
            [
                *self._prefixes.beginning_with(cut_query, PREFIX_NAMES_MAX),
                *self._prefixes.beginning_with(head, PREFIX_NAMES_MAX),
            ],
            allowed,
        )
        seen = set(name_ids)
        return [*name_ids, *(i for i in dict.fromkeys(extra) if i not in seen)]

    def _score_into(
        self,
        best: dict[int, _Best],
        analyzed: Any,
        name_ids: Iterable[int],
        floor: float,
        cut_query: CutQuery | None = None,
    ) -> None:
        """Score names and keep, per designation, the best-scoring one (scores below `floor` may be 0).

        With `cut_query` (a query name that may have been cut by a field limit) each name is
        also scored cut the same way, and the better of the two counts.
        """
        names = self._index.names
        weights = self._index.token_weights
        weak_floor = floor / WEAK_ALIAS_FACTOR
        query_acronyms = _acronyms_of(analyzed)
        for name_id in name_ids:
            name = names[name_id]
            if query_acronyms and _only_an_acronym_of(name.analyzed, name.kind, analyzed, query_acronyms):
                continue
            if name.kind == "weak":
                factor, name_floor = WEAK_ALIAS_FACTOR, weak_floor
            else:
                factor, name_floor = 1.0, floor
            score = factor * name_similarity(analyzed, name.analyzed, weights, name_floor)
            cut = None
            if cut_query is not None and score < factor:
                score, cut = self._cut_score(analyzed, cut_query, name, factor, name_floor, score)
            current: _Best | None = best.get(name.designation)
            # Equal scores keep the name met first: candidates come best-ranked first (the name
            # sharing most keys with the query), ties in name-id order, so the choice is stable.
            if current is None or score > current.score:
                best[name.designation] = _Best(score, name_id, None, cut)

    def _cut_score(
        self, analyzed: Any, cut_query: CutQuery, name: Any, factor: float, floor: float, score: float
    ) -> tuple[float, str | None]:
        """(score, cut text) of `name` cut like the query, when that beats `score`; else (score, None)."""
        designation_type = self._index.designations[name.designation].type.value
        weights = self._index.token_weights
        found = None
        for text in cut_candidates(name.text, cut_query, person=designation_type == "person"):
            cut = _analyze_cut(text, designation_type)
            if not keeps_a_name_word(
                cut.tokens, analyzed.tokens, name.analyzed.tokens, self._form_words, weights
            ):
                continue
            cut_score = factor * CUT_FACTOR * name_similarity(analyzed, cut, weights, floor)
            if cut_score > score:
                score, found = cut_score, text
        return score, found

    def screen_many(self, queries: Iterable[Query]) -> list[ScreeningResult]:
        return [self.screen(q) for q in queries]

    def screen_brute_force(self, query: Query) -> ScreeningResult:
        """The same screening with every list name scored: the recall reference for the index."""
        return self.screen(query, exhaustive=True)

    # --- helpers -------------------------------------------------------------------------------

    def _allowed_lists(self, query: Query) -> frozenset[str] | None:
        if not self._loaded_lists:
            raise NoListsLoaded("no sanctions list is loaded: refusing to screen (load a list first)")
        if not query.lists:
            return None
        wanted = frozenset(code.strip().lower() for code in query.lists)
        missing = wanted - self._loaded_lists
        if missing:
            raise NoListsLoaded(
                f"list(s) not loaded: {', '.join(sorted(missing))}; "
                f"loaded: {', '.join(sorted(self._loaded_lists))}"
            )
        return wanted

    def identifier_hits(self, facts: QueryFacts, allowed: frozenset[str] | None) -> dict[int, dict[str, str]]:
        if not facts.identifiers:
            return {}
        hits: dict[int, dict[str, str]] = {}
        lists = self._index.designation_list
        for kind, value in facts.identifiers:
            if len(value) < MIN_STRONG_IDENTIFIER_LENGTH:
                continue
            for position, listed_kind in self._index.identifier_hits(value):
                if allowed is not None and lists[position] not in allowed:
                    continue
                if _ids_compatible(kind, listed_kind) and position not in hits:
                    hits[position] = {"type": listed_kind, "value": value}
        return hits

    def _match(
        self,
        query: Query,
        analyzed: Any,
        final: float,
        position: int,
        best: _Best | None,
        identifier: dict[str, str] | None,
        evidence: list[EvidenceItem],
    ) -> Match:
        designation = self._index.designations[position]
        names = self._index.names
        # Found by identifier alone: explained against the designation's primary name (filed first).
        name_id = self._index.names_of(position)[0] if best is None else best.name_id
        name = names[name_id]
        cut = best.cut if best is not None else None
        compared = name.analyzed if cut is None else _analyze_cut(cut, designation.type.value)
        # Per-token explanations cost time: built only for the matches reported.
        result = score_names(analyzed, compared, self._index.token_weights, explain=True)
        best = _Best(best.score if best is not None else result.score, name_id, result, cut)
        explanation = _explain(query, name.text, name.kind, best, final, identifier, evidence)
        return Match.model_construct(
            entity_id=designation.entity_id,
            list=designation.list.value,
            type=designation.type.value,
            programs=list(designation.programs),
            name=designation.primary_name,
            matched_name=name.text,
            matched_name_kind=name.kind,
            score=round(final, 4),
            explanation=explanation,
        )


def _explain(
    query: Query,
    matched: str,
    kind: str,
    best: _Best,
    final: float,
    identifier: dict[str, str] | None,
    evidence: list[EvidenceItem],
) -> Explanation:
    """The analyst-readable why: token matches, each piece of evidence and a one-line summary."""
    result = best.name_score
    assert result is not None  # `_match` scored the name with its explanation
    # Plain data validated in one call (`Explanation.model_validate`): a model per token cost twice as much.
    tokens = [
        {
            "query_token": t.query_token,
            "list_token": t.list_token,
            "how": t.how,
            "score": round(t.score, 4),
            "weight": round(t.weight, 4),
        }
        for t in result.token_matches
    ]
    pieces = [f"{kind} name '{matched}' scored {best.score:.2f} against '{query.name}'"]
    name_part: dict[str, object] = {
        "query": query.name,
        "matched": matched,
        "kind": kind,
        "score": round(result.score, 4),
        "tokens": tokens,
        "notes": list(result.notes),
    }
    if kind == "weak":
        name_part["weak_alias_factor"] = WEAK_ALIAS_FACTOR
    if best.cut is not None:
        # The query fills a field limit: it was compared with the list name cut the same way.
        name_part["cut"] = {"compared_with": best.cut, "cut_factor": CUT_FACTOR}
        pieces[0] = (
            f"{kind} name '{matched}', cut like the query to '{best.cut}' (a payment field's "
            f"length limit), scored {best.score:.2f} against '{query.name}'"
        )
    if identifier:
        pieces.insert(0, f"exact {identifier['type']} {identifier['value']} match (decisive)")
    for item in evidence:
        pieces.append(f"{item.kind} {item.effect:+.2f} ({item.detail})")
    return Explanation.model_validate(
        {
            "summary": "; ".join(pieces) + f" -> {final:.2f}",
            "name": name_part,
            "evidence": evidence,
            "identifier": {**identifier, "decisive": True} if identifier else None,
        }
    )
