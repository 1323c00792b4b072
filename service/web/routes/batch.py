"""Batch page: upload a customer file, watch it run (htmx polls the progress), download the results.

Uploading, progress, downloads and cancelling call the batch API's own handlers
(service/api/batches.py) with the signed-in person's key, so the same checks,
limits, visibility rules and audit trail apply as for POST /v1/batches.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from service.api import batches as api
from service.api.responses import ApiError
from service.batch.listing import recent_jobs
from service.web.pages import PageError, is_htmx, render, services_of, user_of
from service.web.session import WebUser, check_csrf

router = APIRouter(include_in_schema=False)

ACTIVE = ("queued", "running")


def _job(request: Request, user: WebUser, job_id: str) -> dict[str, Any]:
    try:
        return api._visible(api._jobs(request).get(job_id), user.principal, job_id)
    except ApiError as exc:
        raise PageError(exc.status, "No such batch job", str(exc.detail)) from None


def _jobs_of(request: Request, user: WebUser) -> list[dict[str, Any]]:
    mine = None if user.is_admin else user.principal.key_id
    return recent_jobs(services_of(request).store.engine, mine)


def _page(request: Request, user: WebUser, status: int = 200, **extra: Any) -> HTMLResponse:
    context = {"jobs": _jobs_of(request, user), "form": extra.pop("form", {}), **extra}
    return render(request, "batch.html", context, user=user, status=status)


@router.get("/batch", response_class=HTMLResponse)
def batch_page(request: Request, user: WebUser = Depends(user_of)) -> HTMLResponse:
    return _page(request, user)


def _column(value: str | None) -> str | None:
    return (value or "").strip() or None


@router.post("/batch", response_class=HTMLResponse, response_model=None)
async def upload(
    request: Request,
    file: Annotated[UploadFile | None, File()] = None,
    name_column: Annotated[str | None, Form()] = None,
    id_column: Annotated[str | None, Form()] = None,
    output_format: Annotated[str, Form()] = "csv",
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(user_of),
) -> Response:
    check_csrf(request, csrf_token)
    form = {"name_column": name_column or "", "id_column": id_column or "", "output_format": output_format}
    if file is None or not file.filename:
        return _page(request, user, 422, form=form, failure="Choose a CSV or XLSX file to upload.")
    if output_format not in ("csv", "xlsx"):
        return _page(request, user, 422, form=form, failure="Results format: choose CSV or XLSX.")
    try:
        answer = await run_in_threadpool(
            api.create_batch,
            request,
            file,
            name_column=_column(name_column),
            id_column=_column(id_column),
            output_format=output_format,  # type: ignore[arg-type]  # checked above
            principal=user.principal,
            parts=services_of(request),
        )
    except ApiError as exc:
        return _page(request, user, exc.status, form=form, failure=str(exc.detail))
    job = orjson.loads(answer.body)
    return RedirectResponse(f"/batch/{job['job_id']}", status_code=303)


@router.get("/batch/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request, user: WebUser = Depends(user_of)) -> HTMLResponse:
    job = _job(request, user, job_id)
    return render(request, "batch_job.html", {"job": job, "active": ACTIVE}, user=user)


@router.get("/batch/{job_id}/progress", response_class=HTMLResponse)
def job_progress(job_id: str, request: Request, user: WebUser = Depends(user_of)) -> HTMLResponse:
    """The progress panel; htmx swaps it in every second until the job has finished."""
    job = _job(request, user, job_id)
    return render(request, "_job_progress.html", {"job": job, "active": ACTIVE}, user=user)


@router.get("/batch/{job_id}/download", response_model=None)
def download(
    job_id: str, request: Request, file: str = "results", user: WebUser = Depends(user_of)
) -> FileResponse:
    if file not in ("results", "matches"):
        raise PageError(422, "Unknown file", "Download either the results or the matches file.")
    _job(request, user, job_id)
    try:
        return api.get_results(request, job_id, file, user.principal)  # type: ignore[arg-type]
    except ApiError as exc:
        raise PageError(exc.status, "No results yet", str(exc.detail)) from None


@router.post("/batch/{job_id}/cancel", response_class=HTMLResponse, response_model=None)
def cancel(
    job_id: str,
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(user_of),
) -> Response:
    check_csrf(request, csrf_token)
    _job(request, user, job_id)
    try:
        api.cancel_batch(request, job_id, user.principal)
    except ApiError as exc:
        if exc.status != 409:  # already finished: just show it as it is
            raise PageError(exc.status, "Cannot cancel", str(exc.detail)) from None
    if is_htmx(request):
        return job_progress(job_id, request, user)
    return RedirectResponse(f"/batch/{job_id}", status_code=303)
