"""Screening with `ofac-sls`: the same index and lists, OFAC Sanctions List Search's name score.

Candidates are the list names holding a word a query word can count on (`OfacCandidates`),
plus the main index's own candidates (for names alike only as a whole). Per designation the
best name counts; no secondary evidence moves the score (the tool has none), but an exact
strong identifier is still decisive, as with every algorithm. A query type other than "any"
keeps designations of that type only, as the tool's type filter does.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from screening.algorithms import OFAC_SLS
from screening.evidence import QueryFacts
from screening.explanation import Explanation, IdentifierHit, OfacNameExplanation, TokenExplanation
from screening.index import MIN_CANDIDATES, MIN_SHARE, TIE_LIMIT
from screening.ofac_sls import OfacCandidates, OfacName, OfacScore, score
from screening.query import Match, Query, ScreeningResult

if TYPE_CHECKING:
    from screening.screener import Screener


class OfacScreening:
    """`ofac-sls` over one Screener's index; its word table is built on first use."""

    def __init__(self, screener: Screener) -> None:
        self._screener = screener
        self._lock = threading.Lock()
        self._candidates: OfacCandidates | None = None

    def candidates_table(self) -> OfacCandidates:
        with self._lock:
            if self._candidates is None:
                self._candidates = OfacCandidates([name.text for name in self._screener.index.names])
            return self._candidates

    def candidate_ids(
        self, query: Query, name: OfacName, analyzed: Any, allowed: frozenset[str] | None
    ) -> list[int]:
        index = self._screener.index
        table = self.candidates_table()
        found = table.of(name)
        found.update(
            index.candidates(
                analyzed, allowed, self._screener.candidate_limit, MIN_SHARE, MIN_CANDIDATES, TIE_LIMIT
            )
        )
        return index.in_lists(sorted(found), allowed)

    def screen(
        self, query: Query, analyzed: Any, allowed: frozenset[str] | None, exhaustive: bool
    ) -> ScreeningResult:
        screener = self._screener
        index = screener.index
        table = self.candidates_table()
        threshold = query.threshold if query.threshold is not None else OFAC_SLS.default_threshold
        name = OfacName.of(query.name)
        name_ids = (
            index.all_names(allowed) if exhaustive else self.candidate_ids(query, name, analyzed, allowed)
        )
        designations = index.designations
        wanted_type = None if query.type == "any" else query.type
        best: dict[int, tuple[float, int, OfacScore]] = {}
        for name_id in name_ids:
            listed = index.names[name_id]
            if wanted_type is not None and designations[listed.designation].type.value != wanted_type:
                continue
            result = score(name, table.names[name_id])
            current = best.get(listed.designation)
            if current is None or result.score > current[0]:
                best[listed.designation] = (result.score, name_id, result)
        facts = QueryFacts.of(query, ())
        decisive = screener.identifier_hits(facts, allowed)
        scored = [
            (s, position)
            for position, (s, _, _) in best.items()
            if s >= threshold and position not in decisive
        ]
        scored.extend((1.0, position) for position in decisive)
        scored.sort(
            key=lambda s: (-s[0], designations[s[1]].entity_id, designations[s[1]].primary_name, s[1])
        )
        matches = [
            self._match(query, final, position, best.get(position), decisive.get(position))
            for final, position in scored[: query.limit]
        ]
        return ScreeningResult.model_construct(
            query=query,
            decision="hit" if matches else "clear",
            threshold=threshold,
            list_versions=dict(screener.list_versions),
            matches=matches,
            algorithm=OFAC_SLS.name,
            algorithm_version=OFAC_SLS.version,
        )

    def _match(
        self,
        query: Query,
        final: float,
        position: int,
        best: tuple[float, int, OfacScore] | None,
        identifier: dict[str, str] | None,
    ) -> Match:
        index = self._screener.index
        designation = index.designations[position]
        name_id = index.names_of(position)[0] if best is None else best[1]
        listed = index.names[name_id]
        result = (
            best[2]
            if best is not None
            else score(OfacName.of(query.name), self.candidates_table().names[name_id])
        )
        pieces = [
            f"{listed.kind} name '{listed.text}' scored {result.score:.2f} against '{query.name}' "
            f"(OFAC Sanctions List Search emulation: whole name {result.whole:.2f}, "
            f"name parts {result.parts:.2f}, first list word {result.lead:.2f})"
        ]
        if identifier:
            pieces.insert(0, f"exact {identifier['type']} {identifier['value']} match (decisive)")
        explanation = Explanation(
            summary="; ".join(pieces) + f" -> {final:.2f}",
            name=OfacNameExplanation(
                query=query.name,
                matched=listed.text,
                kind=listed.kind,  # type: ignore[arg-type]  # a NameKind: the index files names under these
                score=round(result.score, 4),
                whole_name=round(result.whole, 4),
                name_parts=round(result.parts, 4),
                first_list_word=round(result.lead, 4),
                tokens=[
                    TokenExplanation(
                        query_token=q,
                        list_token=listed_word,
                        how="jaro-winkler",
                        score=round(part, 4),
                        weight=1.0,
                    )
                    for q, listed_word, part in result.part_scores
                ],
                notes=[],
            ),
            evidence=[],
            identifier=IdentifierHit(type=identifier["type"], value=identifier["value"])
            if identifier
            else None,
        )
        return Match.model_construct(
            entity_id=designation.entity_id,
            list=designation.list.value,
            type=designation.type.value,
            programs=list(designation.programs),
            name=designation.primary_name,
            matched_name=listed.text,
            matched_name_kind=listed.kind,
            score=round(final, 4),
            explanation=explanation,
        )
