"""Liveness, readiness (fail closed) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from service import metrics
from service.api_models import ErrorBody
from service.deps import Services, services
from service.index_holder import update_list_ages
from service.responses import OrjsonResponse

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    summary="The process is up",
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
async def healthz() -> OrjsonResponse:
    return OrjsonResponse({"status": "ok"})


@router.get(
    "/readyz",
    summary="Ready to screen: a list version is active and its index is built",
    responses={
        200: {
            "content": {
                "application/json": {"example": {"status": "ready", "lists": {"ofac": "ofac@1:2025-03-05"}}}
            }
        },
        503: {
            "model": ErrorBody,
            "description": "not ready: no active list, or the index is still being built",
        },
    },
)
async def readyz(parts: Services = Depends(services)) -> OrjsonResponse:
    serving = parts.holder.serving
    if serving is None:
        status = parts.holder.status
        reason = status.last_error or "the screening index is being built"
        return OrjsonResponse({"error": "not_ready", "detail": reason}, status_code=503)
    return OrjsonResponse(
        {"status": "ready", "lists": serving.labels, "designations": serving.screener.stats.designations}
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def prometheus_metrics(parts: Services = Depends(services)) -> Response:
    update_list_ages(parts.holder.serving)
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
