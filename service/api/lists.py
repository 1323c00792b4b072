"""Lists and entities: what is loaded, its history, reloading (admin), and full designations."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam

from lists.loader import LoadOutcome, load_lists
from lists.model import Designation, ListCode
from lists.store import VersionInfo
from service import metrics
from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, require_screen, services
from service.api.models import ListsOut, ListVersionOut, ReloadOut
from service.api.responses import ApiError, OrjsonResponse
from service.auth import Principal

router = APIRouter(tags=["lists"])
_reload_lock = threading.Lock()

AUTH_ERRORS = ex.errors(401, 403)


def _version_out(info: VersionInfo, serving_ids: set[int]) -> dict[str, Any]:
    return ListVersionOut(
        id=info.id,
        list_code=info.list_code,
        label=info.label,
        source=info.source,
        publish_date=info.publish_date,
        loaded_at=info.loaded_at,
        record_count=info.record_count,
        counts_by_type=info.counts_by_type,
        active=info.active,
        state=info.state,
        warnings=info.warnings,
        error=info.error,
        serving=info.id in serving_ids,
    ).model_dump(mode="json")


def _serving_ids(parts: Services) -> set[int]:
    serving = parts.holder.serving
    return {info.id for info in serving.versions.values()} if serving else set()


@router.get(
    "/v1/lists",
    response_model=ListsOut,
    responses={200: ex.ok(ex.LISTS_ANSWER, "Active versions and the serving index"), **AUTH_ERRORS},
    summary="Active version of each list",
)
def active_lists(
    _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    serving = parts.holder.serving
    ids = _serving_ids(parts)
    index: dict[str, Any] = {"ready": serving is not None, "building": parts.holder.status.building}
    if serving is not None:
        stats = serving.screener.stats
        index.update(
            designations=stats.designations,
            names=stats.names,
            built_at=serving.built_at.isoformat(),
            build_seconds=stats.build_seconds,
            serving=serving.labels,
        )
    lists = [_version_out(info, ids) for info in parts.store.active_versions().values()]
    return OrjsonResponse({"lists": lists, "index": index})


@router.get(
    "/v1/lists/{list_code}/versions",
    response_model=list[ListVersionOut],
    responses={
        200: ex.ok(ex.OFAC_VERSIONS_ANSWER, "Versions of the list, newest first"),
        **ex.errors(
            401,
            403,
            e422=(
                "unknown list code",
                {
                    "error": "invalid_request",
                    "detail": [
                        {
                            "field": "path.list_code",
                            "message": "Input should be 'ofac', 'ofac-nonsdn', 'un', 'eu', 'uk' or 'internal'",
                            "type": "enum",
                        }
                    ],
                },
            ),
        ),
    },
    summary="Every kept version of one list, newest first",
)
def list_versions(
    list_code: ListCode, _: Principal = Depends(require_screen), parts: Services = Depends(services)
) -> OrjsonResponse:
    ids = _serving_ids(parts)
    return OrjsonResponse([_version_out(info, ids) for info in parts.store.versions(list_code.value)])


def _outcome_out(outcome: LoadOutcome) -> dict[str, Any]:
    return {
        "list_code": outcome.list_code,
        "ok": outcome.ok,
        "version": outcome.version.label if outcome.version else None,
        "error": outcome.error,
        "refused": outcome.refused,
    }


def _load(parts: Services) -> list[LoadOutcome]:
    """Load from the configured sources (the bundled lists when none are configured)."""
    sources = parts.settings.list_sources
    if sources is None:
        return load_lists(parts.store)
    outcomes: list[LoadOutcome] = []
    for code, paths in sources.items():
        outcomes.extend(load_lists(parts.store, [code], paths=[Path(p) for p in paths]))
    return outcomes


@router.post(
    "/v1/lists/reload",
    response_model=ReloadOut,
    responses={
        200: ex.ok(ex.RELOAD_OK, "Every configured list loaded; the index was rebuilt and switched"),
        **ex.errors(
            401,
            403,
            409,
            e503=(
                "the lists loaded but the index could not be rebuilt; the previous index keeps serving",
                {
                    "error": "index_build_failed",
                    "detail": "lists loaded but the index could not be rebuilt (MemoryError); "
                    "the previous index keeps serving",
                },
            ),
        ),
        422: {
            "model": ReloadOut,
            "description": "a list failed to load; its previous version keeps serving",
            "content": {"application/json": {"example": ex.RELOAD_FAILED}},
        },
    },
    summary="Load the configured list sources and switch atomically (admin)",
    description="Takes no body: loads the sources configured in `list_sources` (the bundled lists when "
    "none are configured), stores each as a new version and rebuilds the index. A list that fails to "
    "load is named with its error and keeps serving its previous version.",
)
def reload_lists(
    _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    if not _reload_lock.acquire(blocking=False):
        raise ApiError(409, "reload_running", "a list reload is already running; retry when it has finished")
    try:
        outcomes = _load(parts)
        changed = any(o.ok for o in outcomes)
        if changed and parts.holder.rebuild() is None:
            metrics.RELOADS.labels("index_failed").inc()
            raise ApiError(
                503,
                "index_build_failed",
                f"lists loaded but the index could not be rebuilt ({parts.holder.status.last_error}); "
                "the previous index keeps serving",
            )
        ok = all(o.ok for o in outcomes)
        metrics.RELOADS.labels("ok" if ok else "failed").inc()
        serving = parts.holder.serving
        failed = [o.list_code for o in outcomes if not o.ok]
        body = {
            "ok": ok,
            "outcomes": [_outcome_out(o) for o in outcomes],
            "serving": serving.labels if serving else {},
            "message": "all lists reloaded"
            if ok
            else f"failed: {', '.join(failed)}; their previous versions keep serving",
        }
        return OrjsonResponse(body, status_code=200 if ok else 422)
    finally:
        _reload_lock.release()


@router.get(
    "/v1/entities/{entity_id}",
    response_model=Designation,
    tags=["entities"],
    responses={
        200: ex.ok(ex.ENTITY_ANSWER, "The designation as the list publishes it, in the unified model"),
        **ex.errors(
            401,
            403,
            e422=(
                "the entity id is too long",
                {
                    "error": "invalid_request",
                    "detail": [
                        {
                            "field": "path.entity_id",
                            "message": "String should have at most 200 characters",
                            "type": "string_too_long",
                        }
                    ],
                },
            ),
            e404=(
                "no such entity in the active versions",
                {"error": "not_found", "detail": "no entity 'ofac:99999999' in the active list versions"},
            ),
        ),
    },
    summary="The full designation",
)
def entity(
    entity_id: str = PathParam(max_length=200, examples=["ofac:52749"]),
    _: Principal = Depends(require_screen),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    designation = parts.store.get_entity(entity_id)
    if designation is None:
        raise ApiError(404, "not_found", f"no entity {entity_id!r} in the active list versions")
    return OrjsonResponse(designation.model_dump(mode="json"))
