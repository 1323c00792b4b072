"""Alerts: list and read (GET). Decisions on alerts are the review endpoints' job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from service.alerts import Alert, AlertPage, get_alert, list_alerts
from service.api import monitoring_examples as mx
from service.api import openapi_examples as ex
from service.api.deps import Services, require_screen, services
from service.api.responses import ApiError, OrjsonResponse
from service.auth import Principal

router = APIRouter(tags=["alerts"])


@router.get(
    "/v1/alerts",
    response_model=AlertPage,
    responses={200: ex.ok(mx.ALERTS_PAGE, "Alerts, newest first (without history)"), **ex.errors(401, 422)},
    summary="Alerts, filtered and paged",
)
def alerts(
    status: Annotated[str | None, Query(description="open, closed, ...", examples=["open"])] = None,
    party_id: Annotated[str | None, Query(description="Only this party's alerts")] = None,
    list_code: Annotated[str | None, Query(alias="list", description="Only this list's alerts")] = None,
    entity_id: Annotated[str | None, Query(description="Only alerts on this designation")] = None,
    assigned_to: Annotated[str | None, Query(description="Only alerts assigned to this user")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    page = list_alerts(
        parts.store.engine,
        status=status,
        party_id=party_id,
        list_code=list_code,
        entity_id=entity_id,
        assigned_to=assigned_to,
        limit=limit,
        offset=offset,
    )
    return OrjsonResponse(page.model_dump(mode="json"))


@router.get(
    "/v1/alerts/{alert_id}",
    response_model=Alert,
    responses={
        200: ex.ok(mx.ALERT_WITH_HISTORY, "The alert with its result, list versions and history"),
        **ex.errors(
            401, 422, e404=("no such alert", {"error": "not_found", "detail": f"no alert {mx.ALERT_ID!r}"})
        ),
    },
    summary="One alert with its history",
)
def alert(
    alert_id: str, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    found = get_alert(parts.store.engine, alert_id)
    if found is None:
        raise ApiError(404, "not_found", f"no alert {alert_id!r}")
    return OrjsonResponse(found.model_dump(mode="json"))
