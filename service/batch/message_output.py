"""The results of a message batch: one row per message, and one row per hit in the matches file.

Written like customer-file results (service.batch.output): formula-looking cells
neutralised, files published only once every decision in them is audited, each message
with its reviewed decision, suppressed hits and alert ids (service.batch.message_review).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from service.batch.messages import MessageOutcome
from service.batch.output import ResultsWriter

MESSAGE_RESULT_COLUMNS = (
    "file",
    "message_id",
    "message_type",
    "uetr",
    "decision",
    "hit_count",
    "hits",
    "fields_screened",
    "problem",
    "error",
    "screening_id",
    "suppressed",  # designation hits an accept entry covers (the review room): listed, not holding
    "known_true_match",  # "yes": the message's party has an approved true match
    "alerts",  # the alert ids of the message's live designation hits ("; ")
)
MESSAGE_MATCH_COLUMNS = (
    "file",
    "message_id",
    "field",
    "check",
    "action",
    "party",
    "value",
    "score",
    "entity_id",
    "list",
    "name",
    "matched_name",
    "programs",
    "jurisdiction",
    "explanation",
    "suppressed",  # "yes" when an accept entry covers this hit
    "alert_id",
)


def hit_summary(hit: dict[str, Any]) -> str:
    """'Cdtr/Nm name ofac:52749 0.98 hold': where, what check, what it matched, how sure, what it does."""
    matched = hit["matched"]
    what = matched.get("entity_id") or (matched.get("jurisdiction") or {}).get("id") or "?"
    return f"{hit['field']} {hit['check']} {what} {hit['score']:.2f} {hit['action']}"


def _match_row(outcome: MessageOutcome, hit: dict[str, Any], alert_of: dict[str, str]) -> list[Any]:
    matched = hit["matched"]
    jurisdiction = matched.get("jurisdiction") or {}
    explanation = hit["explanation"]
    return [
        outcome.name,
        outcome.message_id or "",
        hit["field"],
        hit["check"],
        hit["action"],
        hit["party"] or "",
        hit["value"],
        round(hit["score"], 4),
        matched.get("entity_id", ""),
        matched.get("list", ""),
        matched.get("name", ""),
        matched.get("matched_name", ""),
        "; ".join(matched.get("programs") or ()),
        jurisdiction.get("name", ""),
        explanation
        if isinstance(explanation, str)
        else orjson.dumps(explanation, option=orjson.OPT_SORT_KEYS).decode(),
        "yes" if hit.get("suppressed") else "",
        "" if hit.get("suppressed") else alert_of.get(matched.get("entity_id", ""), ""),
    ]


class MessageResultsWriter(ResultsWriter):
    """RESULTS (one row per message) and RESULTS_matches (one row per hit), CSV or XLSX."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path, (), results_header=MESSAGE_RESULT_COLUMNS, matches_header=MESSAGE_MATCH_COLUMNS
        )

    def write_message(self, outcome: MessageOutcome) -> None:
        """One message and its hits, as reviewed (service.batch.message_review), with its alert ids."""
        alert_of = {ref["entity_id"]: ref["alert_id"] for ref in outcome.alerts}
        self.write_cells(
            [
                outcome.name,
                outcome.message_id or "",
                outcome.message_type or "",
                outcome.uetr or "",
                outcome.decision,
                len(outcome.hits) if outcome.decision != "error" else "",
                "; ".join(hit_summary(hit) for hit in outcome.hits),
                outcome.fields_screened if outcome.decision != "error" else "",
                outcome.problem or "",
                outcome.error or "",
                outcome.screening_id or "",
                sum(1 for hit in outcome.hits if hit.get("suppressed")) or "",
                "yes" if outcome.known_true_match else "",
                "; ".join(ref["alert_id"] for ref in outcome.alerts),
            ],
            [_match_row(outcome, hit, alert_of) for hit in outcome.hits],
        )
