"""The Allow header of a 405: every method the path has, not only the first route's.

Starlette answers a wrong method with the methods of the first route whose path
matches; `/v1/batches/{job_id}` is two routes (GET and DELETE), so OPTIONS got
`Allow: GET, HEAD` and DELETE looked unsupported.

A concrete path comes before a templated one, as OpenAPI matches them:
`/v1/parties/import` (POST) is not the party "import" of `/v1/parties/{party_id}`.
`refuse_other_methods` makes the server agree (405 for GET, PUT, DELETE there) and
the Allow header names only the concrete path's methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NoReturn

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, Route


def _flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, through FastAPI's included-router wrappers (their routes carry the router's prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def _not_allowed() -> NoReturn:
    raise HTTPException(405)


def refuse_other_methods(router: APIRouter, path: str, methods: list[str]) -> None:
    """405 for `methods` on the concrete `path`, before a templated route of the router can take them.

    Call it before the templated routes are added: the first route matching path and method wins.
    """
    router.add_api_route(path, _not_allowed, methods=methods, include_in_schema=False, response_model=None)


def allowed_methods(request: Request) -> str:
    """Comma-separated methods of every route whose path matches the request's (concrete paths first)."""
    scope = {**request.scope, "method": "\x00"}  # a method no route has: path-only matching
    concrete: set[str] = set()
    templated: set[str] = set()
    for route in _flat(request.app.router.routes):
        if not isinstance(route, Route) or not route.methods or route.endpoint is _not_allowed:
            continue
        match, _ = route.matches(scope)
        if match != Match.NONE:
            (templated if route.param_convertors else concrete).update(route.methods)
    return ", ".join(sorted(concrete or templated))
