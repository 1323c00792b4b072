"""Request dependencies: the app's shared parts and the caller's identity and role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.routing import BaseRoute

from lists.store import Store
from service.api.responses import ApiError
from service.audit import AuditWriter
from service.auth import ANONYMOUS_ADMIN, Authenticator, Principal, Role
from service.index_holder import IndexHolder
from service.settings import Settings

if TYPE_CHECKING:
    from service.freshness import ListStatus
    from service.lists_keeper import ListsKeeper

# The two ways to send a key, as OpenAPI security schemes (see `document_security`).
BEARER = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="sanctions-screening"'}


@dataclass
class Services:
    """Everything a request may touch, created once per worker at start-up."""

    settings: Settings
    store: Store
    holder: IndexHolder
    audit: AuditWriter
    authenticator: Authenticator
    lists_status: ListStatus | None = None  # freshness and required lists (service/freshness.py)
    keeper: ListsKeeper | None = None  # scheduled list refresh (service/lists_keeper.py)


async def services(request: Request) -> Services:
    """The worker's shared parts (async: a sync dependency would cost a threadpool hop per request)."""
    return request.app.state.services


def _token(request: Request) -> str | None:
    """The API key from `X-API-Key` or `Authorization: Bearer` (as FastAPI's HTTPBearer/APIKeyHeader read them)."""
    headers = request.headers
    token = headers.get(API_KEY_HEADER.model.name)
    if not token:
        scheme, credentials = get_authorization_scheme_param(headers.get("authorization"))
        token = credentials if scheme.lower() == "bearer" else None
    return (token.strip() or None) if token else None


async def _authenticate(authenticator: Authenticator, token: str) -> Principal | None:
    """A cached key is checked on the event loop; only a cache miss reads the database, in a thread."""
    decided, principal = authenticator.authenticate_cached(token)
    if decided:
        return principal
    return await run_in_threadpool(authenticator.authenticate, token)


def require(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that answers 401 without a valid key and 403 when the key's role is too low.

    It reads both key headers itself instead of depending on FastAPI's security
    classes: each sub-dependency is another round of FastAPI's dependency solving
    on every request (measurable on /v1/screen). The OpenAPI spec still lists
    both schemes (`document_security`). The key look-up is cached for
    settings.key_cache_seconds; a miss goes to a worker thread.
    """

    async def dependency(request: Request) -> Principal:
        parts: Services = request.app.state.services
        if not parts.settings.auth_enabled:
            return ANONYMOUS_ADMIN
        checked = getattr(request.state, "principal", None)  # before the body, by service.http.early_auth
        token = None if checked is not None else _token(request)
        if checked is None and not token:
            raise ApiError(
                401,
                "unauthenticated",
                "an API key is required (Authorization: Bearer or X-API-Key)",
                _CHALLENGE,
            )
        principal = checked or await _authenticate(parts.authenticator, token)  # type: ignore[arg-type]
        if principal is None:
            raise ApiError(401, "unauthenticated", "the API key is unknown or revoked", _CHALLENGE)
        if not principal.allows(role):
            raise ApiError(
                403,
                "forbidden",
                f"this endpoint needs the {role.value} role; the key has {principal.role.value}",
            )
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_{role.value}"
    dependency.required_role = role  # type: ignore[attr-defined]  # marks the route as authenticated
    return dependency


def _needs_key(dependant: Dependant) -> bool:
    return any(hasattr(sub.call, "required_role") or _needs_key(sub) for sub in dependant.dependencies)


def document_security(spec: dict[str, Any], routes: Iterable[BaseRoute]) -> dict[str, Any]:
    """Put the two key schemes into the spec, on every operation that depends on `require(...)`."""
    schemes = {
        scheme.scheme_name: scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True)
        for scheme in (BEARER, API_KEY_HEADER)
    }
    requirement = [{name: []} for name in schemes]
    secured = False
    for route in routes:
        if isinstance(route, APIRoute) and route.include_in_schema and _needs_key(route.dependant):
            item = spec.get("paths", {}).get(route.path_format, {})
            for method in route.methods:
                if method.lower() in item:
                    item[method.lower()]["security"] = requirement
                    secured = True
    if secured:
        spec.setdefault("components", {}).setdefault("securitySchemes", {}).update(schemes)
    return spec


require_screen = require(Role.SCREEN)
require_admin = require(Role.ADMIN)
require_analyst = require(Role.ANALYST)
require_approver = require(Role.APPROVER)
