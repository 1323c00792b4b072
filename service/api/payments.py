"""POST /v1/screen/payment: one ISO 20022 or SWIFT MT message in, pass / hold / block out, audited."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool

from service import metrics
from service.api import openapi_examples as ex
from service.api.deps import Services, require_screen
from service.api.responses import ApiError, OrjsonResponse
from service.api.screen import _commit, _serving
from service.api.screen_review import review_settings, version_ids
from service.auth import Principal
from service.index_holder import IndexHolder
from service.payments.model import PaymentMessageError
from service.payments.record import (
    AlertsUnavailable,
    ReviewUnavailable,
    open_record_alerts,
    payment_record,
    review_record,
)
from service.payments.screen import PaymentPolicy, PaymentScreener, parse_message

log = logging.getLogger(__name__)

router = APIRouter(tags=["screening"])

MAX_MESSAGE_BYTES = 1_000_000  # a pacs.008 is a few kB; anything near this is not a payment

_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {
                "schema": {"type": "string"},
                "example": '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">...</Document>',
            },
            "text/plain": {
                "schema": {"type": "string"},
                "example": "{1:F01DEUTDEFFAXXX0000000000}{2:I103HSBCHKHHXXXXN}{4:\n:20:REF\n...\n-}",
            },
        },
    }
}


PAYMENT_HOLD_EXAMPLE: dict[str, Any] = {
    "decision": "hold",
    "message": {
        "format": "iso20022",
        "type": "pacs.008.001.08",
        "id": "PAY-2026-000417",
        "uetr": "8a562c67-ca16-48ba-b074-65581be6f011",
        "business_header": True,
        "transactions": 1,
        "parties": [
            {
                "role": "Cdtr",
                "path": "Cdtr",
                "agent": False,
                "name": "SICHUAN JUXINHE NETWORK TECHNOLOGY CO LTD",
                "bic": None,
            }
        ],
        "fields_screened": 14,
    },
    "hits": [
        {
            "field": "Cdtr/Nm",
            "check": "name",
            "action": "hold",
            "value": "SICHUAN JUXINHE NETWORK TECHNOLOGY CO LTD",
            "score": 1.0,
            "party": "Cdtr",
            "matched": {
                "entity_id": "ofac:52749",
                "list": "ofac",
                "name": "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.",
                "matched_name": "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.",
                "type": "entity",
                "programs": ["CYBER2"],
            },
            "explanation": {
                "summary": "primary name 'SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.' scored 1.00"
            },
            "designation_hash": "9f2c4e0b7d1a5c3e8f6a2b4d0c9e7f1a3b5d7c9e1f3a5b7d9c1e3f5a7b9d1c3e",
            "suppressed": False,
            "accept_id": None,
        }
    ],
    "list_versions": {"ofac": "2024-06-19", "un": "2026-02-27"},
    "threshold": 0.85,
    "text_threshold": 0.9,
    "policy": {"block_on_exact_identifier": True},
    "algorithm": "balanced-v1",
    "algorithm_version": "1.2.5",
    "party_id": "message:PAY-2026-000417",
    "known_true_match": False,
    "true_matches": [],
    "screening_id": "0b0e5a52-8d4c-4a55-9a3e-0f3c2c7d9e11",
    "alerts": [
        {
            "alert_id": "5d0f3c1e-2b4a-4c6e-8a9b-7f1e3d5c2a4b",
            "entity_id": "ofac:52749",
            "status": "open",
            "new": True,
        }
    ],
    "took_ms": 2.4,
}


def attach_payment_screener(app: FastAPI, holder: IndexHolder) -> None:
    """The worker's payment screener, whose word tables each new index builds in the background.

    A bad payment policy setting is reported per request (503 naming it), as before, not at start.
    """
    try:
        screener = PaymentScreener(PaymentPolicy.from_env())
    except ValueError as exc:
        log.warning("payment policy invalid, payment screening answers 503: %s", exc)
        return
    app.state.payment_screener = screener
    holder.on_swap.append(screener.scanner)


def _screener(request: Request) -> PaymentScreener:
    """The worker's payment screener (policy read from the environment once)."""
    screener = getattr(request.app.state, "payment_screener", None)
    if screener is None:
        try:
            screener = PaymentScreener(PaymentPolicy.from_env())
        except ValueError as exc:
            raise ApiError(503, "payment_policy_invalid", str(exc)) from None
        request.app.state.payment_screener = screener
    return screener


