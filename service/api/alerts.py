"""Alerts over HTTP: list and read them, decide (four eyes), assign, and the case report (JSON or PDF).

Thin: the work is in service.alerts (the core) and service.review (decisions, reports).
Reading alerts needs a key (any role: a gateway learns its alert ids from its screenings anyway);
deciding needs an analyst, approving an approver, the case report an analyst.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import Response

from lists.model import ListCode
from service.alerts import Alert, get_alert, list_alerts
from service.alerts.store import AlertSource
from service.api import openapi_examples as ex
from service.api import review_examples as rx
from service.api.deps import Services, require_analyst, require_approver, require_screen, services
from service.api.responses import MAX_OFFSET, ApiError, OrjsonResponse
from service.api.review_models import ApprovalIn, AssignIn, DecisionIn, ReviewedAlertOut
from service.api.screen_review import review_settings
from service.auth import Principal
from service.review.decisions import STATUSES, ReviewError, approve, assign, decide, pending_proposal
from service.review.reports import build_report

router = APIRouter(tags=["alerts"])
_ERRORS = ex.errors(401, 403, 422)
_NOT_FOUND = ex.errors(
    e404=("no alert with this id", {"error": "not_found", "detail": f"no alert {rx.ALERT_ID!r}"})
)
_STEP_ERRORS = ex.errors(
    e403=(
        "the role does not allow it, or four eyes: the same user cannot approve their own proposal",
        {"error": "four_eyes", "detail": "ana made this proposed step; a different user must review it"},
    ),
    e409=(
        "the alert is not in a state that allows this step",
        {"error": "conflict", "detail": f"alert {rx.ALERT_ID} is closed"},
    ),
)
AlertId = Path(min_length=1, max_length=36, examples=[rx.ALERT_ID])
PDF = "application/pdf"


def _out(alert: Alert) -> dict[str, Any]:
    proposal = pending_proposal(alert)
    data = alert.model_dump(mode="json")
    return {**data, "proposal": proposal.as_dict() if proposal else None}


def _reviewed(step: Callable[[], Alert]) -> OrjsonResponse:
    """Run one review step and answer with the alert, or with the step's refusal as an API error."""
    try:
        done = step()
    except ReviewError as exc:
        raise _refused(exc) from None
    return OrjsonResponse(_out(done))


def _refused(exc: ReviewError) -> ApiError:
    if exc.field is not None:
        detail: Any = [{"field": exc.field, "message": exc.detail, "type": "value_error"}]
        return ApiError(exc.status, exc.error, detail)
    return ApiError(exc.status, exc.error, exc.detail)


