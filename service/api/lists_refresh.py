"""POST /v1/lists/refresh (admin): fetch every configured source now, load what changed, switch the index."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from lists.fetch.update import UpdateBusy, UpdateOutcome, update_lists
from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, services
from service.api.responses import ApiError, OrjsonResponse
from service.auth import Principal
from service.lists_keeper import record_outcomes

router = APIRouter(tags=["lists"])
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
    responses={**ex.errors(401, 403, 409)},
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
    ok = all(o.ok for o in outcomes)
    return OrjsonResponse(
        {
            "ok": ok,
            "outcomes": [outcome_json(o) for o in outcomes],
            "serving": serving.labels if serving else {},
        },
        status_code=200 if ok else 422,
    )
