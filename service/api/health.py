"""Liveness, readiness (fail closed) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from service import metrics
from service.api import openapi_examples as ex
from service.api.deps import Services, services
from service.api.response_models import HealthOut, ReadyOut
from service.api.responses import OrjsonResponse
from service.freshness import ListsNotUsable
from service.http.db_errors import probe_of
from service.index_holder import update_list_ages

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    response_model=HealthOut,
    summary="The process is up",
    responses={200: ex.ok({"status": "ok"}, "The process answers")},
)
async def healthz() -> OrjsonResponse:
    return OrjsonResponse({"status": "ok"})


@router.get(
    "/readyz",
    response_model=ReadyOut,
    summary="Ready to screen: a list version is active and its index is built",
    responses={
        200: ex.ok(
            {"status": "ready", "lists": ex.LIST_VERSIONS, "designations": 16853},
            "Ready: the serving list versions and the number of designations indexed",
        ),
        **ex.errors(
            e503=(
                "not ready: no active list, or the index is still being built",
                {"error": "not_ready", "detail": "the screening index is being built"},
            )
        ),
    },
)
async def readyz(request: Request, parts: Services = Depends(services)) -> OrjsonResponse:
    database_problem = await probe_of(request.app, parts.store.engine).problem()  # cached ~1 s
    if database_problem is not None:
        return OrjsonResponse({"error": "database_unavailable", "detail": database_problem}, status_code=503)
    serving = parts.holder.serving
    if serving is None:
        status = parts.holder.status
        reason = status.last_error or "the screening index is being built"
        return OrjsonResponse({"error": "not_ready", "detail": reason}, status_code=503)
    body: dict[str, Any] = {
        "status": "ready",
        "lists": serving.labels,
        "designations": serving.screener.stats.designations,
        "index": {"source": serving.source, "load_seconds": parts.holder.status.last_build_seconds},
    }
    status_ = parts.lists_status
    if status_ is not None:
        report = status_.report(serving.versions)
        body["freshness"] = {code: item.as_json() for code, item in report.items()}
        body["stale"] = [code for code, item in report.items() if item.stale]
        body["required"] = list(status_.policy.required)
        try:
            status_.assess(serving.versions)
        except ListsNotUsable as exc:
            return OrjsonResponse({**body, "error": exc.error, "detail": exc.detail}, status_code=503)
    return OrjsonResponse(body)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Requests and latency histograms per endpoint, decisions, index size, age of each list, "
    "audit commits. Not authenticated: expose it only to the monitoring network.",
    response_class=PlainTextResponse,
    responses={200: ex.ok(ex.METRICS_TEXT, "Prometheus text exposition format", "text/plain")},
)
async def prometheus_metrics(parts: Services = Depends(services)) -> Response:
    update_list_ages(parts.holder.serving)
    if parts.lists_status is not None and parts.holder.serving is not None:
        parts.lists_status.report(parts.holder.serving.versions)  # refreshes the freshness gauges
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
