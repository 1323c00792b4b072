"""Response bodies of the routes that answer with plain dicts, declared so the OpenAPI spec says
what a 2xx holds (clients generate code from it; schemathesis checks answers against it).

The routes still build their answers as dicts rendered by orjson (no second validation on
the hot path); tests/test_schemathesis.py checks every answer against these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class HealthOut(BaseModel):
    status: Literal["ok"]


class IndexOut(BaseModel):
    """Where this worker's screening index came from."""

    source: Literal["snapshot", "built"] = Field(
        description="snapshot: mapped from the list versions' index snapshot (shared by the host's "
        "processes); built: built in this process (then written as the snapshot)"
    )
    load_seconds: float | None = Field(description="to map (or build) the serving index")


class ReadyOut(BaseModel):
    status: Literal["ready"]
    lists: dict[str, str] = Field(description="list code -> serving version label")
    designations: int
    index: IndexOut | None = None


class ScreeningRecordOut(BaseModel):
    """An audited decision as stored: the request, the result and the list versions it was made against."""

    screening_id: str
    created_at: str | None
    endpoint: str = Field(description="screen, bulk or batch")
    bulk_id: str | None
    position: int | None
    api_key_id: str | None
    reference: str | None
    decision: str
    threshold: float | None
    list_versions: Any
    request: Any
    result: Any
    screen_ms: float | None


class KeyRevokedOut(BaseModel):
    key_id: str
    revoked: Literal[True]


class JobLinks(BaseModel):
    self: str
    results: str
    matches: str


class BatchJobOut(BaseModel):
    """A batch job: state, progress, counts, options and links."""

    job_id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    filename: str
    rows_total: int | None
    rows_done: int
    hits: int
    errors: int
    eta_seconds: float | None
    error: str | None
    notes: list[str]
    attempts: int
    list_versions: dict[str, str] | None
    options: dict[str, Any]
    created_at: str
    started_at: str | None
    finished_at: str | None
    links: JobLinks
