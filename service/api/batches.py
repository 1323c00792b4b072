"""HTTP batch jobs: upload a customer file (or a zip of payment messages), follow its progress,
download the results, cancel.

The upload is streamed to the job's folder on disk, checked (readable, a name
column, at most 1,000,000 rows and 200 MB) and queued; a runner thread in the
server screens it (see service/batch/jobs.py). Same API keys and audit trail as
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

from screening.algorithms import UnknownAlgorithm, get_algorithm
from service.api import openapi_examples as ex
from service.api.deps import Services, require_screen, services
from service.api.response_models import BatchJobOut
from service.api.responses import ApiError, OrjsonResponse
from service.auth import Principal, Role
from service.batch.io import BatchInputError, ColumnOverrides, count_rows, open_input
from service.batch.jobs import MAX_BYTES, MAX_ROWS, BatchJobs, JobOptions
from service.batch.message_sources import MessageSourceError, check_archive
from service.validation import QUOTE_CHARS, quote_prefix

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

ERRORS = ex.errors(
    401,
    e422=(
        "invalid parameter; each error names its field",
        {
            "error": "invalid_request",
            "detail": [
                {
                    "field": "query.file",
                    "message": "Input should be 'results' or 'matches'",
                    "type": "literal_error",
                }
            ],
        },
    ),
    e404=(
        "no such job (or not yours)",
        {"error": "not_found", "detail": f"no batch job {ex.JOB_ID!r}"},
    ),
)


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
    response_model=BatchJobOut,
    responses={
        202: ex.ok(ex.JOB_QUEUED, "Queued; poll links.self for progress"),
        **ex.errors(
            401,
            e413=(
                "more than 1,000,000 rows or 200 MB",
                {"error": "too_many_rows", "detail": "customers.csv has 1200000 rows; the limit is 1000000"},
            ),
            e422=(
                "the file cannot be read or has no name column (or a form field is invalid)",
                {
                    "error": "invalid_file",
                    "detail": "customers.csv: no name column in header ['customer_id', 'birth_date', 'country']; "
                    "name it e.g. 'name' or 'full_name', or choose one with name_column",
                },
            ),
            e503=(
                "fail closed: no active list version",
                {
                    "error": "no_active_list",
                    "detail": "no sanctions list version is active; refusing to screen",
                },
            ),
        ),
    },
    max_body_size=MAX_BYTES + _MULTIPART_SLACK,
    summary="Upload a CSV or XLSX customer file, or a zip of payment messages, to screen",
    description="A customer file gives one results row per row. A `.zip` of payment messages (ISO 20022 "
    "pacs.008, pacs.009, pain.001 XML; SWIFT MT103, MT202 COV text) gives one results row per message "
    "(file, message id, type, decision pass/hold/block, hits with their field paths) and one matches row "
    "per hit; a message that cannot be read is an error row naming the file and the problem. Archives "
    "over 50,000 messages or 200 MB uncompressed are refused (413); members over 1 MB, compressed over "
    "100:1, nested archives and paths with '..' become error rows. Each message is audited as "
    "POST /v1/screen/payment audits it (endpoint `payment-batch`, bulk_id the job id), and reviewed as "
    "it reviews one under `message:<message id>`: accept entries suppress, each live designation hit "
    "opens its alert once (the results give `suppressed` and the `alerts` ids).",
)
def create_batch(
    request: Request,
    file: Annotated[
        UploadFile,
        File(
            description="CSV (any delimiter/encoding) or XLSX, with a header row, e.g. customers.csv; "
            "or a .zip of payment messages"
        ),
    ],
    name_column: Annotated[
        str | None,
        Form(
            description="Header of the name column; guessed (name, full_name, ...) when absent",
            examples=["full_name"],
        ),
    ] = None,
    type_column: Annotated[
        str | None,
        Form(description="Header of the party type column (person/entity/...)", examples=["party_type"]),
    ] = None,
    dob_column: Annotated[
        str | None, Form(description="Header of the date of birth column", examples=["birth_date"])
    ] = None,
    country_column: Annotated[
        str | None, Form(description="Header of the country column", examples=["country"])
    ] = None,
    nationality_column: Annotated[
        str | None, Form(description="Header of the nationality column", examples=["nationality"])
    ] = None,
    id_column: Annotated[
        str | None,
        Form(description="Header of your own row id, copied to the results", examples=["customer_id"]),
    ] = None,
    threshold: Annotated[
        float | None,
        Form(ge=0.0, le=1.0, description="Score threshold; default the server's", examples=[0.84]),
    ] = None,
    output_format: Annotated[
        Literal["csv", "xlsx"], Form(description="Format of the results files", examples=["csv"])
    ] = "csv",
    algorithm: Annotated[
        str | None,
        Form(
            description="Scoring algorithm (GET /v1/algorithms); default balanced-v1", examples=["ofac-sls"]
        ),
    ] = None,
    principal: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    """Queue a batch job; answers 202 with the job (poll `links.self`)."""
    try:
        algorithm = None if algorithm is None else get_algorithm(algorithm).name
    except UnknownAlgorithm as exc:
        raise ApiError(422, "invalid_field", f"algorithm: {exc}") from None
    if not parts.store.active_versions():
        raise ApiError(503, "no_active_list", "no sanctions list version is active; refusing to screen")
    jobs = _jobs(request)
    filename = Path(file.filename or "upload.csv").name
    shown_name = filename if len(filename) <= QUOTE_CHARS else quote_prefix(filename)
    if filename.lower().endswith(".zip"):
        given = {
            "name_column": name_column,
            "type_column": type_column,
            "dob_column": dob_column,
            "country_column": country_column,
            "nationality_column": nationality_column,
            "id_column": id_column,
            "threshold": threshold,
            "algorithm": algorithm,
        }
        used = [name for name, value in given.items() if value is not None]
        if used:
            raise ApiError(422, "invalid_field", f"{', '.join(used)}: not used for a zip of payment messages")
        return _create_message_batch(jobs, file, filename, shown_name, output_format, principal)
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
            source = open_input(target, ColumnOverrides(**columns), style="api")
            rows = count_rows(source, limit=MAX_ROWS)  # stops past the limit: bounded work per upload
        except BatchInputError as exc:
            raise ApiError(422, "invalid_file", f"{shown_name}: {exc.reason}") from exc
        if rows > MAX_ROWS:
            raise ApiError(413, "too_many_rows", f"{shown_name} has {rows} rows; the limit is {MAX_ROWS}")
        job = jobs.create(
            job_id,
            filename,
            target,
            JobOptions(columns, threshold, output_format, algorithm),
            rows,
            principal.key_id,
            notes=source.warnings,
        )
    except BaseException:
        jobs.discard(job_id)
        raise
    return OrjsonResponse(_public(job), status_code=202, headers={"Location": f"/v1/batches/{job_id}"})


def _create_message_batch(
    jobs: BatchJobs,
    file: UploadFile,
    filename: str,
    shown_name: str,
    output_format: str,
    principal: Principal,
) -> OrjsonResponse:
    """Queue a zip of payment messages: refused whole (413/422) when over the archive limits."""
    job_id, folder = jobs.new_job_dir()
    target = folder / "input.zip"
    try:
        _save_upload(file, target)
        try:
            summary = check_archive(target)
        except MessageSourceError as exc:
            raise ApiError(exc.status, exc.problem, f"{shown_name}: {exc}") from exc
        notes = [f"skipped {name} (hidden or system file)" for name in summary.skipped[:100]]
        job = jobs.create(
            job_id,
            filename,
            target,
            JobOptions({}, None, output_format, None, kind="messages"),
            summary.messages,
            principal.key_id,
            notes=notes,
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


@router.get(
    "/{job_id}",
    response_model=BatchJobOut,
    responses={200: ex.ok(ex.JOB_DONE, "The job, with progress and links"), **ERRORS},
    summary="State, progress, hits, errors and ETA of a job",
)
def get_batch(
    request: Request, job_id: str, principal: Principal = Depends(require_screen)
) -> OrjsonResponse:
    job = _visible(_jobs(request).get(job_id), principal, job_id)
    return OrjsonResponse(_public(job))


@router.get(
    "/{job_id}/results",
    responses={
        200: {
            "description": "The input rows with decision columns (CSV, UTF-8 with BOM, or XLSX as chosen at upload)",
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": ex.BATCH_RESULTS_CSV},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        },
        **ERRORS,
        **ex.errors(
            e409=(
                "the job has not finished (state says why)",
                {
                    "error": "not_ready",
                    "detail": f"job {ex.JOB_ID} is running; results exist once it is done",
                },
            )
        ),
    },
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
    response_model=BatchJobOut,
    responses={
        200: ex.ok(ex.JOB_CANCELLED, "The cancelled job"),
        **ERRORS,
        **ex.errors(
            e409=(
                "the job already finished",
                {"error": "already_finished", "detail": f"job {ex.JOB_ID} is done"},
            )
        ),
    },
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
