"""The API key is checked before a request body is read, on every /v1 route that takes a body.

Without this, FastAPI reads and parses the whole body before the `require`
dependency runs: an anonymous client could make the server receive 200 MB
uploads. Here a missing, unknown or revoked key is answered 401 (connection
closed) before the first body byte is read. The role check (403) stays with the
route's dependency, which reuses the principal found here.
"""

from __future__ import annotations

from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.db_outage import is_database_outage
from service.http.db_errors import DATABASE_UNAVAILABLE, RETRY_AFTER
from service.http.responses import refuse

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="sanctions-screening"'}


def token_of(headers: Headers) -> str | None:
    """The key from `X-API-Key` or `Authorization: Bearer`, as the route dependency reads it."""
    token = headers.get("x-api-key")
    if not token:
        scheme, _, credentials = (headers.get("authorization") or "").partition(" ")
        token = credentials if scheme.lower() == "bearer" else None
    return (token.strip() or None) if token else None


class EarlyAuthMiddleware:
    def __init__(self, app: ASGIApp, prefix: str = "/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in BODY_METHODS
            or not scope.get("path", "").startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        parts: Any = getattr(scope["app"].state, "services", None)
        if parts is None or not parts.settings.auth_enabled:
            await self.app(scope, receive, send)
            return
        token = token_of(Headers(scope=scope))
        if token is None:
            await refuse(
                receive,
                send,
                401,
                "unauthenticated",
                "an API key is required (Authorization: Bearer or X-API-Key)",
                CHALLENGE,
            )
            return
        authenticator = parts.authenticator
        decided, principal = authenticator.authenticate_cached(token)
        if not decided:
            try:
                principal = await run_in_threadpool(authenticator.authenticate, token)
            except Exception as exc:
                if not is_database_outage(exc):
                    raise
                await refuse(receive, send, 503, "database_unavailable", DATABASE_UNAVAILABLE, RETRY_AFTER)
                return
        if principal is None:
            await refuse(
                receive, send, 401, "unauthenticated", "the API key is unknown or revoked", CHALLENGE
            )
            return
        scope.setdefault("state", {})["principal"] = principal  # the route's dependency reuses it
        await self.app(scope, receive, send)
