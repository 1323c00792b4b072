"""API key management over HTTP (admin); the CLI (`sanctions keys`) does the same."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path

from service.api import openapi_examples as ex
from service.api.deps import Services, require_admin, services
from service.api.json_body import StrictJsonRoute
from service.api.models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from service.api.response_models import KeyRevokedOut
from service.api.responses import ApiError, OrjsonResponse
from service.auth import Principal, create_key, list_keys, revoke_key

router = APIRouter(tags=["keys"], route_class=StrictJsonRoute)
_ERRORS = ex.errors(
    401,
    403,
    422,
    e403=(
        "needs the admin role",
        {"error": "forbidden", "detail": "this endpoint needs the admin role; the key has screen"},
    ),
)


def _out(key: object) -> dict[str, object]:
    data = asdict(key)  # type: ignore[call-overload]
    return ApiKeyOut(**{**data, "role": data["role"].value}).model_dump(mode="json")


@router.get(
    "/v1/keys",
    response_model=list[ApiKeyOut],
    responses={200: ex.ok(ex.KEYS_ANSWER, "Every key, active and revoked, without secrets"), **_ERRORS},
    summary="All API keys (no secrets)",
)
def keys(_: Principal = Depends(require_admin), parts: Services = Depends(services)) -> OrjsonResponse:
    return OrjsonResponse([_out(k) for k in list_keys(parts.store.engine)])


@router.post(
    "/v1/keys",
    response_model=ApiKeyCreated,
    status_code=201,
    responses={
        201: ex.ok(ex.KEY_CREATED, "The new key with its token; the token is shown only in this answer"),
        **_ERRORS,
        **ex.errors(
            e422=(
                "unknown role",
                {
                    "error": "invalid_request",
                    "detail": [
                        {
                            "field": "body.role",
                            "message": "String should match pattern '^(screen|admin)$'",
                            "type": "string_pattern_mismatch",
                        }
                    ],
                },
            )
        ),
    },
    summary="Create a key",
)
def new_key(
    body: Annotated[ApiKeyCreate, Body(openapi_examples=ex.KEY_REQUEST_EXAMPLES)],
    _: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    key, token = create_key(parts.store.engine, body.role, body.name)
    return OrjsonResponse({**_out(key), "token": token}, status_code=201)


@router.delete(
    "/v1/keys/{key_id}",
    response_model=KeyRevokedOut,
    responses={
        200: ex.ok(
            ex.KEY_REVOKED, "The key is revoked (servers stop accepting it within the key cache time)"
        ),
        **_ERRORS,
        **ex.errors(
            e404=(
                "no active key with this id",
                {"error": "not_found", "detail": "no active API key 'e63847be6cb6'"},
            )
        ),
    },
    summary="Revoke a key",
)
def delete_key(
    key_id: str = Path(max_length=32, examples=[ex.KEY_ID]),
    _: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    if not revoke_key(parts.store.engine, key_id):
        raise ApiError(404, "not_found", f"no active API key {key_id!r}")
    return OrjsonResponse({"key_id": key_id, "revoked": True})
