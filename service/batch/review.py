"""The review room's part of a batch (issue #20): a row with an id is a screening that names the party.

Before a flush's audit rows are inserted, every row with an id (or with a
match) is reviewed as `/v1/screen` reviews a screening: accept entries mark
their matches suppressed, approved true matches flag the party, and the
decision is settled (`clear` when every match is suppressed). The audit record
and the results files then hold that answer. In the same transaction, each live
hit of a row with an id opens its alert (source "batch"; the subject names the
batch and the row), at most one per party and designation content, ever.

All of it runs in the parent, in a few queries per flush (`service.review.bulk`);
the screening workers never touch the database.
"""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from lists.store import version_id_of_label
from service.batch.io import InputRow
from service.batch.runner import RowOutcome
from service.review.bulk import AlertWanted, Review, known_true_matches_many, open_alerts_all, review_all
from service.review.config import ReviewSettings
from service.review.hits import UNKNOWN_HASH

SOURCE = "batch"


@dataclass(slots=True)
class ScreenedRow:
    """A screened row waiting for its review, audit record and place in the results files."""

    row: InputRow | None
    outcome: RowOutcome
    reference: str | None  # the id column's cell: the party id
    alerts: list[dict[str, Any]] = field(default_factory=list)
    screened_json: str | None = None  # the worker's result JSON: a retried review starts from it again

    @property
    def party_id(self) -> str | None:
        return (self.reference or "").strip() or None


def cli_actor() -> str:
    """Who opened a command-line batch's alerts, as their history shows it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        return "cli"


class BatchReview:
    """Reviews a batch's screened rows and opens their alerts, inside the caller's transaction."""

    def __init__(self, list_versions: Mapping[str, str], settings: ReviewSettings, actor: str) -> None:
        self.version_ids = {code: version_id_of_label(label) for code, label in list_versions.items()}
        self.settings = settings
        self.actor = actor

    def _wanted(self, screened: ScreenedRow) -> bool:
        outcome = screened.outcome
        return outcome.audit is not None and bool(screened.party_id or outcome.matches)

    def apply(self, conn: Connection, rows: Sequence[ScreenedRow], bulk_id: str) -> None:
        """Mark accepts and known true matches on the rows' outcomes and audit payloads (idempotent:
        run again after a rolled-back commit, it gives the same answer).

        Most rows name a party and match nothing: once the parties' true matches are
        read (one query per 500 rows), such a row's answer only gains its party, so
        its audit JSON is extended as text rather than decoded and encoded again.
        """
        todo = [screened for screened in rows if self._wanted(screened)]
        if not todo:
            return
        for screened in todo:
            if screened.screened_json is None:
                screened.screened_json = screened.outcome.audit.result_json  # type: ignore[union-attr]
        known = known_true_matches_many(conn, {s.party_id for s in todo if s.party_id})
        full: list[ScreenedRow] = []
        for screened in todo:
            if screened.outcome.matches or screened.party_id in known:
                full.append(screened)
            else:
                _add_party(screened)
        reviews = []
        for screened in full:
            payload = screened.outcome.audit
            assert payload is not None
            reviews.append(
                Review(
                    screened.party_id,
                    _subject(screened, bulk_id) if screened.outcome.matches else {},  # accepts need it
                    orjson.loads(screened.screened_json),  # type: ignore[arg-type]
                )
            )
        review_all(conn, reviews, self.version_ids, known)
        for screened, review in zip(full, reviews, strict=True):
            outcome = screened.outcome
            outcome.matches = review.result["matches"]
            outcome.decision = review.result["decision"]
            outcome.known_true_match = review.result["known_true_match"]
            outcome.audit = dataclasses.replace(
                outcome.audit,  # type: ignore[arg-type]
                result_json=orjson.dumps(review.result).decode(),
            )

    def open_alerts(self, conn: Connection, rows: Sequence[ScreenedRow], bulk_id: str) -> int:
        """One alert per live hit of the rows that name their party (all rows with
        SANCTIONS_ALERTS_WITHOUT_PARTY=on); returns how many were new."""
        wanted: list[AlertWanted] = []
        for screened in rows:
            screened.alerts = []
            payload = screened.outcome.audit
            if payload is None or not (screened.party_id or self.settings.alerts_without_party):
                continue
            subject = None
            for match in screened.outcome.matches:
                if match.get("suppressed"):
                    continue
                subject = subject or _subject(screened, bulk_id)
                wanted.append(
                    AlertWanted(
                        party_id=screened.party_id,
                        subject=subject,
                        match=match,
                        entity_id=match["entity_id"],
                        list_code=match["list"],
                        designation_hash=match.get("designation_hash") or UNKNOWN_HASH,
                        matched_name=match["matched_name"],
                        score=match["score"],
                        screening_id=payload.screening_id,
                        refs=screened.alerts,
                    )
                )
        open_alerts_all(conn, wanted, version_ids=self.version_ids, source=SOURCE, actor=self.actor)
        return sum(ref["new"] for hit in wanted for ref in hit.refs)


def _add_party(screened: ScreenedRow) -> None:
    """A clear row of a party with no true match: its answer as `hits.settle` leaves it, by text.

    The worker's result JSON is one orjson object: it ends with '}'.
    """
    outcome = screened.outcome
    assert outcome.audit is not None and screened.screened_json is not None
    extra = orjson.dumps({"party_id": screened.party_id, "known_true_match": False, "true_matches": []})
    outcome.audit = dataclasses.replace(
        outcome.audit, result_json=screened.screened_json[:-1] + "," + extra.decode()[1:]
    )
    outcome.known_true_match = False


def _subject(screened: ScreenedRow, bulk_id: str) -> dict[str, Any]:
    """The query as screened, with the party, the batch and the row it came from."""
    payload = screened.outcome.audit
    assert payload is not None
    subject: dict[str, Any] = orjson.loads(payload.request_json)
    if screened.party_id:
        subject["party_id"] = screened.party_id
    subject["batch_id"] = bulk_id
    subject["row_number"] = screened.outcome.row_number
    return subject
