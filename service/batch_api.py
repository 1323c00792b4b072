"""HTTP batch jobs: upload a customer file, follow its progress, download the results, cancel.

The upload is streamed to the job's folder on disk, checked (readable, a name
column, at most 1,000,000 rows and 200 MB) and queued; a runner thread in the
server screens it (see service/batch_jobs.py). Same API keys and audit trail as
the rest of the API: a `screen` key sees its own jobs, an `admin` key all jobs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse

from service.auth import Principal, Role
from service.batch_io import BatchInputError, ColumnOverrides, count_rows, open_input
from service.batch_jobs import MAX_BYTES, MAX_ROWS, BatchJobs, JobOptions
from service.deps import Services, require_screen, services
from service.responses import ApiError, OrjsonResponse

log = logging.getLogger(__name__)
_UPLOAD_CHUNK = 1 << 20
_MULTIPART_SLACK = 1 << 20


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start this server process's job runner (after the app's own start-up opened the store)."""
    parts: Services = app.state.services
    workers = os.environ.get("SANCTIONS_BATCH_WORKERS")
    jobs = BatchJobs(parts.store.engine, parts.settings.data_dir, workers=int(workers) if workers else None)
    jobs.start()
    app.state.batch_jobs = jobs
    try:
        yield
    finally:
        jobs.stop()


router = APIRouter(prefix="/v1/batches", tags=["batch"], lifespan=_lifespan)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing, unknown or revoked API key"},
    404: {"description": "no such job (or not yours)"},
}


def _jobs(request: Request) -> BatchJobs:
    return request.app.state.batch_jobs


def _visible(job: dict[str, Any] | None, principal: Principal, job_id: str) -> dict[str, Any]:
    """A screen key sees only its own jobs; admin (and auth off) sees all."""
    if job is None or (
        principal.role != Role.ADMIN
        and principal.key_id is not None
        and job["api_key_id"] != principal.key_id
    ):
        raise ApiError(404, "not_found", f"no batch job {job_id!r}")
    return job


def _public(job: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in job.items() if k != "api_key_id"}
    shown["links"] = {
        "self": f"/v1/batches/{job['job_id']}",
        "results": f"/v1/batches/{job['job_id']}/results",
        "matches": f"/v1/batches/{job['job_id']}/results?file=matches",
    }
    return shown


@router.post(
    "",
    status_code=202,
    responses={**ERRORS, 413: {"description": "more than 1,000,000 rows or 200 MB"}},
    max_body_size=MAX_BYTES + _MULTIPART_SLACK,
    summary="Upload a CSV or XLSX customer file to screen",
)
def create_batch(
    request: Request,
    file: Annotated[UploadFile, File(description="CSV (any delimiter/encoding) or XLSX, with a header row")],
    name_column: Annotated[str | None, Form()] = None,
    type_column: Annotated[str | None, Form()] = None,
    dob_column: Annotated[str | None, Form()] = None,
    country_column: Annotated[str | None, Form()] = None,
    nationality_column: Annotated[str | None, Form()] = None,
    id_column: Annotated[str | None, Form()] = None,
    threshold: Annotated[float | None, Form(ge=0.0, le=1.0)] = None,
    output_format: Annotated[Literal["csv", "xlsx"], Form()] = "csv",
    principal: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    """Queue a batch job; answers 202 with the job (poll `links.self`)."""
    if not parts.store.active_versions():
        raise ApiError(503, "no_active_list", "no sanctions list version is active; refusing to screen")
    jobs = _jobs(request)
    filename = Path(file.filename or "upload.csv").name
    suffix = ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    job_id, folder = jobs.new_job_dir()
    target = folder / f"input{suffix}"
    try:
        _save_upload(file, target)
        columns = {
            role: value
            for role, value in (
                ("name", name_column),
                ("type", type_column),
                ("dob", dob_column),
                ("country", country_column),
                ("nationality", nationality_column),
                ("id", id_column),
            )
            if value
        }
        try:
            source = open_input(target, ColumnOverrides(**columns))
            rows = count_rows(source)
        except BatchInputError as exc:
            raise ApiError(422, "invalid_file", f"{filename}: {str(exc).split(': ', 1)[-1]}") from exc
        if rows > MAX_ROWS:
            raise ApiError(413, "too_many_rows", f"{filename} has {rows} rows; the limit is {MAX_ROWS}")
        job = jobs.create(
            job_id,
            filename,
            target,
            JobOptions(columns, threshold, output_format),
            rows,
            principal.key_id,
            notes=source.warnings,
        )
    except BaseException:
        jobs.discard(job_id)
        raise
    return OrjsonResponse(_public(job), status_code=202, headers={"Location": f"/v1/batches/{job_id}"})


def _save_upload(file: UploadFile, target: Path) -> None:
    """Copy the upload to the job folder, refusing more than MAX_BYTES."""
    written = 0
    with target.open("wb") as out:
        while chunk := file.file.read(_UPLOAD_CHUNK):
            written += len(chunk)
            if written > MAX_BYTES:
                raise ApiError(413, "file_too_large", f"the upload exceeds {MAX_BYTES // (1024 * 1024)} MB")
            out.write(chunk)
    if written == 0:
        raise ApiError(422, "invalid_file", "the uploaded file is empty")


@router.get("/{job_id}", responses=ERRORS, summary="State, progress, hits, errors and ETA of a job")
def get_batch(
    request: Request, job_id: str, principal: Principal = Depends(require_screen)
) -> OrjsonResponse:
    job = _visible(_jobs(request).get(job_id), principal, job_id)
    return OrjsonResponse(_public(job))


@router.get(
    "/{job_id}/results",
    responses={**ERRORS, 409: {"description": "the job has not finished (state says why)"}},
    summary="Download the results (or, with file=matches, every match with its explanation)",
    response_class=FileResponse,
)
def get_results(
    request: Request,
    job_id: str,
    file: Literal["results", "matches"] = "results",
    principal: Principal = Depends(require_screen),
) -> FileResponse:
    jobs = _jobs(request)
    job = _visible(jobs.get(job_id), principal, job_id)
    path = jobs.results_file(job_id, matches=file == "matches")
    if path is None:
        raise ApiError(409, "not_ready", f"job {job_id} is {job['state']}; results exist once it is done")
    stem = Path(job["filename"]).stem
    name = f"{stem}_{'matches' if file == 'matches' else 'results'}{path.suffix}"
    media = (
        "text/csv; charset=utf-8"
        if path.suffix == ".csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(path, media_type=media, filename=name)


@router.delete(
    "/{job_id}",
    responses={**ERRORS, 409: {"description": "the job already finished"}},
    summary="Cancel a queued or running job",
)
def cancel_batch(
    request: Request, job_id: str, principal: Principal = Depends(require_screen)
) -> OrjsonResponse:
    jobs = _jobs(request)
    _visible(jobs.get(job_id), principal, job_id)
    job = jobs.cancel(job_id)
    assert job is not None
    if job["state"] != "cancelled":
        raise ApiError(409, "already_finished", f"job {job_id} is {job['state']}")
    return OrjsonResponse(_public(job))
