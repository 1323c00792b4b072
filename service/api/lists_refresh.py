"""POST /v1/lists/refresh (admin): fetch every configured source now, load what changed, switch the index."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from lists.fetch.update import UpdateBusy, UpdateOutcome, update_lists
from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, services
from service.api.responses import ApiError, OrjsonResponse
from service.auth import Principal
from service.lists_keeper import record_outcomes

router = APIRouter(tags=["lists"])


class UpdateOutcomeOut(BaseModel):
    list: str
    status: str  # loaded | unchanged | failed
    ok: bool
    version: str | None = None
    version_id: int | None = None
    record_count: int | None = None
    error: str | None = None
    where: str | None = None
    urls: list[str]
    downloaded_bytes: int
    seconds: float


class RefreshOut(BaseModel):
    ok: bool
    outcomes: list[UpdateOutcomeOut]
    serving: dict[str, str]
    error: str | None = None  # on 422: list_update_failed
    detail: str | None = None


_MIRROR = "https://mirror.bank.example/sanctions"
_UNCHANGED_UN = {
    "list": "un",
    "status": "unchanged",
    "ok": True,
    "version": "un@3:2026-02-27",
    "version_id": 3,
    "record_count": 1003,
    "error": None,
    "where": None,
    "urls": [f"{_MIRROR}/un/consolidated.xml"],
    "downloaded_bytes": 0,
    "seconds": 0.041,
}
REFRESH_OK = {
    "ok": True,
    "outcomes": [
        {
            "list": "ofac",
            "status": "loaded",
            "ok": True,
            "version": "ofac@7:2026-12-05",
            "version_id": 7,
            "record_count": 15403,
            "error": None,
            "where": None,
            "urls": [
                f"{_MIRROR}/ofac/{name}" for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
            ],
            "downloaded_bytes": 6352518,
            "seconds": 9.9,
        },
        _UNCHANGED_UN,
    ],
    "serving": {"ofac": "ofac@7:2026-12-05", "un": "un@3:2026-02-27"},
}
REFRESH_FAILED = {
    "ok": False,
    "error": "list_update_failed",
    "detail": "failed: ofac; their active versions keep serving",
    "outcomes": [
        {
            "list": "ofac",
            "status": "failed",
            "ok": False,
            "version": None,
            "version_id": None,
            "record_count": None,
            "error": "sdn.csv:13901: truncated: the file does not end with the end-of-file marker (the byte 0x1A "
            "on its own line, which ends every OFAC legacy CSV file); refusing the whole list",
            "where": "sdn.csv",
            "urls": [
                f"{_MIRROR}/ofac/{name}" for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
            ],
            "downloaded_bytes": 5901234,
            "seconds": 2.1,
        },
        _UNCHANGED_UN,
    ],
    "serving": {"ofac": "ofac@5:2026-12-04", "un": "un@3:2026-02-27"},
}
REFRESH_WAIT_SECONDS = 30.0  # a scheduled update holding the lock usually ends within seconds


def outcome_json(outcome: UpdateOutcome) -> dict[str, Any]:
    """One list's update outcome, as the API and `sanctions lists update --json` show it."""
    return {
        "list": outcome.list_code,
        "status": outcome.status,
        "ok": outcome.ok,
        "version": outcome.version.label if outcome.version else None,
        "version_id": outcome.version.id if outcome.version else None,
        "record_count": outcome.version.record_count if outcome.version else None,
        "error": outcome.error,
        "where": outcome.where,
        "urls": outcome.urls,
        "downloaded_bytes": outcome.downloaded_bytes,
        "seconds": round(outcome.seconds, 3),
    }


@router.post(
    "/v1/lists/refresh",
    summary="Fetch the configured list sources now and switch to what changed (admin)",
    description="Runs `sanctions lists update` in the server: each enabled source is downloaded "
    "(conditionally), verified and loaded only when its content changed; the index is then rebuilt and "
    "switched atomically. 200 when every list is loaded or unchanged, 422 when any failed (each failure "
    "names the URL or file and the reason; that list keeps its active version), 409 when another update "
    "holds the lock for more than 30 s.",
    response_model=RefreshOut,
    responses={
        200: ex.ok(REFRESH_OK, "Every list loaded or unchanged; the index serves the new versions"),
        **ex.errors(401, 403, 409),
        422: {
            "model": RefreshOut,
            "description": "a list failed; it keeps its active version (the outcome names the URL or file and why)",
            "content": {"application/json": {"example": REFRESH_FAILED}},
        },
    },
)
async def refresh_lists(
    _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    config = parts.lists_status.policy.sources if parts.lists_status is not None else None
    try:
        outcomes = await run_in_threadpool(update_lists, parts.store, None, config, REFRESH_WAIT_SECONDS)
    except UpdateBusy as exc:
        raise ApiError(409, "refresh_running", str(exc)) from None
    except ValueError as exc:
        raise ApiError(422, "no_source", str(exc)) from None
    record_outcomes(outcomes)
    if parts.lists_status is not None:
        parts.lists_status.reload()
    if any(o.status == "loaded" for o in outcomes):
        await run_in_threadpool(parts.holder.refresh)
    serving = parts.holder.serving
    failed = [o.list_code for o in outcomes if not o.ok]
    body: dict[str, Any] = {
        "ok": not failed,
        "outcomes": [outcome_json(o) for o in outcomes],
        "serving": serving.labels if serving else {},
    }
    if failed:
        body["error"] = "list_update_failed"
        body["detail"] = f"failed: {', '.join(failed)}; their active versions keep serving"
    return OrjsonResponse(body, status_code=422 if failed else 200)
