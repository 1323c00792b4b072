"""The Allow header of a 405: every method the path has, not only the first route's.

Starlette answers a wrong method with the methods of the first route whose path
matches; `/v1/batches/{job_id}` is two routes (GET and DELETE), so OPTIONS got
`Allow: GET, HEAD` and DELETE looked unsupported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import Request
from starlette.routing import BaseRoute, Match, Route


def _flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, through FastAPI's included-router wrappers (their routes carry the router's prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def allowed_methods(request: Request) -> str:
    """Comma-separated methods of every route whose path matches the request's."""
    scope = {**request.scope, "method": "\x00"}  # a method no route has: path-only matching
    methods: set[str] = set()
    for route in _flat(request.app.router.routes):
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))
