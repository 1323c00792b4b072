"""Search page: screen one name through POST /v1/screen's own handler, with the person's key.

A search from this page is a screening decision like any other, by the same code:
stale-list warnings and fail-closed refusals, the accept list, the audit record
(the person's key id) committed before it is shown, and, with a party id, alerts.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from lists.model import ListCode
from service.api import screen as api
from service.api.models import ScreenRequest
from service.api.responses import ApiError
from service.web.explain import explain
from service.web.pages import is_htmx, render, services_of, user_of
from service.web.session import WebUser, check_csrf

router = APIRouter(include_in_schema=False)

PARTY_TYPES = ("any", "person", "entity", "vessel", "aircraft")


def _form(values: dict[str, Any] | None = None) -> dict[str, Any]:
    blank: dict[str, Any] = {"name": "", "type": "any", "dob": "", "country": "", "party_id": "", "lists": []}
    return {**blank, **(values or {})}


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors keyed by form field, worded for people."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("name",)
        errors.setdefault(str(loc[0]), str(err.get("msg", "invalid")).removeprefix("Value error, "))
    return errors


def _failure(exc: ApiError) -> str:
    """The API's refusal for people: a list of field errors (a list with no active version) as its messages."""
    if isinstance(exc.detail, list):
        return "; ".join(str(item.get("message", item)) for item in exc.detail if isinstance(item, dict))
    return str(exc.detail)


def _context(request: Request, form: dict[str, Any], **extra: Any) -> dict[str, Any]:
    active = services_of(request).store.active_versions()
    return {
        "form": form,
        "party_types": PARTY_TYPES,
        "list_codes": [code.value for code in ListCode],
        "active_lists": active,
        **extra,
    }


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, user: WebUser = Depends(user_of)) -> HTMLResponse:
    return render(request, "search.html", _context(request, _form()), user=user)


@router.post("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    name: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "any",
    dob: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    party_id: Annotated[str, Form()] = "",
    lists: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
    user: WebUser = Depends(user_of),
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    chosen = [code for code in lists or [] if code]
    form = _form(
        {"name": name, "type": type, "dob": dob, "country": country, "party_id": party_id, "lists": chosen}
    )
    fragment = "_results.html" if is_htmx(request) else "search.html"
    try:
        body = ScreenRequest(
            name=name,
            type=type,  # type: ignore[arg-type]  # validated by the model
            dob=dob.strip() or None,
            country=country.strip() or None,
            party_id=party_id.strip() or None,
            lists=chosen or None,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        context = _context(request, form, errors=_field_errors(exc))
        return render(request, fragment, context, user=user, status=422)
    try:
        answer = orjson.loads((await api.screen(body, request, user.principal)).body)
    except ApiError as exc:
        context = _context(request, form, failure=_failure(exc))
        return render(request, fragment, context, user=user, status=exc.status)
    matches = [{**match, "why": explain(match["explanation"])} for match in answer["matches"]]
    context = _context(request, form, result=answer, matches=matches, screening_id=answer["screening_id"])
    return render(request, fragment, context, user=user)