@router.get(
    "/v1/alerts",
    responses={
        200: ex.ok(rx.ALERTS_ANSWER, "Alerts, newest first (without history: GET one for it)"),
        **_ERRORS,
    },
    summary="Alerts to review",
)
def alerts(
    status: str | None = Query(default=None, description=f"one of {', '.join(STATUSES)}"),
    list_code: ListCode | None = Query(default=None, alias="list"),
    party_id: str | None = Query(default=None, max_length=128),
    assigned_to: str | None = Query(default=None, max_length=64),
    entity_id: str | None = Query(default=None, max_length=200),
    source: AlertSource | None = Query(default=None, description="what opened the alert"),
    batch_id: str | None = Query(default=None, max_length=64, description="the batch job that opened it"),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    if status is not None and status not in STATUSES:
        raise ApiError(
            422,
            "invalid_request",
            [{"field": "query.status", "message": f"must be one of {', '.join(STATUSES)}", "type": "enum"}],
        )
    page = list_alerts(
        parts.store.engine,
        status=status,
        list_code=list_code.value if list_code else None,
        party_id=party_id,
        assigned_to=assigned_to,
        entity_id=entity_id,
        source=source,
        batch_id=batch_id,
        limit=limit,
        offset=offset,
    )
    return OrjsonResponse(
        {"items": [_out(a) for a in page.items], "total": page.total, "limit": limit, "offset": offset}
    )


@router.get(
    "/v1/alerts/{alert_id}",
    response_model=ReviewedAlertOut,
    responses={
        200: ex.ok(rx.ALERT_PROPOSED, "The alert, its pending proposal and its whole history"),
        **_ERRORS,
        **_NOT_FOUND,
    },
    summary="One alert with its history",
)
def alert(
    alert_id: str = AlertId, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    found = get_alert(parts.store.engine, alert_id)
    if found is None:
        raise ApiError(404, "not_found", f"no alert {alert_id!r}")
    return OrjsonResponse(_out(found))


@router.post(
    "/v1/alerts/{alert_id}/decision",
    response_model=ReviewedAlertOut,
    responses={
        200: ex.ok(
            rx.ALERT_PROPOSED, "Proposed (or escalated, or closed when the outcome needs no approval)"
        ),
        **_ERRORS,
        **_NOT_FOUND,
        **_STEP_ERRORS,
    },
    summary="Propose an outcome (analyst)",
    description="`true_match`, `false_positive` (both need a different user's approval unless configured "
    "otherwise) or `escalated`, always with a note.",
)
def decision(
    request: Request,
    body: Annotated[DecisionIn, Body(openapi_examples=ex.request_examples(rx.DECISION_REQUEST_EXAMPLES))],
    alert_id: str = AlertId,
    principal: Principal = Depends(require_analyst),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    return _reviewed(
        lambda: decide(
            parts.store.engine,
            alert_id,
            outcome=body.outcome,
            note=body.note,
            principal=principal,
            settings=review_settings(request),
        )
    )


@router.post(
    "/v1/alerts/{alert_id}/approve",
    response_model=ReviewedAlertOut,
    responses={
        200: ex.ok(
            rx.ALERT_CLOSED, "Approved and closed (a false positive goes on the accept list), or sent back"
        ),
        **_ERRORS,
        **_NOT_FOUND,
        **_STEP_ERRORS,
    },
    summary="Approve or send back a proposal (approver, not its author)",
)
def approval(
    request: Request,
    body: Annotated[ApprovalIn, Body(openapi_examples=ex.request_examples(rx.APPROVAL_REQUEST_EXAMPLES))],
    alert_id: str = AlertId,
    principal: Principal = Depends(require_approver),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    return _reviewed(
        lambda: approve(
            parts.store.engine,
            alert_id,
            action=body.action,
            note=body.note,
            principal=principal,
            settings=review_settings(request),
        )
    )


@router.post(
    "/v1/alerts/{alert_id}/assign",
    response_model=ReviewedAlertOut,
    responses={200: ex.ok(rx.ALERT_ASSIGNED, "Assigned"), **_ERRORS, **_NOT_FOUND, **_STEP_ERRORS},
    summary="Assign an alert to a user",
)
def assignment(
    body: Annotated[AssignIn, Body(openapi_examples=ex.request_examples(rx.ASSIGN_REQUEST_EXAMPLES))],
    alert_id: str = AlertId,
    principal: Principal = Depends(require_analyst),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    return _reviewed(
        lambda: assign(
            parts.store.engine, alert_id, assigned_to=body.assigned_to, note=body.note, principal=principal
        )
    )


@router.get(
    "/v1/alerts/{alert_id}/report",
    responses={
        200: {
            "description": "The case: query, match and explanation, list versions, the designation as it was, "
            "every step with user, time and note",
            "content": {
                "application/json": {"example": rx.REPORT},
                PDF: {"schema": {"type": "string", "format": "binary"}, "example": "%PDF-1.3 ..."},
            },
        },
        **_ERRORS,
        **_NOT_FOUND,
    },
    summary="The case report (JSON, or PDF with ?format=pdf or Accept: application/pdf)",
)
def report(
    request: Request,
    alert_id: str = AlertId,
    format: str | None = Query(default=None, pattern="^(json|pdf)$"),
    principal: Principal = Depends(require_analyst),
    parts: Services = Depends(services),
) -> Response:
    case = build_report(parts.store.engine, alert_id, generated_by=principal.actor)
    if case is None:
        raise ApiError(404, "not_found", f"no alert {alert_id!r}")
    wants_pdf = format == "pdf" or (format is None and PDF in request.headers.get("accept", ""))
    if wants_pdf:
        from service.review.pdf import render_case_pdf  # fpdf: 18 MB a process, only for reports

        return Response(
            render_case_pdf(case),
            media_type=PDF,
            headers={"Content-Disposition": f'inline; filename="case-{alert_id}.pdf"'},
        )
    return OrjsonResponse(case)
