"""The review room's part of POST /v1/screen and /v1/screen/bulk: accepts and known true matches before
the audit record, alerts after it. Kept out of screen.py so the hot path stays readable.

A screening with no party id and no match never touches the database here.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from service.api.models import ScreenRequest
from service.api.responses import ApiError
from service.dbtx import write
from service.index_holder import Serving
from service.review.config import ReviewSettings, load_review_settings
from service.review.hits import open_alerts, review_hits


def review_settings(request: Request) -> ReviewSettings:
    """The worker's review settings (read once, at the first screening)."""
    state = request.app.state
    found = getattr(state, "review_settings", None)
    if found is None:
        found = state.review_settings = load_review_settings()
    return found


def version_ids(serving: Serving) -> dict[str, int]:
    return {code: info.id for code, info in serving.versions.items()}


def subject_of(body: ScreenRequest) -> dict[str, Any]:
    """The query as screened, as alerts and accepts keep it."""
    return body.model_dump(mode="json", exclude_defaults=True)


def needs_review(body: ScreenRequest, result: dict[str, Any]) -> bool:
    return bool(body.party_id or result["matches"])


def review_many(engine: Any, serving: Serving, items: list[tuple[ScreenRequest, dict[str, Any]]]) -> None:
    """Mark accepts and known true matches on each result (blocking: call from a worker thread).

    Fail closed: if the accept list cannot be read the screening is not answered.
    """
    todo = [(body, result) for body, result in items if needs_review(body, result)]
    if not todo:
        return
    ids = version_ids(serving)
    try:
        with engine.connect() as conn:
            for body, result in todo:
                review_hits(
                    conn, party_id=body.party_id, subject=subject_of(body), result=result, version_ids=ids
                )
    except SQLAlchemyError as exc:
        raise ApiError(
            503, "review_unavailable", f"the accept list could not be read ({type(exc).__name__}); retry"
        ) from None


def wants_alerts(settings: ReviewSettings, body: ScreenRequest, result: dict[str, Any]) -> bool:
    if not (body.party_id or settings.alerts_without_party):
        return False
    return any(not m.get("suppressed") for m in result["matches"])


def open_many(
    engine: Any,
    settings: ReviewSettings,
    serving: Serving,
    items: list[tuple[ScreenRequest, dict[str, Any]]],
    source: str,
    actor: str,
) -> list[list[dict[str, Any]]]:
    """Open the alerts of audited screenings (rows with their screening_id), one transaction for all.

    Blocking. If they cannot be opened the caller gets a 503 naming the audited
    screenings: retrying screens again and opens them then (never two for one hit).
    """
    refs: list[list[dict[str, Any]]] = [[] for _ in items]
    todo = [
        (i, body, row) for i, (body, row) in enumerate(items) if wants_alerts(settings, body, row["result"])
    ]
    if not todo:
        return refs
    ids = version_ids(serving)
    try:
        with write(engine) as conn:
            for i, body, row in todo:
                refs[i] = open_alerts(
                    conn,
                    party_id=body.party_id,
                    subject=subject_of(body),
                    result=row["result"],
                    version_ids=ids,
                    source=source,
                    screening_id=row["screening_id"],
                    actor=actor,
                )
    except SQLAlchemyError as exc:
        audited = ", ".join(row["screening_id"] for _, _, row in todo[:5])
        raise ApiError(
            503,
            "alerts_unavailable",
            f"the decision is audited ({audited}) but its alerts could not be opened "
            f"({type(exc).__name__}); screen again to open them",
        ) from None
    return refs
