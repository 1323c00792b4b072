"""Named users over HTTP (admin): the same service the CLI's `sanctions users` calls."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path

from service.api import openapi_examples as ex
from service.api import review_examples as rx
from service.api.deps import Services, require_admin, services
from service.api.models import ApiKeyCreated
from service.api.responses import ApiError, OrjsonResponse
from service.api.review_models import UserCreate, UserKeyCreate, UserName, UserOut
from service.auth import Principal, UnknownUser, create_key
from service.review.users import User, UserError, create_user, disable_user, get_user, list_users

router = APIRouter(tags=["users"])
_ERRORS = ex.errors(401, 403, 422)
_NO_USER = ex.errors(e404=("no such (active) user", {"error": "not_found", "detail": "no active user 'bob'"}))


def _out(user: User) -> dict[str, object]:
    return UserOut(**{**asdict(user), "role": user.role.value}).model_dump(mode="json")


@router.get(
    "/v1/users",
    response_model=list[UserOut],
    responses={200: ex.ok(rx.USERS_ANSWER, "Every user, active and disabled"), **_ERRORS},
    summary="All users",
)
def users(_: Principal = Depends(require_admin), parts: Services = Depends(services)) -> OrjsonResponse:
    return OrjsonResponse([_out(u) for u in list_users(parts.store.engine)])


@router.post(
    "/v1/users",
    response_model=UserOut,
    status_code=201,
    responses={
        201: ex.ok(rx.USER, "The new user"),
        **_ERRORS,
        **ex.errors(e409=("the name is taken", {"error": "conflict", "detail": "user 'ana' exists already"})),
    },
    summary="Create a user",
)
def new_user(
    body: Annotated[UserCreate, Body(openapi_examples=ex.request_examples(rx.USER_REQUEST_EXAMPLES))],
    principal: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    try:
        user = create_user(parts.store.engine, body.name, body.role, created_by=principal.actor)
    except UserError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return OrjsonResponse(_out(user), status_code=201)


@router.delete(
    "/v1/users/{name}",
    response_model=UserOut,
    responses={
        200: ex.ok(rx.USER_DISABLED, "The user is disabled, and so are all their keys"),
        **_ERRORS,
        **_NO_USER,
    },
    summary="Disable a user",
)
def delete_user(
    name: UserName = Path(),
    principal: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    if not disable_user(parts.store.engine, name, disabled_by=principal.actor):
        raise ApiError(404, "not_found", f"no active user {name!r}")
    user = get_user(parts.store.engine, name)
    assert user is not None
    return OrjsonResponse(_out(user))


@router.post(
    "/v1/users/{name}/keys",
    response_model=ApiKeyCreated,
    status_code=201,
    responses={
        201: ex.ok(rx.USER_KEY_CREATED, "The user's new key; the token is shown only now"),
        **_ERRORS,
        **_NO_USER,
    },
    summary="Create a key for a user",
)
def new_user_key(
    body: Annotated[
        UserKeyCreate,
        Body(
            openapi_examples=ex.request_examples(
                {"named": {"summary": "a label", "value": {"name": "ana laptop"}}}
            )
        ),
    ],
    name: UserName = Path(),
    _: Principal = Depends(require_admin),
    parts: Services = Depends(services),
) -> OrjsonResponse:
    try:
        key, token = create_key(parts.store.engine, None, body.name, user=name)
    except UnknownUser as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    created = ApiKeyCreated(**{**asdict(key), "role": key.role.value, "token": token})
    return OrjsonResponse(created.model_dump(mode="json"), status_code=201)
