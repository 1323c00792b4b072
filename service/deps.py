"""Request dependencies: the app's shared parts and the caller's identity and role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
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


def services(request: Request) -> Services:
    return request.app.state.services


def require(role: Role) -> Callable[..., Principal]:
    """A dependency that answers 401 without a valid key and 403 when the key's role is too low."""

    def dependency(
        request: Request,
        bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
        api_key: str | None = Depends(_api_key_header),
    ) -> Principal:
        parts: Services = request.app.state.services
        if not parts.settings.auth_enabled:
            return ANONYMOUS_ADMIN
        token = api_key or (bearer.credentials if bearer is not None else None)
        if not token:
            raise ApiError(
                401,
                "unauthenticated",
                "an API key is required (Authorization: Bearer or X-API-Key)",
                _CHALLENGE,
            )
        principal = parts.authenticator.authenticate(token.strip())
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

    return dependency


require_screen = require(Role.SCREEN)
require_admin = require(Role.ADMIN)
