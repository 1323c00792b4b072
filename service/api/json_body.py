"""JSON request bodies read strictly, with errors that say what is wrong.

FastAPI reads bodies with `json.loads`: invalid UTF-8 or a body nested 50,000
levels deep end as a bare 400 "There was an error parsing the body", and lone
surrogate escapes ("\\ud800") reach the engine.
Routes of the class `StrictJsonRoute` read the body with orjson instead
(strict UTF-8) and refuse, with a 400 naming the problem, invalid UTF-8 (with
its byte offset) and nesting deeper than MAX_JSON_DEPTH. What orjson refuses
but JSON allows (NaN, lone surrogate escapes) is read by `json` and left to
the request models, which name the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

MAX_JSON_DEPTH = 64  # a screening request is 4 levels deep; nothing legitimate comes near


class InvalidBody(HTTPException):
    """A 400 for a body that is not readable JSON (an HTTPException, so FastAPI passes it through)."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=400, detail=detail)
        self.error = "invalid_body"


def _too_deep(value: Any, limit: int) -> bool:
    """True when `value` nests arrays/objects more than `limit` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json_body(body: bytes) -> Any:
    """The body's JSON value; InvalidBody for bytes that are not UTF-8 or nest too deep,
    json.JSONDecodeError (FastAPI's 422 naming the position) for broken JSON."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InvalidBody(
                f"body is not valid UTF-8 at byte {bad.start} ({bad.reason}); send JSON encoded as UTF-8"
            ) from None
        if "depth" in exc.msg or "recursion" in exc.msg.lower():
            raise InvalidBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        try:  # what orjson refuses but JSON allows (NaN, lone surrogate escapes): the models name the field
            value = json.loads(body)
        except RecursionError:
            raise InvalidBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _too_deep(value, MAX_JSON_DEPTH):
        raise InvalidBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json_body(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """An APIRoute whose handler sees a StrictJsonRequest."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive, request._send))

        return strict_handler
