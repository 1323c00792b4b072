"""Answers sent straight from a middleware, before (or instead of) the app: the API's error shape.

A client that is refused before its body is read usually is still sending it.
Closing the connection with unread bytes makes the kernel reset it, and the
client then loses the answer too. So a refusal first reads and discards up to
`DRAIN_BYTES` of the body (never kept); a body larger than that is cut off by
closing the connection, the one case where losing the answer is the client's
own doing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.types import Receive, Send

DRAIN_BYTES = 1024 * 1024
DRAIN_SECONDS = 5.0


async def drain(receive: Receive, max_bytes: int = DRAIN_BYTES, seconds: float = DRAIN_SECONDS) -> bool:
    """Read and drop the rest of the request body; True when all of it was read within the bounds."""

    async def read() -> bool:
        dropped = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return False  # the client went away
            dropped += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True
            if dropped > max_bytes:
                return False

    try:
        return await asyncio.wait_for(read(), seconds)
    except TimeoutError:
        return False


async def send_error(
    send: Send,
    status: int,
    error: str,
    detail: Any,
    headers: dict[str, str] | None = None,
    close: bool = True,
) -> None:
    """An error in the API's shape; `close` when the rest of the body is left unread."""
    body = orjson.dumps({"error": error, "detail": detail})
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or {}).items()
        ),
    ]
    if close:
        raw_headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def refuse(
    receive: Receive, send: Send, status: int, error: str, detail: Any, headers: dict[str, str] | None = None
) -> None:
    """Refuse a request whose body was not read yet: drain a small body, cut off a large one."""
    complete = await drain(receive)
    await send_error(send, status, error, detail, headers, close=not complete)
