"""Web pages for compliance staff, served by the API's own FastAPI app (no second service).

`install(app, settings)` adds the static assets, the session cookie for the pages,
the page routers, offline /docs and /redoc, and HTML error pages for browsers.
Every page calls the same services as the HTTP API (screening, store, batch
jobs), with the signed-in person's key.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.api.params import storable_parameters
from service.settings import Settings
from service.web.pages import STATIC_DIR, LoginRequired, PageError, is_htmx, login_redirect, render, user_of
from service.web.routes import alerts, auth, batch, designation, docs, search
from service.web.routes import lists as lists_page
from service.web.session import ENV_SESSION_SECURE, CsrfError, WebSessionMiddleware, session_secret

ROUTERS = (
    auth.router,
    docs.router,
    search.router,
    designation.router,
    batch.router,
    alerts.router,
    lists_page.router,
)


def _wants_html(request: Request) -> bool:
    """A browser asking for a page (not an API client, which gets the JSON errors)."""
    path = request.url.path
    if path.startswith(("/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _page_error(request: Request, status: int, title: str, message: str) -> Response:
    try:
        user = user_of(request)
    except Exception:  # an error page must render even when the session is unusable
        user = None
    return render(request, "error.html", {"title": title, "message": message}, user=user, status=status)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the pages to the app (called by service.app.create_app)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    secure = os.environ.get(ENV_SESSION_SECURE, "").strip().lower() in ("1", "true", "yes", "on")
    app.add_middleware(WebSessionMiddleware, secret_key=session_secret(settings.data_dir), https_only=secure)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(storable_parameters)])

    json_http_error = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, StarletteHTTPException)
        if not _wants_html(request):
            return await _maybe_await(json_http_error(request, exc))
        title = {404: "Page not found", 405: "Not allowed here"}.get(exc.status_code, "Something went wrong")
        return _page_error(request, exc.status_code, title, str(exc.detail))

    async def login_required(request: Request, _: Exception) -> Response:
        if is_htmx(request):  # a fragment request: send the whole window to the sign-in page
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return login_redirect(request) if request.method == "GET" else RedirectResponse("/login", 303)

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return _page_error(request, exc.status, exc.title, exc.message)

    async def csrf_error(request: Request, exc: Exception) -> Response:
        return _page_error(request, 403, "Form expired", str(exc))

    json_validation_error = app.exception_handlers[RequestValidationError]

    async def validation_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, RequestValidationError)
        if not _wants_html(request):
            return await _maybe_await(json_validation_error(request, exc))
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg', 'invalid')}"
            for err in exc.errors()
        )
        return _page_error(request, 422, "Invalid request", problems)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(CsrfError, csrf_error)


async def _maybe_await(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value
