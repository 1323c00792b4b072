"""Rescreen jobs: list, read, ask for a full rescreen (admin). Also starts this server's watcher.

The watcher thread (service/monitoring/watcher.py) imports uploaded party files and
rescreens the register whenever a list gets a new active version; its jobs are
what these endpoints show.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request

from service.api import monitoring_examples as mx
from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, require_screen, services
from service.api.responses import MAX_OFFSET, ApiError, OrjsonResponse
from service.auth import Principal
from service.monitoring.cycle import request_full_rescreen
from service.monitoring.jobs import get_job, list_jobs
from service.monitoring.watcher import Watcher

ENV_INTERVAL = "SANCTIONS_MONITOR_SECONDS"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    parts: Services = app.state.services
    interval = float(os.environ.get(ENV_INTERVAL, "5"))
    watcher = Watcher(parts.store, parts.holder, interval=interval)
    app.state.monitor_watcher = watcher
    if interval > 0:
        watcher.start()
    try:
        yield
    finally:
        watcher.stop()


router = APIRouter(tags=["monitoring"], lifespan=_lifespan)


def watcher(request: Request) -> Watcher:
    return request.app.state.monitor_watcher


@router.get(
    "/v1/rescreens",
    responses={200: ex.ok(mx.RESCREENS_PAGE, "Rescreen jobs, newest first"), **ex.errors(401, 422)},
    summary="Rescreen jobs: progress, counts, duration",
)
def rescreens(
    state: Annotated[str | None, Query(description="queued, running, done or failed")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    items, total = list_jobs(parts.store.engine, state=state, limit=limit, offset=offset)
    return OrjsonResponse({"items": items, "total": total, "limit": limit, "offset": offset})


@router.get(
    "/v1/rescreens/{job_id}",
    responses={
        200: ex.ok(mx.RESCREEN, "The job"),
        **ex.errors(
            401,
            422,
            e404=("no such rescreen", {"error": "not_found", "detail": f"no rescreen {mx.RESCREEN_ID!r}"}),
        ),
    },
    summary="One rescreen job",
)
def rescreen(
    job_id: str, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    job = get_job(parts.store.engine, job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no rescreen {job_id!r}")
    return OrjsonResponse(job)


@router.post(
    "/v1/rescreens",
    status_code=202,
    responses={202: ex.ok(mx.FULL_QUEUED, "Queued; the watcher runs it next"), **ex.errors(401, 403)},
    summary="Ask for a full rescreen of the register (e.g. after an engine upgrade)",
)
def full_rescreen(
    request: Request, _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    job_id = request_full_rescreen(parts.store.engine, trigger="api")
    watcher(request).wake()
    job = get_job(parts.store.engine, job_id)
    return OrjsonResponse(job, status_code=202, headers={"Location": f"/v1/rescreens/{job_id}"})
