"""The accept list over HTTP: read it (analysts), revoke an entry (admin). Entries come from approvals."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from service.api import openapi_examples as ex
from service.api import review_examples as rx
from service.api.deps import Services, require_admin, require_analyst, services
from service.api.models import CleanText
from service.api.responses import MAX_OFFSET, ApiError, OrjsonResponse
from service.api.review_models import AcceptOut, AcceptPageOut
from service.auth import Principal
from service.review.accepts import get_accept, list_accepts, revoke_accept

router = APIRouter(tags=["accept list"])
_ERRORS = ex.errors(401, 403, 422)
_NOT_FOUND = ex.errors(
    e404=(
        "no accept entry with this id",
        {"error": "not_found", "detail": f"no accept entry {rx.ACCEPT_ID!r}"},
    )
)
AcceptId = Path(min_length=1, max_length=36, examples=[rx.ACCEPT_ID])


@router.get(
    "/v1/accepts",
    response_model=AcceptPageOut,
    responses={200: ex.ok(rx.ACCEPTS_ANSWER, "Accept entries, newest first, with their history"), **_ERRORS},
    summary="The accept list",
    description="`active=true`: entries neither revoked nor expired; an entry applies to a hit only while "
    "the designation's content is still the one accepted.",
)
def accepts(
    active: bool | None = Query(default=None),
    party_id: str | None = Query(default=None, max_length=128),
    entity_id: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
    _: Principal = Depends(require_analyst),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    page = list_accepts(
        parts.store.engine, active=active, party_id=party_id, entity_id=entity_id, limit=limit, offset=offset
    )
    return OrjsonResponse({**page.model_dump(mode="json"), "limit": limit, "offset": offset})


@router.get(
    "/v1/accepts/{accept_id}",
    response_model=AcceptOut,
    responses={200: ex.ok(rx.ACCEPT, "One entry with its history"), **_ERRORS, **_NOT_FOUND},
    summary="One accept entry",
)
def accept(
    accept_id: str = AcceptId, _: Principal = Depends(require_analyst), parts: Services = Depends(services)
) -> OrjsonResponse:
    found = get_accept(parts.store.engine, accept_id)
    if found is None:
        raise ApiError(404, "not_found", f"no accept entry {accept_id!r}")
    return OrjsonResponse(found.model_dump(mode="json"))


@router.delete(
    "/v1/accepts/{accept_id}",
    response_model=AcceptOut,
    responses={
        200: ex.ok(rx.ACCEPT_REVOKED, "Revoked: the hit alerts again from the next screening"),
        **_ERRORS,
        **ex.errors(
            e404=(
                "no unrevoked entry with this id",
                {"error": "not_found", "detail": f"no unrevoked accept entry {rx.ACCEPT_ID!r}"},
            )
        ),
    },
    summary="Revoke an accept entry (admin)",
)
def delete_accept(
    accept_id: str = AcceptId,
    note: CleanText | None = Query(default=None, max_length=4000, description="why it is revoked"),
    principal: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    revoked = revoke_accept(parts.store.engine, accept_id, principal.actor, note)
    if revoked is None:
        raise ApiError(404, "not_found", f"no unrevoked accept entry {accept_id!r}")
    return OrjsonResponse(revoked.model_dump(mode="json"))
