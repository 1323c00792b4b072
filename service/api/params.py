"""Path and query values the database can be asked about: a 422 naming the parameter, not a 500.

PostgreSQL refuses a NUL character in any text parameter, so `GET /v1/parties/%00`
or `?name=%00` failed inside the query with a 500 (SQLite simply found nothing).
Every router, API and web pages, runs this before its route: one rule for every path
and query value. It raises the request-validation error, so the API answers its usual
422 naming `path.<name>` / `query.<name>` and a page shows its error page.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from service.validation import storable_problem


def storable_parameters(request: Request) -> None:
    """Refuse each path or query parameter holding a NUL (or text that is not text)."""
    found = [("path", name, value) for name, value in request.path_params.items() if isinstance(value, str)]
    found += [
        ("query", name, text) for name, value in request.query_params.multi_items() for text in (name, value)
    ]
    errors: list[dict[str, Any]] = []
    for where, name, text in found:
        problem = storable_problem(text)
        if problem and not any(e["loc"] == (where, name) for e in errors):
            errors.append({"loc": (where, name), "msg": problem, "type": "value_error", "input": None})
    if errors:
        raise RequestValidationError(errors)
