"""The audit row of one screened payment: one decision with all its hits and the message as received."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from service.payments.screen import PaymentScreening

ENDPOINT = "payment"  # screenings.endpoint (String(16))


def audit_row(
    screening: PaymentScreening, raw: bytes, content_type: str | None, api_key_id: str | None
) -> dict[str, Any]:
    """A `screenings` row: the decision, its hits and list versions, and the message itself
    (payment messages are small; the audit must show what was screened, not a summary of it)."""
    message = screening.message
    return {
        "screening_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC),
        "endpoint": ENDPOINT,
        "bulk_id": None,
        "position": None,
        "api_key_id": api_key_id,
        "reference": message.message_id,
        "decision": screening.decision,
        "threshold": screening.threshold,
        "list_versions": screening.list_versions,
        "request": {
            "content_type": content_type,
            "message_type": message.message_type,
            "message_id": message.message_id,
            "uetr": message.uetr,
            "bytes": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "message": raw.decode("utf-8", errors="replace"),
        },
        "result": screening.as_dict(),
        "screen_ms": screening.screen_ms,
        # every row has the same keys: the audit writer inserts rows of all endpoints with one executemany
        "algorithm": screening.algorithm,
        "algorithm_version": screening.algorithm_version,
    }
