"""Request dependencies: the app's shared parts and the caller's identity and role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from lists.store import Store
from service.audit import AuditWriter
from service.auth import ANONYMOUS_ADMIN, Authenticator, Principal, Role
from service.index_holder import IndexHolder
from service.responses import ApiError
from service.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="sanctions-screening"'}


@dataclass
class Services:
    """Everything a request may touch, created once per worker at start-up."""

    settings: Settings
    store: Store
    holder: IndexHolder
    audit: AuditWriter
    authenticator: Authenticator


async def services(request: Request) -> Services:
    """The worker's shared parts (async: a sync dependency would cost a threadpool hop per request)."""
    return request.app.state.services


def _token(bearer: HTTPAuthorizationCredentials | None, api_key: str | None) -> str | None:
    token = api_key or (bearer.credentials if bearer is not None else None)
    return token.strip() if token else None


async def _authenticate(authenticator: Authenticator, token: str) -> Principal | None:
    """A cached key is checked on the event loop; only a cache miss reads the database, in a thread."""
    decided, principal = authenticator.authenticate_cached(token)
    if decided:
        return principal
    return await run_in_threadpool(authenticator.authenticate, token)


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that answers 401 without a valid key and 403 when the key's role is too low.

    It runs on the event loop (no threadpool hop per request); the key look-up is
    cached for settings.key_cache_seconds, and a miss goes to a worker thread.
    """

    async def dependency(
        request: Request,
        bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
        api_key: str | None = Depends(_api_key_header),
    ) -> Principal:
        parts: Services = request.app.state.services
        if not parts.settings.auth_enabled:
            return ANONYMOUS_ADMIN
        token = _token(bearer, api_key)
        if not token:
            raise ApiError(
                401,
                "unauthenticated",
                "an API key is required (Authorization: Bearer or X-API-Key)",
                _CHALLENGE,
            )
        principal = await _authenticate(parts.authenticator, token)
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
    return dependency


require_screen = require(Role.SCREEN)
require_admin = require(Role.ADMIN)
