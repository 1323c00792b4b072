"""Lists page: each list's active version, its counts, the serving index, and the changes between versions."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from lists.entity_history import primary_names
from lists.model import ListCode
from lists.store import StoreError
from service.api import lists as api
from service.api.responses import ApiError
from service.web.pages import PageError, render, require_admin_user, services_of, user_of
from service.web.session import WebUser, check_csrf

router = APIRouter(include_in_schema=False)

DIFF_SHOWN = 500  # ids shown per kind of change; the counts are always complete


def _overview(request: Request) -> dict[str, Any]:
    parts = services_of(request)
    active = parts.store.active_versions()
    serving = parts.holder.serving
    return {
        "active": active,
        # age, staleness, last check and failure by the freshness rule the API answers with
        "freshness": parts.lists_status.report(active) if parts.lists_status is not None else {},
        "versions": {code: parts.store.versions(code) for code in active},
        "serving": serving.labels if serving else {},
        "index": {
            "ready": serving is not None,
            "building": parts.holder.status.building,
            "built_at": serving.built_at if serving else None,
            "designations": serving.screener.stats.designations if serving else None,
            "error": parts.holder.status.last_error,
        },
    }


@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, user: WebUser = Depends(user_of)) -> HTMLResponse:
    return render(request, "lists.html", _overview(request), user=user)


@router.get("/lists/{list_code}/diff", response_class=HTMLResponse)
def diff_page(
    list_code: ListCode,
    request: Request,
    v1: Annotated[int, Query(alias="from")],
    v2: Annotated[int, Query(alias="to")],
    user: WebUser = Depends(user_of),
) -> HTMLResponse:
    store = services_of(request).store
    try:
        diff = store.diff(v1, v2)
        first, second = store.version(v1), store.version(v2)
    except StoreError as exc:
        raise PageError(422, "Cannot compare these versions", str(exc)) from None
    if diff.list_code != list_code.value:
        raise PageError(
            422, "Cannot compare these versions", f"versions {v1} and {v2} are not of {list_code}"
        )
    new_names = primary_names(store, v2, diff.added[:DIFF_SHOWN] + diff.changed[:DIFF_SHOWN])
    old_names = primary_names(store, v1, diff.removed[:DIFF_SHOWN])
    changes = {
        "added": [(eid, new_names.get(eid, "")) for eid in diff.added[:DIFF_SHOWN]],
        "removed": [(eid, old_names.get(eid, "")) for eid in diff.removed[:DIFF_SHOWN]],
        "changed": [(eid, new_names.get(eid, "")) for eid in diff.changed[:DIFF_SHOWN]],
    }
    context = {
        "list_code": list_code.value,
        "first": first,
        "second": second,
        "diff": diff,
        "changes": changes,
        "shown": DIFF_SHOWN,
        "versions": store.versions(list_code.value),
    }
    return render(request, "list_diff.html", context, user=user)


@router.post("/lists/reload", response_class=HTMLResponse)
async def reload(
    request: Request, csrf_token: Annotated[str | None, Form()] = None, user: WebUser = Depends(user_of)
) -> HTMLResponse:
    """Admin: load the configured sources and switch, as POST /v1/lists/reload does."""
    check_csrf(request, csrf_token)
    require_admin_user(user)
    try:
        answer = await run_in_threadpool(api.reload_lists, user.principal, services_of(request))
        outcome = orjson.loads(answer.body)
    except ApiError as exc:
        outcome = {"ok": False, "message": str(exc.detail), "outcomes": []}
    return render(request, "lists.html", {**_overview(request), "reload": outcome}, user=user)
