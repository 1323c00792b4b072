"""The engine's explanation of a match, laid out for a person: which words met how, what moved the score.

The engine's explanation is a dict made for machines and audits (screening/screener.py
`_explain`); this turns it into rows a compliance analyst reads without the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HOW_LABELS = {
    "exact": "same word",
    "phonetic": "sounds alike",
    "transliterated": "same word in another script",
    "fuzzy": "spelled alike",
    "typo": "one letter off",
    "initial": "initial",
    "acronym": "acronym",
    "abbreviation": "abbreviation",
    "symbol": "same meaning (abbreviation or translation)",
    "missing": "not in the list name",
}

EVIDENCE_LABELS = {
    "dob": "Date of birth",
    "country": "Country",
    "nationality": "Nationality",
    "gender": "Gender",
    "type": "Party type",
    "identifier": "Identifier",
}


@dataclass(frozen=True)
class WordRow:
    query_word: str
    list_word: str | None
    how: str
    how_label: str
    score: float
    weight: float

    @property
    def strength(self) -> str:
        """A CSS class: how strongly this pair of words counts."""
        if self.how == "missing":
            return "none"
        return "strong" if self.score >= 0.95 else "partial"


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    effect: float
    detail: str

    @property
    def direction(self) -> str:
        return "up" if self.effect > 0 else "down" if self.effect < 0 else "none"


@dataclass(frozen=True)
class Explanation:
    summary: str
    name_score: float | None
    words: list[WordRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    identifier: str | None = None  # an exact identifier match, decisive on its own
    cut_to: str | None = None  # the list name cut like a payment field's limit cut the query
    weak_alias_factor: float | None = None


def explain(raw: dict[str, Any]) -> Explanation:
    """The person's view of one match's explanation; unknown keys are ignored, never fatal."""
    name = raw.get("name") or {}
    words = [
        WordRow(
            query_word=str(token.get("query_token", "")),
            list_word=token.get("list_token"),
            how=str(token.get("how", "")),
            how_label=HOW_LABELS.get(str(token.get("how", "")), str(token.get("how", ""))),
            score=float(token.get("score") or 0.0),
            weight=float(token.get("weight") or 0.0),
        )
        for token in name.get("tokens") or []
    ]
    evidence = [
        EvidenceRow(
            label=EVIDENCE_LABELS.get(str(item.get("kind")), str(item.get("kind", "")).capitalize()),
            effect=float(item.get("effect") or 0.0),
            detail=str(item.get("detail", "")),
        )
        for item in raw.get("evidence") or []
    ]
    identifier = raw.get("identifier")
    cut = name.get("cut") or {}
    return Explanation(
        summary=str(raw.get("summary", "")),
        name_score=name.get("score"),
        words=words,
        evidence=evidence,
        notes=[str(note) for note in name.get("notes") or []],
        identifier=f"{identifier.get('type', 'identifier')} {identifier.get('value', '')}".strip()
        if isinstance(identifier, dict)
        else None,
        cut_to=cut.get("compared_with"),
        weak_alias_factor=name.get("weak_alias_factor"),
    )
