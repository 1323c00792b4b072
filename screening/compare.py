"""Score one pair of names with an analyst-readable explanation (library and CLI `compare`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from screening.explanation import ComparisonExplanation, TokenExplanation
from screening.names import NameType, analyze_name, score_names
from screening.thresholds import DEFAULT_THRESHOLD


class Comparison(BaseModel):
    name_a: str
    name_b: str
    type: str
    score: float
    threshold: float
    decision: Literal["match", "no-match"]
    explanation: ComparisonExplanation


def compare(name_a: str, name_b: str, type: str = "any", threshold: float | None = None) -> Comparison:
    """Compare two names as `score_names` does for the screener, with the default weights."""
    name_type: NameType = type if type in ("person", "entity", "vessel", "aircraft") else "any"  # type: ignore[assignment]
    a = analyze_name(name_a, name_type)
    b = analyze_name(name_b, name_type)
    result = score_names(a, b, explain=True)
    cutoff = DEFAULT_THRESHOLD if threshold is None else threshold
    score = round(result.score, 4)
    explanation = ComparisonExplanation(
        tokens_a=list(a.tokens),
        tokens_b=list(b.tokens),
        legal_forms_a=list(a.legal_forms),
        legal_forms_b=list(b.legal_forms),
        token_matches=[TokenExplanation.of(m) for m in result.token_matches],
        notes=list(result.notes),
    )
    return Comparison(
        name_a=name_a,
        name_b=name_b,
        type=name_type,
        score=score,
        threshold=cutoff,
        decision="match" if score >= cutoff else "no-match",
        explanation=explanation,
    )
