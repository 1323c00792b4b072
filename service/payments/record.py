"""One screened payment recorded: reviewed, audited, then its alerts opened.

POST /v1/screen/payment and `sanctions screen-payment` take the same steps through
these functions (the API awaits its group-committed audit writer between them, the
command line inserts its record itself): accept entries and true matches are read
before the audit record (so it holds the settled decision), the alerts are opened
after it (an alert always points at a committed screening). Both steps fail closed:
without the accept list there is no answer; alerts that could not be opened name the
audited record so the message can be screened again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from lists.store import version_id_of_label
from service.db_models import screenings
from service.dbtx import write
from service.payments.audit import audit_row
from service.payments.review import (
    needs_review,
    open_payment_alerts,
    payment_party,
    review_payment,
    wants_alerts,
)
from service.payments.screen import PaymentScreening


class ReviewUnavailable(RuntimeError):
    """The accept list could not be read: the payment must not be answered."""


class AlertsUnavailable(RuntimeError):
    """The decision is audited but its alerts could not be opened (screen the message again)."""


@dataclass(slots=True)
class PaymentRecord:
    """A screened payment on its way to the audit trail: its audit row, party reference and alerts."""

    row: dict[str, Any]
    party: str | None
    alerts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def result(self) -> dict[str, Any]:
        return self.row["result"]

    @property
    def needs_review(self) -> bool:
        return needs_review(self.result, self.party)

    def wants_alerts(self, alerts_without_party: bool) -> bool:
        return wants_alerts(self.result, self.party, alerts_without_party)

    def answer(self) -> dict[str, Any]:
        """The answer to the caller: the result, the audit id and the alert references."""
        return {**self.result, "screening_id": self.row["screening_id"], "alerts": self.alerts}


def payment_record(
    screening: PaymentScreening,
    raw: bytes,
    content_type: str | None,
    *,
    api_key_id: str | None,
    party_id: str | None,
) -> PaymentRecord:
    """The audit row of a screened message and its party reference (the caller's, else `message:<id>`)."""
    return PaymentRecord(
        audit_row(screening, raw, content_type, api_key_id),
        payment_party(party_id, screening.message.message_id),
    )


def version_ids_of(list_versions: Mapping[str, str]) -> dict[str, int]:
    """list code -> version id, from the version labels a Screener carries ("ofac@3:2024-06-19")."""
    return {code: version_id_of_label(label) for code, label in list_versions.items()}


def review_record(engine: Engine, record: PaymentRecord, version_ids: dict[str, int]) -> None:
    """Blocking: accepts and true matches marked, the decision settled (before the audit record)."""
    try:
        with engine.connect() as conn:
            review_payment(conn, record.result, record.party, version_ids)
    except SQLAlchemyError as exc:
        raise ReviewUnavailable(f"the accept list could not be read ({type(exc).__name__}); retry") from None
    record.row["decision"] = record.result["decision"]


def open_record_alerts(
    engine: Engine, record: PaymentRecord, version_ids: dict[str, int], actor: str
) -> list[dict[str, Any]]:
    """Blocking: the audited payment's alerts, in one transaction (kept on the record and returned)."""
    try:
        with write(engine) as conn:
            record.alerts = open_payment_alerts(
                conn,
                record.result,
                party_id=record.party,
                version_ids=version_ids,
                screening_id=record.row["screening_id"],
                actor=actor,
            )
    except SQLAlchemyError as exc:
        raise AlertsUnavailable(
            f"the decision is audited ({record.row['screening_id']}) but its alerts could not be opened "
            f"({type(exc).__name__}); screen the message again to open them"
        ) from None
    return record.alerts


def insert_audit(engine: Engine, rows: Sequence[dict[str, Any]]) -> None:
    """Commit audit rows now (the command line's audit; the API's goes through its group-commit writer)."""
    with write(engine) as conn:
        conn.execute(insert(screenings), list(rows))


def record_payment(
    engine: Engine,
    record: PaymentRecord,
    version_ids: dict[str, int],
    *,
    actor: str,
    alerts_without_party: bool,
) -> PaymentRecord:
    """Blocking: review, audit, alerts, in that order: the whole of one payment (the command line's)."""
    if record.needs_review:
        review_record(engine, record, version_ids)
    insert_audit(engine, [record.row])
    if record.wants_alerts(alerts_without_party):
        open_record_alerts(engine, record, version_ids, actor)
    return record
