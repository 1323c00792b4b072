"""Designation page: everything the store holds on one entity, its list version and its history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from lists.entity_history import entity_history
from service.web.pages import PageError, render, services_of, user_of
from service.web.session import WebUser

router = APIRouter(include_in_schema=False)


@router.get("/designations/{entity_id:path}", response_class=HTMLResponse)
def designation_page(entity_id: str, request: Request, user: WebUser = Depends(user_of)) -> HTMLResponse:
    if len(entity_id) > 200:
        raise PageError(422, "Not an entity id", "An entity id is at most 200 characters, e.g. ofac:52749.")
    store = services_of(request).store
    designation = store.get_entity(entity_id)
    history = list(reversed(entity_history(store, entity_id)))  # newest first
    if designation is None and not history:
        raise PageError(
            404,
            "No such designation",
            f"No entity {entity_id!r} is in any kept version of its list. Entity ids read like ofac:52749.",
        )
    list_code = designation.list.value if designation else entity_id.split(":", 1)[0]
    context = {
        "entity_id": entity_id,
        "d": designation,  # None: removed from its list; the history says when
        "version": store.active_versions().get(list_code),
        "history": history,
    }
    return render(request, "designation.html", context, user=user, status=200 if designation else 404)
