"""The party register over HTTP: put, read, remove, list, and import files as jobs.

A party put here is screened at once against the serving index (its alerts are in
the answer); an imported file is a job the watcher thread runs, its parties then
screened by the next monitoring round.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi import Query as QueryParam

from service.api import monitoring_examples as mx
from service.api import openapi_examples as ex
from service.api.allow import refuse_other_methods
from service.api.deps import Services, require_screen, services
from service.api.rescreens import watcher
from service.api.responses import MAX_OFFSET, ApiError, OrjsonResponse
from service.auth import Principal
from service.batch.io import BatchInputError, ColumnOverrides
from service.monitoring.cycle import Context
from service.monitoring.import_jobs import queue_import
from service.monitoring.importer import open_party_file
from service.monitoring.jobs import get_job
from service.monitoring.parties import (
    Party,
    PartyError,
    PartyIn,
    PartyPage,
    PartyPut,
    get_party,
    list_parties,
    put_party,
    remove_party,
)
from service.validation import storable_problem

router = APIRouter(tags=["parties"])
# "/v1/parties/import" is the import (POST), not a party called "import" (as OpenAPI matches paths)
refuse_other_methods(router, "/v1/parties/import", ["GET", "PUT", "DELETE"])
MAX_BYTES = 200 * 1024 * 1024
_UPLOAD_CHUNK = 1 << 20
PartyId = Annotated[str, PathParam(min_length=1, max_length=200, description="The firm's own party id")]
NOT_FOUND = ex.errors(e404=("no such party", {"error": "not_found", "detail": f"no party {mx.PARTY_ID!r}"}))


def _not_found(party_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no party {party_id!r}")


@router.put(
    "/v1/parties/{party_id}",
    response_model=PartyPut,
    responses={
        200: ex.ok(
            {**mx.PARTY_PUT_ANSWER, "outcome": "updated"},
            "Updated and screened again (or unchanged, not screened), with its open alerts",
        ),
        201: {
            **ex.ok(mx.PARTY_PUT_ANSWER, "Created (new party id) and screened, with its open alerts"),
            "model": PartyPut,
        },
        **ex.errors(401, 422),
    },
    summary="Register or update a party; it is screened against every active list at once",
)
def put(
    request: Request,
    party_id: PartyId,
    body: Annotated[PartyIn, Body(openapi_examples=mx.PARTY_REQUEST_EXAMPLES)],
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    engine = parts.store.engine
    try:
        party, outcome = put_party(engine, party_id, body)
    except PartyError as exc:
        raise ApiError(
            422, "invalid_request", [{"field": "path.party_id", "message": str(exc), "type": "value_error"}]
        ) from exc
    screened = False
    serving = parts.holder.serving
    if outcome != "unchanged" and serving is not None:
        watcher(request).monitor.screen_now(Context(serving.screener, serving.versions), [party.party_id])
        screened = True
    if outcome != "unchanged":
        watcher(request).wake()  # anything the immediate screening could not settle
    found = get_party(engine, party.party_id)
    assert found is not None
    answer = {**found.model_dump(mode="json"), "outcome": outcome, "screened": screened}
    return OrjsonResponse(answer, status_code=201 if outcome == "created" else 200)


@router.get(
    "/v1/parties/{party_id}",
    response_model=Party,
    responses={200: ex.ok(mx.PARTY, "The party with its open alerts"), **ex.errors(401, 422), **NOT_FOUND},
    summary="One party with its open alerts",
)
def get(
    party_id: PartyId, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    found = get_party(parts.store.engine, party_id)
    if found is None:
        raise _not_found(party_id)
    return OrjsonResponse(found.model_dump(mode="json"))


@router.delete(
    "/v1/parties/{party_id}",
    responses={
        200: ex.ok({"party_id": mx.PARTY_ID, "removed": True}, "Removed (its alerts stay)"),
        **ex.errors(401, 422),
        **NOT_FOUND,
    },
    summary="Remove a party from the register (its alerts stay, for the audit trail)",
)
def delete(
    party_id: PartyId, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    if not remove_party(parts.store.engine, party_id):
        raise _not_found(party_id)
    return OrjsonResponse({"party_id": party_id, "removed": True})


@router.get(
    "/v1/parties",
    response_model=PartyPage,
    responses={200: ex.ok(mx.PARTIES_PAGE, "Parties by id"), **ex.errors(401, 422)},
    summary="The register, paged",
)
def parties(
    name: Annotated[str | None, QueryParam(description="Only names containing this (any case)")] = None,
    type: Annotated[str | None, QueryParam(description="person, entity, vessel, aircraft or any")] = None,
    needs_screen: Annotated[
        bool | None, QueryParam(description="Only parties waiting to be screened")
    ] = None,
    limit: Annotated[int, QueryParam(ge=1, le=500)] = 50,
    offset: Annotated[int, QueryParam(ge=0, le=MAX_OFFSET)] = 0,
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    page = list_parties(
        parts.store.engine,
        limit=limit,
        offset=offset,
        name_contains=name,
        type=type,
        needs_screen=needs_screen,
    )
    return OrjsonResponse(page.model_dump(mode="json"))


@router.post(
    "/v1/parties/import",
    status_code=202,
    responses={
        202: ex.ok(mx.IMPORT_QUEUED, "Queued; poll links.self"),
        **ex.errors(
            401,
            e413=("more than 200 MB", {"error": "file_too_large", "detail": "the upload exceeds 200 MB"}),
            e422=(
                "the file cannot be read, or has no name or id column",
                {
                    "error": "invalid_file",
                    "detail": "customers.csv: no party id column in header ['name', 'dob']; name it e.g. 'id' "
                    "or 'customer_id', or choose one with --id-column",
                },
            ),
        ),
    },
    summary="Import a CSV or XLSX file of parties (a job; re-importing updates only changed parties)",
)
def import_file(
    request: Request,
    file: Annotated[UploadFile, File(description="CSV (any delimiter/encoding) or XLSX with a header row")],
    id_column: Annotated[
        str | None, Form(description="Header of the party id column; guessed when absent")
    ] = None,
    name_column: Annotated[
        str | None, Form(description="Header of the name column; guessed when absent")
    ] = None,
    type_column: Annotated[str | None, Form(description="Header of the party type column")] = None,
    dob_column: Annotated[str | None, Form(description="Header of the date of birth column")] = None,
    country_column: Annotated[str | None, Form(description="Header of the country column")] = None,
    nationality_column: Annotated[str | None, Form(description="Header of the nationality column")] = None,
    labels: Annotated[
        list[str] | None,
        Form(
            description="KEY=VALUE labels given to every party of the file",
            examples=[["source_file=crm.csv"]],
        ),
    ] = None,
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    _refuse_unstorable(
        {
            "file": [file.filename or ""],
            "id_column": [id_column or ""],
            "name_column": [name_column or ""],
            "type_column": [type_column or ""],
            "dob_column": [dob_column or ""],
            "country_column": [country_column or ""],
            "nationality_column": [nationality_column or ""],
            "labels": labels or [],
        }
    )
    filename = Path(file.filename or "upload.csv").name
    suffix = ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    job_id = str(uuid.uuid4())
    folder = parts.settings.data_dir / "party-imports" / job_id
    folder.mkdir(parents=True)
    target = folder / f"input{suffix}"
    columns = {
        role: value
        for role, value in (
            ("id", id_column),
            ("name", name_column),
            ("type", type_column),
            ("dob", dob_column),
            ("country", country_column),
            ("nationality", nationality_column),
        )
        if value
    }
    try:
        label_map = _labels(labels or [])
        _save(file, target)
        try:
            open_party_file(target, ColumnOverrides(**columns))
        except BatchInputError as exc:
            raise ApiError(422, "invalid_file", f"{filename}: {str(exc).split(': ', 1)[-1]}") from exc
        queue_import(parts.store.engine, job_id, filename, target, columns, label_map)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    watcher(request).wake()
    job = get_job(parts.store.engine, job_id, kinds=("import",))
    assert job is not None
    job["links"] = {"self": f"/v1/parties/imports/{job_id}"}
    return OrjsonResponse(job, status_code=202, headers={"Location": f"/v1/parties/imports/{job_id}"})


@router.get(
    "/v1/parties/imports/{job_id}",
    responses={
        200: ex.ok(mx.IMPORT_DONE, "The import job: counts and the rows refused, with why"),
        **ex.errors(
            401, 422, e404=("no such import", {"error": "not_found", "detail": f"no import {mx.IMPORT_ID!r}"})
        ),
    },
    summary="One party import job",
)
def import_job(
    job_id: str, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    job = get_job(parts.store.engine, job_id, kinds=("import",))
    if job is None:
        raise ApiError(404, "not_found", f"no import {job_id!r}")
    return OrjsonResponse(job)


def _refuse_unstorable(form: dict[str, list[str]]) -> None:
    """A NUL or a lone surrogate in a form field: a 422 naming it (the job row refused it: a 500 on PostgreSQL)."""
    errors = []
    for field, values in form.items():
        problem = next((p for value in values if (p := storable_problem(value))), None)
        if problem:
            errors.append({"field": f"body.{field}", "message": problem, "type": "value_error"})
    if errors:
        raise ApiError(422, "invalid_request", errors)


def _labels(items: list[str]) -> dict[str, str]:
    labels = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ApiError(
                422,
                "invalid_request",
                [{"field": "labels", "message": f"{item!r} is not KEY=VALUE", "type": "value_error"}],
            )
        labels[key.strip()] = value.strip()
    return labels


def _save(file: UploadFile, target: Path) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := file.file.read(_UPLOAD_CHUNK):
            written += len(chunk)
            if written > MAX_BYTES:
                raise ApiError(413, "file_too_large", f"the upload exceeds {MAX_BYTES // (1024 * 1024)} MB")
            out.write(chunk)
    if written == 0:
        raise ApiError(422, "invalid_file", "the uploaded file is empty")
