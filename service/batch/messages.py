"""Screening a batch of payment messages on every core, one outcome per message, in name order.

The CLI (`sanctions batch inbox.zip`) and the HTTP jobs (`POST /v1/batches` with a
zip) share this: `MessageRunner` hands chunks of `MessageItem`s to the batch
worker processes (each holding the index, as for customer files), a worker
parses and screens each message exactly as POST /v1/screen/payment does and
prepares its audit record, and the parent reviews each flush of messages (accept
entries, true matches, alerts: service.batch.message_review), then writes the audit
and the results. A message that cannot be read becomes an error outcome naming the
file and the problem: messages in equals rows out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from lists.model import Designation
from service.batch import runner as batch_runner
from service.batch.audit import AuditRow
from service.batch.message_sources import MessageItem
from service.batch.runner import BatchRunner
from service.snapshot.ref import SnapshotRef

MESSAGE_CHUNK = 16  # messages per worker task (each up to 1 MB; a few kB in practice)
ENDPOINT_HTTP = "payment-batch"  # screenings.endpoint of a message batch job (String(16))
ENDPOINT_CLI = "payment-cli"


@dataclass(slots=True)
class MessageOutcome:
    """One message of a batch: its decision (pass, hold, block) and hits, or "error" and why."""

    number: int
    name: str
    decision: str
    message_type: str | None = None
    message_id: str | None = None
    uetr: str | None = None
    hits: list[dict[str, Any]] = field(default_factory=list)
    fields_screened: int = 0
    problem: str | None = None
    error: str | None = None
    screen_ms: float = 0.0
    threshold: float | None = None
    screening_id: str | None = None
    created_at: datetime | None = None
    request_json: str | None = None  # the audit record's request and result, encoded in the worker
    result_json: str | None = None
    algorithm: str | None = None
    algorithm_version: str | None = None
    party_id: str | None = None  # the alerts' party reference: `message:<message id>`
    # set by the review in the parent (service.batch.message_review)
    screened_json: str | None = None  # the worker's result JSON: a retried review starts from it again
    known_true_match: bool = False
    alerts: list[dict[str, Any]] = field(default_factory=list)


def error_outcome(item: MessageItem, problem: str, error: str) -> MessageOutcome:
    return MessageOutcome(item.number, item.name, "error", problem=problem, error=error)


# --- worker side ---------------------------------------------------------------------------------

_payments: Any = None


def _payment_screener() -> Any:
    """This process's PaymentScreener (policy from the environment, as the API reads it)."""
    global _payments
    if _payments is None:
        from service.payments.screen import PaymentPolicy, PaymentScreener

        _payments = PaymentScreener(PaymentPolicy.from_env())
    return _payments


def screen_item(item: MessageItem) -> MessageOutcome:
    """Parse and screen one message with this process's index; any problem becomes an error outcome."""
    from service.payments.audit import audit_row
    from service.payments.model import PaymentMessageError
    from service.payments.review import payment_party
    from service.payments.screen import parse_message

    if item.data is None:
        return error_outcome(item, item.problem or "unreadable", item.error or "not read")
    try:
        message = parse_message(item.data)
    except PaymentMessageError as exc:
        return error_outcome(item, exc.problem, str(exc))
    try:
        screening = _payment_screener().screen(batch_runner._screener, message)
    except Exception as exc:  # one odd message must not stop the batch
        return error_outcome(item, "screening_failed", f"screening failed: {type(exc).__name__}: {exc}")
    row = audit_row(screening, item.data, None, None)
    row["request"]["file"] = item.name
    result = row["result"]
    return MessageOutcome(
        item.number,
        item.name,
        screening.decision,
        message.message_type,
        message.message_id,
        message.uetr,
        result["hits"],
        len(message.fields),
        screen_ms=screening.screen_ms,
        threshold=screening.threshold,
        screening_id=row["screening_id"],
        created_at=row["created_at"],
        request_json=orjson.dumps(row["request"]).decode(),
        result_json=orjson.dumps(result).decode(),
        algorithm=screening.algorithm,
        algorithm_version=screening.algorithm_version,
        party_id=payment_party(None, message.message_id),
    )


def _screen_items(items: list[MessageItem]) -> list[MessageOutcome]:
    return [screen_item(item) for item in items]


# --- parent side ---------------------------------------------------------------------------------


class MessageRunner(BatchRunner):
    """BatchRunner's workers and ordering, for MessageItems instead of customer rows."""

    def __init__(
        self,
        designations: Sequence[Designation] | SnapshotRef,
        list_versions: Mapping[str, str],
        workers: int | None = None,
        start_method: str = "fork",
    ) -> None:
        super().__init__(
            designations, list_versions, workers=workers, chunk_rows=MESSAGE_CHUNK, start_method=start_method
        )

    def start(self) -> None:
        started = self._started
        super().start()
        if not started and batch_runner._screener is not None:
            # Built here, the free-text word tables are inherited by forked workers (workers fork
            # on their first task), not built again in each.
            _payment_screener().scanner(batch_runner._screener)

    def messages(
        self, items: Iterator[MessageItem], should_stop: Callable[[], bool] | None = None
    ) -> Iterator[tuple[MessageItem, MessageOutcome]]:
        """(item, outcome) for every item, in order, on the runner's workers."""
        self.start()
        chunks = ((chunk, chunk) for chunk in batch_runner.chunked(items, self.chunk_rows))
        for chunk, screened in batch_runner.in_order(
            self._executor, _screen_items, chunks, self.workers * 4, should_stop
        ):
            yield from zip(chunk, screened, strict=True)


def message_audit_row(
    outcome: MessageOutcome,
    *,
    endpoint: str,
    bulk_id: str,
    list_versions_json: str,
    api_key_id: str | None = None,
) -> AuditRow | None:
    """The audit record of one screened message (as POST /v1/screen/payment writes it, with the
    batch id and the message's position); None for an error row: there is no decision to audit."""
    if outcome.screening_id is None:
        return None
    return (
        outcome.screening_id,
        outcome.created_at,
        endpoint,
        bulk_id,
        outcome.number,
        api_key_id,
        outcome.message_id,
        outcome.decision,
        outcome.threshold,
        list_versions_json,
        outcome.request_json,
        outcome.result_json,
        outcome.screen_ms,
        outcome.algorithm,
        outcome.algorithm_version,
    )


@dataclass
class MessageCounts:
    """How a batch went: messages per decision."""

    by_decision: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, outcome: MessageOutcome) -> None:
        self.by_decision[outcome.decision] = self.by_decision.get(outcome.decision, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_decision.values())

    @property
    def held(self) -> int:
        """Messages that stop the payment (hold or block): the batch's "hits"."""
        return self.by_decision.get("hold", 0) + self.by_decision.get("block", 0)

    @property
    def errors(self) -> int:
        return self.by_decision.get("error", 0)

    def summary(self) -> str:
        order = ("block", "hold", "pass", "error")
        return ", ".join(f"{self.by_decision[d]} {d}" for d in order if d in self.by_decision) or "none"
