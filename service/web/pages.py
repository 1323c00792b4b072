"""What every page shares: the templates, the signed-in person, CSRF, and error pages.

Pages answer HTML with a strict Content-Security-Policy: every script, style and
image comes from this server, so the pages work (and are tested) with no internet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from service.api.deps import Services
from service.web.session import WebUser, csrf_token, current_user

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # pages show names under screening: keep them out of shared caches
}

KIND_LABELS = {
    "primary": "primary name",
    "aka": "strong alias",
    "weak": "weak alias",
    "original-script": "original script",
}


class LoginRequired(Exception):
    """The page needs a signed-in person; the handler redirects to /login."""


class PageError(Exception):
    """A page cannot be shown; rendered as an error page with this status and message."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def _when(value: datetime | date | str | None) -> str:
    """A timestamp as analysts read it: UTC, to the minute."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            parsed: datetime | date = datetime.fromisoformat(value)
        except ValueError:
            return value
        value = parsed
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _age(hours: float | None) -> str:
    """An age in hours as people say it: 5 h, 3 days, 1.4 years."""
    if hours is None:
        return "—"
    if hours < 48:
        return f"{hours:.0f} h"
    days = hours / 24
    return f"{days:,.0f} days" if days < 730 else f"{days / 365.25:.1f} years"


def _number(value: int | float | None) -> str:
    return "—" if value is None else f"{value:,}"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters.update(
    age=_age, when=_when, score=_score, number=_number, urlpart=lambda v: quote(str(v), safe=":")
)
templates.env.globals.update(kind_labels=KIND_LABELS)


def services_of(request: Request) -> Services:
    return request.app.state.services


def user_of(request: Request) -> WebUser:
    """The signed-in person (a dependency of every page); LoginRequired sends them to /login."""
    parts = services_of(request)
    user = current_user(request, parts.settings.auth_enabled, parts.authenticator, parts.store.engine)
    if user is None:
        raise LoginRequired()
    return user


def require_admin_user(user: WebUser) -> None:
    if not user.is_admin:
        raise PageError(
            403, "Not allowed", f"This needs the admin role; yours is {user.principal.role.value}."
        )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: WebUser | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A page (or, for htmx, a fragment) with the person, the CSRF token and the security headers."""
    parts = services_of(request)
    full = {
        "user": user,
        "auth_enabled": parts.settings.auth_enabled,
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, full, status_code=status, headers=SECURITY_HEADERS)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def safe_next(value: str | None) -> str:
    """Only a local path may be a redirect target after sign-in (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
