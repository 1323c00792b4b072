"""POST /v1/screen/payment: one ISO 20022 or SWIFT MT message in, pass / hold / block out, audited."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request

from service import metrics
from service.api import openapi_examples as ex
from service.api.deps import Services, require_screen
from service.api.responses import ApiError, OrjsonResponse
from service.api.screen import _commit, _serving
from service.auth import Principal
from service.payments.audit import audit_row
from service.payments.model import PaymentMessageError
from service.payments.screen import PaymentPolicy, PaymentScreener, parse_message

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
        200: {"description": "The decision, the message's id and type, every hit with its field path"},
        413: {"description": "The message is larger than 1 MB"},
        415: {"description": "Neither application/xml nor text/plain"},
        **ex.errors(
            401,
            403,
            503,
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
    "record per message, committed before this answer. A message that cannot be read is refused with 422 "
    "naming the problem (malformed XML, DOCTYPE/XML bomb, unsupported message type, broken MT blocks).",
    openapi_extra=_REQUEST_BODY,
)
async def screen_payment(request: Request, principal: Principal = Depends(require_screen)) -> OrjsonResponse:
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
    row = audit_row(screening, body, content_type, principal.key_id)
    await _commit(parts, [row])
    metrics.DECISIONS.labels(row["decision"], "payment").inc()
    took_ms = round((time.perf_counter() - started) * 1000, 3)
    return OrjsonResponse({**row["result"], "screening_id": row["screening_id"], "took_ms": took_ms})
