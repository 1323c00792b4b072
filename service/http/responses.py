"""Answers sent straight from a middleware, before (or instead of) the app: the API's error shape."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Send


async def send_error(
    send: Send, status: int, error: str, detail: Any, headers: dict[str, str] | None = None
) -> None:
    """An error answer that also closes the connection: the client may still be sending a body we refuse."""
    body = orjson.dumps({"error": error, "detail": detail})
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *(
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or {}).items()
        ),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
