"""Web sign-in: a person signs in once with an API key and then holds a signed session cookie.

The cookie (Starlette's SessionMiddleware, signed with itsdangerous) carries the
key id, never the key itself; every page checks that the key is still active, so
revoking a key ends its web sessions at once. A per-session CSRF token goes into
every form and every htmx request and is checked on each POST.

The signing secret comes from SANCTIONS_SESSION_SECRET or, when unset, from a
file in the data directory created once with mode 0600, so every worker process
(and every restart) signs with the same secret.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from sqlalchemy import Engine, select
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth import ANONYMOUS_ADMIN, Authenticator, Principal, Role
from service.db_models import api_keys

log = logging.getLogger(__name__)

ENV_SESSION_SECRET = "SANCTIONS_SESSION_SECRET"
ENV_SESSION_SECURE = "SANCTIONS_SESSION_SECURE"  # "on" behind HTTPS: the cookie is then sent over TLS only
SECRET_FILE = "web-session.secret"
COOKIE_NAME = "sanctions_session"
SESSION_SECONDS = 8 * 3600  # one working day
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Paths that never need a session: the API (keys in headers), probes and metrics. Skipping the
# cookie handling there keeps it off the screening hot path.
_SESSIONLESS_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/static/")


class CsrfError(Exception):
    """A form arrived without the session's CSRF token."""


@dataclass(frozen=True)
class WebUser:
    """The person using the pages: their key's principal and the name shown on screen."""

    principal: Principal
    name: str

    @property
    def is_admin(self) -> bool:
        return self.principal.allows(Role.ADMIN)

    @property
    def actor(self) -> str:
        """How this person is named in case histories (the user, else the key): the four-eyes identity."""
        return self.principal.actor


ANONYMOUS = WebUser(ANONYMOUS_ADMIN, "local (no auth)")


def session_secret(data_dir: Path) -> str:
    """The signing secret: the environment's, or the data directory's file (created 0600 when missing)."""
    configured = os.environ.get(ENV_SESSION_SECRET, "").strip()
    if configured:
        if len(configured) < 32:
            raise ValueError(f"{ENV_SESSION_SECRET}: use at least 32 characters (got {len(configured)})")
        return configured
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 32:
            return secret
        raise ValueError(
            f"{path}: the session secret is too short; delete the file to make a new one"
        ) from None
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret)
    log.info("created the web session secret %s (mode 0600)", path)
    return secret


class WebSessionMiddleware:
    """Starlette's SessionMiddleware for the pages only; API and probe requests pass straight through."""

    def __init__(self, app: ASGIApp, secret_key: str, https_only: bool = False) -> None:
        self._app = app
        self._sessions = SessionMiddleware(
            app,
            secret_key=secret_key,
            session_cookie=COOKIE_NAME,
            max_age=SESSION_SECONDS,
            same_site="strict",
            https_only=https_only,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(_SESSIONLESS_PREFIXES):
            await self._sessions(scope, receive, send)
        else:
            await self._app(scope, receive, send)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a POST whose token (form field or X-CSRF-Token header) is not the session's."""
    expected = request.session.get("csrf")
    sent = submitted or request.headers.get(CSRF_HEADER)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfError("the form's security token is missing or stale; reload the page and try again")


def sign_in(request: Request, principal: Principal) -> None:
    """Start a fresh session for this key (a new CSRF token: nothing carries over from before)."""
    request.session.clear()
    request.session["key_id"] = principal.key_id
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def _key_name(engine: Engine, key_id: str) -> str:
    with engine.connect() as conn:
        name = conn.execute(select(api_keys.c.name).where(api_keys.c.key_id == key_id)).scalar_one_or_none()
    return name or f"key {key_id}"


def current_user(
    request: Request, auth_enabled: bool, authenticator: Authenticator, engine: Engine
) -> WebUser | None:
    """The signed-in person, ANONYMOUS with auth off, or None (sign in first).

    The key is looked up on every page (not cached): revoking it, or disabling its user, ends the session.
    """
    if not auth_enabled:
        return ANONYMOUS
    key_id = request.session.get("key_id")
    if not key_id:
        return None
    principal = authenticator.principal_for_key(str(key_id))
    if principal is None:
        sign_out(request)
        return None
    return WebUser(principal, principal.user or _key_name(engine, str(key_id)))
