"""API key management over HTTP (admin); the CLI (`sanctions keys`) does the same."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Path

from service.api_models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, ErrorBody
from service.auth import Principal, create_key, list_keys, revoke_key
from service.deps import Services, require_admin, services
from service.responses import ApiError, OrjsonResponse

router = APIRouter(tags=["keys"])
_ERRORS = {
    401: {"model": ErrorBody, "description": "missing, unknown or revoked API key"},
    403: {"model": ErrorBody, "description": "needs the admin role"},
}


def _out(key: object) -> dict[str, object]:
    data = asdict(key)  # type: ignore[call-overload]
    return ApiKeyOut(**{**data, "role": data["role"].value}).model_dump(mode="json")


@router.get(
    "/v1/keys", response_model=list[ApiKeyOut], responses=_ERRORS, summary="All API keys (no secrets)"
)
def keys(_: Principal = Depends(require_admin), parts: Services = Depends(services)) -> OrjsonResponse:
    return OrjsonResponse([_out(k) for k in list_keys(parts.store.engine)])


@router.post(
    "/v1/keys", response_model=ApiKeyCreated, status_code=201, responses=_ERRORS, summary="Create a key"
)
def new_key(
    body: ApiKeyCreate, _: Principal = Depends(require_admin), parts: Services = Depends(services)
) -> OrjsonResponse:
    key, token = create_key(parts.store.engine, body.role, body.name)
    return OrjsonResponse({**_out(key), "token": token}, status_code=201)


@router.delete(
    "/v1/keys/{key_id}",
    responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no active key with this id"}},
    summary="Revoke a key",
)
def delete_key(
    key_id: str = Path(max_length=32),
    _: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    if not revoke_key(parts.store.engine, key_id):
        raise ApiError(404, "not_found", f"no active API key {key_id!r}")
    return OrjsonResponse({"key_id": key_id, "revoked": True})
