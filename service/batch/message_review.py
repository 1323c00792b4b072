"""The review room's part of a message batch: each message is a payment screening of its own.

Before a flush's audit records are inserted, every screened message is reviewed as
POST /v1/screen/payment reviews one (service.payments.review): its party is
`message:<message id>`, accept entries mark their hits suppressed, approved true
matches hold it, and the decision is settled again. The audit records and the
results files hold that answer. In the same transaction each live designation hit
opens its alert (source "payment"; the subject names the batch and the file), at
most one per party and designation content, ever: the same message in another
batch, or screened alone, opens none again.

All of it runs in the parent, in a few queries per flush for all its messages;
the screening workers never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from service.batch.audit import BatchAuditSink, insert_audit_rows
from service.batch.messages import MessageOutcome, message_audit_row
from service.payments.record import version_ids_of
from service.payments.review import (
    SOURCE,
    PaymentReview,
    payment_alerts_wanted,
    review_payments,
    unique_refs,
    wants_alerts,
)
from service.review.bulk import AlertWanted, open_alerts_all
from service.review.config import ReviewSettings

Reviewed = tuple[MessageOutcome, PaymentReview]


class MessageReview:
    """Reviews a flush of screened messages and opens their alerts, inside the caller's transaction."""

    def __init__(self, list_versions: Mapping[str, str], settings: ReviewSettings, actor: str) -> None:
        self.version_ids = version_ids_of(list_versions)
        self.settings = settings
        self.actor = actor

    def apply(self, conn: Connection, outcomes: Sequence[MessageOutcome], bulk_id: str) -> list[Reviewed]:
        """Mark accepts and true matches on the messages' outcomes and audit results (idempotent: run
        again after a rolled-back commit, it starts from the worker's answer and gives the same)."""
        todo: list[Reviewed] = []
        for outcome in outcomes:
            if outcome.screening_id is None or outcome.result_json is None:
                continue  # an error row: nothing screened, nothing to review
            if outcome.screened_json is None:
                outcome.screened_json = outcome.result_json
            extra = {"batch_id": bulk_id, "file": outcome.name, "position": outcome.number}
            result = orjson.loads(outcome.screened_json)
            todo.append((outcome, PaymentReview(result, outcome.party_id, extra)))
        review_payments(conn, [review for _, review in todo], self.version_ids)
        for outcome, review in todo:
            result = review.result
            outcome.hits = result["hits"]
            outcome.decision = result["decision"]
            outcome.known_true_match = result["known_true_match"]
            outcome.result_json = orjson.dumps(result).decode()
        return todo

    def open_alerts(self, conn: Connection, reviewed: Sequence[Reviewed]) -> None:
        """One alert per live designation hit of each audited message (a message without an id only
        with SANCTIONS_ALERTS_WITHOUT_PARTY=on); each outcome gets its alert references."""
        wanted: list[AlertWanted] = []
        owners: list[tuple[MessageOutcome, list[dict[str, Any]]]] = []
        for outcome, review in reviewed:
            refs: list[dict[str, Any]] = []
            owners.append((outcome, refs))
            if wants_alerts(review.result, review.party_id, self.settings.alerts_without_party):
                wanted.extend(payment_alerts_wanted(review, outcome.screening_id or "", refs))
        open_alerts_all(conn, wanted, version_ids=self.version_ids, source=SOURCE, actor=self.actor)
        for outcome, refs in owners:
            outcome.alerts = unique_refs(refs)


def record_messages(
    conn: Connection,
    outcomes: Sequence[MessageOutcome],
    *,
    endpoint: str,
    bulk_id: str,
    list_versions_json: str,
    review: MessageReview,
    api_key_id: str | None = None,
) -> int:
    """Review the messages, insert their audit records and open their alerts, all in the caller's
    transaction; returns how many decisions were recorded (the CLI's and the HTTP jobs' one step)."""
    reviewed = review.apply(conn, outcomes, bulk_id)
    prepared = [
        row
        for outcome in outcomes
        if (
            row := message_audit_row(
                outcome,
                endpoint=endpoint,
                bulk_id=bulk_id,
                list_versions_json=list_versions_json,
                api_key_id=api_key_id,
            )
        )
        is not None
    ]
    insert_audit_rows(conn, prepared)
    review.open_alerts(conn, reviewed)
    return len(prepared)


class MessageAuditSink(BatchAuditSink):
    """Buffers a command-line batch's screened messages and records them about once a second: each
    flush reviews them, commits their audit records and alerts in one transaction, and only then
    hands each to `emit` (the results writer), with its reviewed decision and alert ids."""

    def __init__(
        self,
        engine: Engine,
        list_versions: Mapping[str, str],
        review: MessageReview,
        endpoint: str,
        emit: Callable[[MessageOutcome], None] | None = None,
    ) -> None:
        super().__init__(engine, list_versions, endpoint=endpoint, emit=emit)  # type: ignore[arg-type]
        self.message_review = review

    def add_message(self, outcome: MessageOutcome) -> None:
        self._pending.append(outcome)
        self._flush_when_due()

    def _record(self, conn: Connection, pending: list[Any]) -> int:
        return record_messages(
            conn,
            pending,
            endpoint=self.endpoint,
            bulk_id=self.bulk_id,
            list_versions_json=self.list_versions_json,
            review=self.message_review,
        )
