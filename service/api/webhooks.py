"""Webhook subscriptions (admin): add, list, remove, and each one's deliveries.

Also starts this server's delivery worker (service/webhooks/delivery.py), which
sends the events of the outbox, signed, with retries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Body, Depends, FastAPI, Query
from pydantic import BaseModel, Field

from service.api import monitoring_examples as mx
from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, services
from service.api.models import CleanText
from service.api.responses import MAX_OFFSET, ApiError, OrjsonResponse
from service.auth import Principal
from service.webhooks.delivery import DeliveryWorker
from service.webhooks.outbox import EventType
from service.webhooks.subscriptions import (
    MIN_SECRET,
    DeliveryPage,
    Webhook,
    WebhookError,
    add_webhook,
    get_webhook,
    list_deliveries,
    list_webhooks,
    remove_webhook,
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    parts: Services = app.state.services
    worker = DeliveryWorker(parts.store.engine)
    worker.start()
    app.state.webhook_worker = worker
    try:
        yield
    finally:
        worker.stop()


router = APIRouter(tags=["webhooks"], lifespan=_lifespan)
_ERRORS = ex.errors(401, 403, 422)
_NOT_FOUND = ex.errors(
    e404=("no such webhook", {"error": "not_found", "detail": f"no webhook {mx.WEBHOOK_ID!r}"})
)


class WebhookCreate(BaseModel):
    """The schema states what it can (event names, the secret's length); the URL's rules (http or https,
    a host, no credentials) are checked by service.webhooks.subscriptions and answered 422 naming `body.url`."""

    url: CleanText = Field(
        max_length=2048, description="http(s) URL with a host (no credentials) receiving POSTed events"
    )
    events: list[EventType] = Field(
        min_length=1, description="alert.created, alert.closed, list.updated, rescreen.finished"
    )
    secret: CleanText = Field(
        min_length=MIN_SECRET,
        description=f"HMAC-SHA256 key for X-Sanctions-Signature (at least {MIN_SECRET} characters)",
    )
    description: CleanText | None = Field(default=None, max_length=500)


@router.post(
    "/v1/webhooks",
    response_model=Webhook,
    status_code=201,
    responses={
        201: ex.ok(mx.WEBHOOK, "The subscription (the secret is not shown back)"),
        **_ERRORS,
        **ex.errors(
            e422=(
                "a field is invalid",
                {
                    "error": "invalid_request",
                    "detail": [
                        {
                            "field": "body.url",
                            "message": "url: only http and https URLs are allowed",
                            "type": "value_error",
                        }
                    ],
                },
            )
        ),
    },
    summary="Subscribe a URL to events",
)
def add(
    body: Annotated[WebhookCreate, Body(openapi_examples=mx.WEBHOOK_REQUEST_EXAMPLES)],
    _: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    try:
        hook = add_webhook(parts.store.engine, body.url, list(body.events), body.secret, body.description)
    except WebhookError as exc:
        field = str(exc).split(":", 1)[0]
        raise ApiError(
            422, "invalid_request", [{"field": f"body.{field}", "message": str(exc), "type": "value_error"}]
        ) from exc
    return OrjsonResponse(hook.model_dump(mode="json"), status_code=201)


@router.get(
    "/v1/webhooks",
    response_model=list[Webhook],
    responses={200: ex.ok([mx.WEBHOOK], "Active subscriptions with delivery counts"), **_ERRORS},
    summary="Webhook subscriptions",
)
def webhooks(
    include_removed: bool = False, _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    return OrjsonResponse(
        [h.model_dump(mode="json") for h in list_webhooks(parts.store.engine, include_removed)]
    )


@router.delete(
    "/v1/webhooks/{webhook_id}",
    responses={
        200: ex.ok({**mx.WEBHOOK, "active": False, "removed_at": mx.AT}, "Removed"),
        **_ERRORS,
        **_NOT_FOUND,
    },
    summary="Remove a subscription (pending deliveries are dropped)",
)
def remove(
    webhook_id: str, _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    if not remove_webhook(parts.store.engine, webhook_id):
        raise ApiError(404, "not_found", f"no webhook {webhook_id!r}")
    hook = get_webhook(parts.store.engine, webhook_id)
    assert hook is not None
    return OrjsonResponse(hook.model_dump(mode="json"))


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    responses={200: ex.ok(mx.DELIVERIES, "Deliveries, newest first"), **_ERRORS, **_NOT_FOUND},
    summary="Deliveries of one subscription: state, attempts, last response code",
)
def deliveries(
    webhook_id: str,
    state: Annotated[str | None, Query(description="pending, delivered or failed")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    _: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    if get_webhook(parts.store.engine, webhook_id) is None:
        raise ApiError(404, "not_found", f"no webhook {webhook_id!r}")
    page = list_deliveries(parts.store.engine, webhook_id, state=state, limit=limit, offset=offset)
    return OrjsonResponse(page.model_dump(mode="json"))
