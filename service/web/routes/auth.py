"""Sign in with an API key (auth on), sign out. With --no-auth there is nothing to sign in to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.web.pages import render, safe_next, services_of
from service.web.session import check_csrf, current_user, sign_in, sign_out

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse, response_model=None)
def login_page(request: Request, next: str = "/") -> Response:
    parts = services_of(request)
    if (
        current_user(request, parts.settings.auth_enabled, parts.authenticator, parts.store.engine)
        is not None
    ):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request,
    api_key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf_token)
    parts = services_of(request)
    target = safe_next(next)
    if not parts.settings.auth_enabled:
        return RedirectResponse(target, status_code=303)
    principal = await run_in_threadpool(parts.authenticator.authenticate, api_key.strip())
    if principal is None:
        context = {"next": target, "failure": "This API key is unknown or revoked."}
        return render(request, "login.html", context, status=401)
    sign_in(request, principal)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", response_model=None)
def logout(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf_token)
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
