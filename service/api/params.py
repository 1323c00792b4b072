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


NO_NUL = "^[^\\u0000]*$"  # JSON Schema (ECMA-262) for "no NUL character"


def _state_no_nul(schema: dict[str, Any]) -> None:
    """Give a free-text string schema the no-NUL pattern; enums, formats and patterns exclude it already."""
    for choice in schema.get("anyOf", []):
        _state_no_nul(choice)
    if schema.get("type") == "string" and not {"pattern", "enum", "format", "const"} & schema.keys():
        schema["pattern"] = NO_NUL


def document_parameters(spec: dict[str, Any]) -> dict[str, Any]:
    """State `storable_parameters`' rule in the spec (in place): every free-text path or query
    parameter says it holds no NUL, so the 422 it gets for one is the schema's own rule."""
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("path", "query"):
                    _state_no_nul(parameter.get("schema", {}))
    return spec
