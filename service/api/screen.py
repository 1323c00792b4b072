"""POST /v1/screen, POST /v1/screen/bulk and GET /v1/screenings/{id}: decisions and their audit."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.concurrency import run_in_threadpool

from screening.query import ScreeningResult
from screening.screener import NoListsLoaded
from service import metrics
from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, require_screen, services
from service.api.json_body import StrictJsonRoute
from service.api.models import (
    BulkScreenRequest,
    BulkScreenResponse,
    ScreenRequest,
    ScreenResponse,
)
from service.api.response_models import ScreeningRecordOut
from service.api.responses import ApiError, OrjsonResponse
from service.api.screen_review import needs_review, open_many, review_many, review_settings, wants_alerts
from service.audit import AuditUnavailable, get_screening
from service.auth import Principal
from service.freshness import ListsNotUsable, not_active, not_active_message
from service.index_holder import Serving

router = APIRouter(tags=["screening"], route_class=StrictJsonRoute)

ERRORS = {
    **ex.errors(401, 403, 503),
    **ex.error_examples(
        422,
        "invalid request, each error naming its field; `list_not_active` when `lists` names a list with no "
        "active version (a missing list the service requires is a 503 instead)",
        {
            "invalid_request": ("a field is invalid", ex.ERROR_EXAMPLES[422][1]),
            "list_not_active": ("a list asked for has no active version", ex.LIST_NOT_ACTIVE),
        },
    ),
}


def _serving(parts: Services) -> Serving:
    """The index to screen against, or a 503 saying why there is none (never a "clear" without lists)."""
    serving = parts.holder.serving
    if serving is not None:
        return serving
    status = parts.holder.status
    if status.building or (status.builds == 0 and status.last_error is None):
        raise ApiError(
            503,
            "index_building",
            "the screening index is being built from the active list versions; retry shortly",
        )
    raise ApiError(
        503,
        "no_active_list",
        f"no sanctions list version is active, so nothing can be screened ({status.last_error}); "
        "load lists with `sanctions lists load` or POST /v1/lists/reload",
    )


def _list_warnings(parts: Services, serving: Serving) -> list[dict[str, Any]]:
    """Stale-list warnings for the answer; 503 when a required list is missing (or stale, with fail-on-stale)."""
    if parts.lists_status is None:
        return []
    try:
        return parts.lists_status.assess(serving.versions)[1]
    except ListsNotUsable as exc:
        raise ApiError(503, exc.error, exc.detail) from None


def _check_lists(serving: Serving, queries: list[tuple[str, ScreenRequest]]) -> None:
    """422 naming the field when a query's `lists` names a list with no active version.

    The caller asked for something the service does not have (EU or UK not loaded, say): a client
    error, never a screening against nothing and never "clear". Runs after `_list_warnings`, so a
    missing *required* list is still the service's 503.
    """
    problems = []
    for field, query in queries:
        missing = not_active([code.value for code in query.lists or ()], serving.versions)
        if missing:
            message = not_active_message(missing, serving.versions)
            problems.append({"field": field, "message": message, "type": "list_not_active"})
    if problems:
        raise ApiError(422, "list_not_active", problems)


def _screen(serving: Serving, request: ScreenRequest) -> tuple[ScreeningResult, float]:
    started = time.perf_counter()
    try:
        result = serving.screener.screen(request.to_query())
    except NoListsLoaded as exc:
        raise ApiError(503, "list_not_loaded", str(exc)) from None
    return result, (time.perf_counter() - started) * 1000


def _audit_row(
    result: dict[str, Any],
    request: ScreenRequest,
    principal: Principal,
    endpoint: str,
    screen_ms: float,
    bulk_id: str | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    return {
        "screening_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC),
        "endpoint": endpoint,
        "bulk_id": bulk_id,
        "position": position,
        "api_key_id": principal.key_id,
        "reference": request.reference,
        "decision": result["decision"],
        "threshold": result["threshold"],
        "list_versions": result["list_versions"],
        "request": request.model_dump(mode="json", exclude_defaults=True),
        "result": result,
        "screen_ms": round(screen_ms, 3),
        "algorithm": result["algorithm"],
        "algorithm_version": result["algorithm_version"],
    }


async def _commit(parts: Services, rows: list[dict[str, Any]]) -> None:
    """Wait until the audit rows are committed; without that there is no answer."""
    try:
        await parts.audit.commit(rows)
    except AuditUnavailable as exc:
        raise ApiError(503, "audit_unavailable", f"{exc}; the decision was not answered, retry") from None


def _answer(row: dict[str, Any], took_ms: float, warnings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **row["result"],
        "screening_id": row["screening_id"],
        "reference": row["reference"],
        "took_ms": took_ms,
        "warnings": warnings,
    }


@router.post(
    "/v1/screen",
    response_model=ScreenResponse,
    responses={
        200: ex.ok_examples(
            {
                "hit": ("ofac:52749 found (decision hit)", ex.SCREEN_HIT),
                "clear": ("nothing above the threshold (decision clear)", ex.SCREEN_CLEAR_ANSWER),
            },
            "The decision, its matches with explanations, and the audit id",
        ),
        **ERRORS,
    },
    summary="Screen one party",
    description="Screens one name (with optional evidence) against the active lists. The decision is "
    "committed to the audit trail before this answer is sent.",
)
async def screen(
    body: Annotated[ScreenRequest, Body(openapi_examples=ex.SCREEN_REQUEST_EXAMPLES)],
    request: Request,
    principal: Principal = Depends(require_screen),
) -> OrjsonResponse:
    started = time.perf_counter()
    parts: Services = request.app.state.services  # not a dependency: one less to solve per request
    serving = _serving(parts)
    warnings = _list_warnings(parts, serving)
    _check_lists(serving, [("body.lists", body)])
    result, screen_ms = _screen(serving, body)
    answer = result.model_dump(mode="json")
    if needs_review(body, answer):  # accepts and known true matches, before the audit record
        await run_in_threadpool(review_many, parts.store.engine, serving, [(body, answer)])
    row = _audit_row(answer, body, principal, "screen", screen_ms)
    await _commit(parts, [row])
    alerts: list[list[dict[str, Any]]] = [[]]
    settings = review_settings(request)
    if wants_alerts(settings, body, answer):  # after the audit record, with its screening_id
        alerts = await run_in_threadpool(
            open_many, parts.store.engine, settings, serving, [(body, row)], "screen", principal.actor
        )
    metrics.DECISIONS.labels(row["decision"], "screen").inc()
    return OrjsonResponse(
        {**_answer(row, round((time.perf_counter() - started) * 1000, 3), warnings), "alerts": alerts[0]}
    )


@router.post(
    "/v1/screen/bulk",
    response_model=BulkScreenResponse,
    responses={200: ex.ok(ex.BULK_ANSWER, "One result per query, in order"), **ERRORS},
    summary="Screen up to 1,000 parties",
    description="One result per query, in order; one audit record per query, all committed before the answer.",
)
async def screen_bulk(
    body: Annotated[BulkScreenRequest, Body(openapi_examples=ex.BULK_REQUEST_EXAMPLES)],
    request: Request,
    principal: Principal = Depends(require_screen),
) -> OrjsonResponse:
    started = time.perf_counter()
    parts: Services = request.app.state.services
    serving = _serving(parts)
    warnings = _list_warnings(parts, serving)
    _check_lists(serving, [(f"body.queries.{i}.lists", query) for i, query in enumerate(body.queries)])
    bulk_id = str(uuid.uuid4())

    def work() -> list[dict[str, Any]]:
        answers = []
        for query in body.queries:
            result, screen_ms = _screen(serving, query)
            answers.append((result.model_dump(mode="json"), screen_ms))
        review_many(
            parts.store.engine, serving, [(q, a) for q, (a, _) in zip(body.queries, answers, strict=True)]
        )
        return [
            _audit_row(answer, query, principal, "bulk", screen_ms, bulk_id, position)
            for position, (query, (answer, screen_ms)) in enumerate(zip(body.queries, answers, strict=True))
        ]

    rows = await run_in_threadpool(work)  # a big bulk must not stall single screenings on the event loop
    await _commit(parts, rows)
    alerts = await run_in_threadpool(
        open_many,
        parts.store.engine,
        review_settings(request),
        serving,
        list(zip(body.queries, rows, strict=True)),
        "bulk",
        principal.actor,
    )
    took_ms = round((time.perf_counter() - started) * 1000, 3)
    for row in rows:
        metrics.DECISIONS.labels(row["decision"], "bulk").inc()
    return OrjsonResponse(
        {
            "bulk_id": bulk_id,
            "took_ms": took_ms,
            "warnings": warnings,
            "results": [
                {**_answer(r, took_ms, warnings), "alerts": a} for r, a in zip(rows, alerts, strict=True)
            ],
        }
    )


@router.get(
    "/v1/screenings/{screening_id}",
    response_model=ScreeningRecordOut,
    tags=["audit"],
    responses={
        200: ex.ok(ex.SCREENING_RECORD, "The query, result, list versions, threshold, key id and time"),
        **ex.errors(
            401,
            403,
            422,
            e404=(
                "no audited decision with this id",
                {"error": "not_found", "detail": f"no screening with id {ex.SCREENING_ID}"},
            ),
        ),
    },
    summary="The audited decision (admin)",
)
def screening_record(
    screening_id: uuid.UUID, _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    record = get_screening(parts.store.engine, str(screening_id))
    if record is None:
        raise ApiError(404, "not_found", f"no screening with id {screening_id}")
    return OrjsonResponse(record)