@router.post(
    "/v1/screen/payment",
    responses={
        200: {
            "description": "The decision, the message's id and type, every hit with its field path",
            "content": {"application/json": {"example": PAYMENT_HOLD_EXAMPLE}},
        },
        **ex.errors(
            401,
            403,
            503,
            e413=(
                "The message is larger than 1 MB",
                {"error": "payload_too_large", "detail": "at most 1000000"},
            ),
            e415=(
                "Neither application/xml nor text/plain",
                {"error": "unsupported_media_type", "detail": "Content-Type 'application/json': send ..."},
            ),
            e422=(
                "The message cannot be read: the error names the problem",
                {"error": "mt_block_structure", "detail": "block 4 (text) is not closed by a line '-}'"},
            ),
        ),
    },
    summary="Screen a payment message (ISO 20022 or SWIFT MT)",
    description="Send a pacs.008, pacs.009 (incl. COV) or pain.001 as `application/xml` (with or without "
    "the AppHdr business application header) or an MT103 / MT202 COV as `text/plain`. Every party, agent, "
    "BIC, country, address and free-text field is screened; `block` when a BIC or identifier matches a "
    "designation exactly, `hold` on any other hit or a sanctioned jurisdiction, `pass` otherwise. One audit "
    "record per message, committed before this answer. With a party reference (`party_id`, else the "
    "message id as `message:<id>`) each designation hit not covered by an accept entry opens an alert "
    "(`alerts`); covered hits are marked `suppressed` and do not count towards the decision. A message that cannot be read is refused with 422 "
    "naming the problem (malformed XML, DOCTYPE/XML bomb, unsupported message type, broken MT blocks).",
    openapi_extra=_REQUEST_BODY,
)
async def screen_payment(
    request: Request,
    principal: Principal = Depends(require_screen),
    party_id: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=128,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="The party the payment is screened for (your customer id): its hits become "
            "alerts of that party, and its accepted false positives and approved true matches apply. "
            "Without it, a message with an id opens alerts under `message:<message id>`",
        ),
    ] = None,
) -> OrjsonResponse:
    started = time.perf_counter()
    parts: Services = request.app.state.services
    serving = _serving(parts)  # 503 without an active, indexed list: never a "pass" by accident
    body = await request.body()
    if len(body) > MAX_MESSAGE_BYTES:
        raise ApiError(
            413, "payload_too_large", f"the message has {len(body)} bytes; at most {MAX_MESSAGE_BYTES}"
        )
    content_type = request.headers.get("content-type")
    try:
        message = parse_message(body, content_type)
    except PaymentMessageError as exc:
        status = 415 if exc.problem == "unsupported_media_type" else 422
        raise ApiError(status, exc.problem, str(exc)) from None
    screening = _screener(request).screen(serving.screener, message)
    record = payment_record(screening, body, content_type, api_key_id=principal.key_id, party_id=party_id)
    ids = version_ids(serving)
    if record.needs_review:  # accepts and true matches, before the audit record
        await run_in_threadpool(_blocking, review_record, parts.store.engine, record, ids)
    await _commit(parts, [record.row])
    if record.wants_alerts(review_settings(request).alerts_without_party):
        await run_in_threadpool(
            _blocking, open_record_alerts, parts.store.engine, record, ids, principal.actor
        )
    metrics.DECISIONS.labels(record.row["decision"], "payment").inc()
    took_ms = round((time.perf_counter() - started) * 1000, 3)
    return OrjsonResponse({**record.answer(), "took_ms": took_ms})


def _blocking(step: Callable[..., Any], *args: Any) -> Any:
    """A review step in a worker thread; its failure is a 503 saying what is (not) recorded."""
    try:
        return step(*args)
    except ReviewUnavailable as exc:
        raise ApiError(503, "review_unavailable", str(exc)) from None
    except AlertsUnavailable as exc:
        raise ApiError(503, "alerts_unavailable", str(exc)) from None
